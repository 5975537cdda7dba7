/**
 * Checks: NetworkPolicy coverage. These look at the whole input at once: which workloads
 * the policies of their namespace select, and which Namespaces have a default deny.
 */
import {
  apiGroupOf, groupBy, isEmptySelector, isObj, LabelledItems, selectorMatches,
  type JsonPath, type Labels,
} from '../../model/index.js';
import { defineInventoryCheck } from './define.js';
import { specOf } from './util.js';
import { count, inNs, isBuiltin, labelText, namespaceName, nsBucket, podFact, podFactLine, wantPodLine, selectorFact, selectorsByNs, WORKLOAD_KIND_NAMES, type PodFact } from './inventory.js';
import type { CheckDef, CollectContext, InventoryReport } from './types.js';


// ---------------------------------------------------------------------------------------
// NetworkPolicy semantics.

/**
 * Whether a NetworkPolicy podSelector selects pods with `labels`. podSelector is a
 * non-pointer struct in the API: missing or null decodes to {} and selects every pod of
 * the namespace. Anything that is not a selector selects nothing.
 */
function policySelects(selector: unknown, labels: Labels): boolean {
  if (selector === null || selector === undefined) return true;
  return selectorMatches(selector, labels);
}

function policySelectsAll(selector: unknown): boolean {
  return selector === null || selector === undefined || isEmptySelector(selector);
}

/** policyTypes after API defaulting: as written, else Ingress plus Egress when egress rules exist. */
function policyTypes(spec: Record<string, unknown>): string[] {
  const written = Array.isArray(spec.policyTypes) ? spec.policyTypes.filter((t): t is string => typeof t === 'string') : [];
  if (written.length > 0) return written;
  return Array.isArray(spec.egress) && spec.egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
}

/** No rules for a direction: the field is absent, null or an empty list (`[{}]` allows everything). */
function noRules(rules: unknown): boolean {
  return rules === undefined || rules === null || (Array.isArray(rules) && rules.length === 0);
}

type SelectorFact = { t: 'np'; ns: string; sel: unknown; path: JsonPath; line: number };
type Coverage = PodFact | SelectorFact;

/** Facts for NET-001/NET-003: workload pod labels and policy selectors (with the line of what the check reports). */
function collectCoverage(ctx: CollectContext, lines: 'workloads' | 'policies'): Coverage | undefined {
  if (isBuiltin(ctx.object, 'NetworkPolicy')) {
    const spec = specOf(ctx.object);
    const path: JsonPath = ['spec', 'podSelector'];
    return { t: 'np', ns: nsBucket(ctx), sel: selectorFact(spec.podSelector), path, line: lines === 'policies' ? ctx.lineOf(path) : 0 };
  }
  const pod = podFact(ctx);
  if (pod && lines === 'workloads') wantPodLine(ctx, pod, 'labels');
  return pod;
}

const COVERAGE_KINDS = [...WORKLOAD_KIND_NAMES, 'NetworkPolicy'];

const podNotSelected = defineInventoryCheck<Coverage>({
  id: 'networkpolicy/pod-not-selected',
  title: 'Pods not selected by any NetworkPolicy',
  severity: 'medium',
  defaultOn: true,
  stride: ['I', 'T', 'E'],
  kinds: COVERAGE_KINDS,
  description:
    'A pod that no NetworkPolicy selects is not isolated: it accepts connections from every pod in the cluster and may ' +
    'connect anywhere. A NetworkPolicy selects pods of its own namespace by `podSelector` (`podSelector: {}` selects ' +
    'all of them; matchLabels and matchExpressions are supported). The check runs only when the input contains at ' +
    'least one NetworkPolicy, so that scanning a chart whose policies live elsewhere reports nothing.',
  remediation: 'Add a NetworkPolicy in the workload\'s namespace whose podSelector matches its pod template labels, or a namespace-wide default deny (`podSelector: {}`).',
  example: `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: web
  namespace: shop
spec:
  podSelector:
    matchLabels:
      app: web
  policyTypes: [Ingress, Egress]
  ingress:
  - from:
    - podSelector:
        matchLabels:
          app: frontend
    ports:
    - port: 8080`,
  refs: {
    polaris: ['missingNetworkPolicy'],
    kubescape: ['C-0260'],
    kubeLinter: ['non-isolated-pod'],
    kubeScore: ['pod-networkpolicy'],
    links: ['https://kubernetes.io/docs/concepts/services-networking/network-policies/'],
  },
  rationale:
    'Other tools report every pod when the input has no NetworkPolicy at all; Palisade then reports nothing, because ' +
    'the policies usually live in another repository. Objects without metadata.namespace are only compared with other ' +
    'objects without one: they are applied to whatever namespace kubectl, kustomize or Helm chooses.',
  collect: (ctx) => collectCoverage(ctx, 'workloads'),
  evaluate(facts) {
    const policies = facts.map((f) => f.fact).filter((f): f is SelectorFact => f.t === 'np');
    if (policies.length === 0) return [];
    const byNs = selectorsByNs(policies, (p, labels) => policySelects(p.sel, labels));
    const out: InventoryReport[] = [];
    for (const { subject, fact: w } of facts) {
      if (w.t !== 'w') continue;
      const mine = byNs.get(w.ns);
      if (mine?.someSelects(w.labels)) continue;
      const message = mine === undefined
        ? `pods of ${w.kind} (${labelText(w.labels)}) are not isolated: the input has no NetworkPolicy ${inNs(w.ns)}`
        : `pods of ${w.kind} (${labelText(w.labels)}) are not selected by any NetworkPolicy ${inNs(w.ns)} (${count(mine.items.length, 'policy', 'policies')} there)`;
      out.push({ subject, path: w.labelsPath, line: podFactLine(w, 'labels'), message });
    }
    return out;
  },
});

/** A custom resource in a namespace: an operator may create pods there that the input does not show. */
type CustomFact = { t: 'cr'; ns: string };

/** Custom resources live in API groups of their own (`monitoring.coreos.com`), not Kubernetes' (`*.k8s.io`, `apps`…). */
function isCustomResource(apiVersion: unknown): boolean {
  const group = apiGroupOf(apiVersion);
  return group.includes('.') && !group.endsWith('.k8s.io') && group !== 'k8s.io';
}

const selectsNothing = defineInventoryCheck<Coverage | CustomFact>({
  id: 'networkpolicy/selects-nothing',
  title: 'NetworkPolicy selects no pod',
  severity: 'info',
  defaultOn: true,
  stride: ['I'],
  kinds: [...COVERAGE_KINDS, '*'],
  description:
    'A NetworkPolicy whose podSelector matches none of the workloads of its namespace protects nothing — usually a ' +
    'label typo or a policy left behind after a rename, while the pods it was meant for stay open. The check runs only ' +
    'for namespaces where the input has workloads.',
  remediation: 'Fix the podSelector to match the pod template labels of the workloads it should protect, or delete the policy.',
  example: `spec:
  podSelector:
    matchLabels:
      app: web        # the same labels as the Deployment's spec.template.metadata.labels`,
  refs: {
    kubeLinter: ['dangling-networkpolicy'],
    kubeScore: ['networkpolicy-targets-pod'],
  },
  rationale:
    'Only namespaces with workloads in the input are judged, so a policy shipped apart from its workloads is not reported. ' +
    'Namespaces that also hold custom resources are not judged either: an operator (Prometheus, a database operator) ' +
    'creates pods from them that the input does not show, and policies for those pods are the norm. ' +
    'Objects without metadata.namespace are only compared with other objects without one.',
  collect: (ctx) => {
    const coverage = collectCoverage(ctx, 'policies');
    if (coverage) return coverage;
    return isCustomResource(ctx.object.apiVersion) ? { t: 'cr', ns: nsBucket(ctx) } : undefined;
  },
  evaluate(facts) {
    const byNs = groupBy(facts.map((f) => f.fact).filter((f): f is PodFact => f.t === 'w'), (w) => w.ns);
    // Per namespace, its workloads grouped by the labels policies require (see LabelledItems).
    const workloads = new Map([...byNs].map(([ns, mine]) => [ns, new LabelledItems(mine, (w) => w.labels)]));
    const operated = new Set(facts.map((f) => f.fact).filter((f): f is CustomFact => f.t === 'cr').map((f) => f.ns));
    const out: InventoryReport[] = [];
    for (const { subject, fact: p } of facts) {
      if (p.t !== 'np') continue;
      const mine = workloads.get(p.ns);
      if (!mine || operated.has(p.ns) || policySelectsAll(p.sel) || mine.someSelected(p.sel)) continue;
      const what = isObj(p.sel) ? 'podSelector' : `podSelector ${JSON.stringify(p.sel)} is not a label selector and`;
      out.push({ subject, path: p.path, line: p.line, message: `${what} matches no workload ${inNs(p.ns)} (${count(mine.items.length, 'workload')} there in the input)` });
    }
    return out;
  },
});

type NamespaceFact = { t: 'ns'; name: string; line: number };
type DenyFact = NamespaceFact | { t: 'np'; ns: string; ingress: boolean; egress: boolean };

const DIRECTIONS = ['Ingress', 'Egress'] as const;

const noDefaultDeny = defineInventoryCheck<DenyFact>({
  id: 'networkpolicy/no-default-deny',
  title: 'Namespace has no default-deny NetworkPolicy',
  severity: 'medium',
  defaultOn: true,
  stride: ['I', 'T', 'E'],
  kinds: ['Namespace', 'NetworkPolicy'],
  description:
    'Without a default deny, every pod of a namespace that no policy selects is reachable from the whole cluster and ' +
    'can reach anything, and each new workload starts open. A default deny is a policy with `podSelector: {}`, ' +
    '`policyTypes: [Ingress, Egress]` and no rules (or one such policy per direction); allow rules then go in ' +
    'separate policies. Only Namespace objects in the input are judged.',
  remediation: 'Add a NetworkPolicy with podSelector: {} and policyTypes Ingress and Egress (and no rules) to the namespace, then allow the traffic each workload needs.',
  example: `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
  namespace: shop
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]`,
  refs: {
    kubescape: ['C-0206'],
    links: ['https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-policies'],
  },
  rationale:
    'A namespace-wide policy that isolates a direction but also allows some traffic does not count: the default deny ' +
    'must stay valid whatever workloads are added, so allow rules belong in their own policies. When the input has no ' +
    'NetworkPolicy at all, the check reports one info finding per Namespace ("not evaluated") instead of failing, since ' +
    'policies are often managed elsewhere (or generated by an admission controller). Policies without ' +
    'metadata.namespace are applied to whatever namespace kubectl or kustomize chooses: when only they would provide ' +
    'the default deny, the finding is info.',
  collect(ctx) {
    if (isBuiltin(ctx.object, 'Namespace')) {
      const name = namespaceName(ctx);
      return name === undefined ? undefined : { t: 'ns', name, line: ctx.lineOf(['metadata', 'name']) };
    }
    if (!isBuiltin(ctx.object, 'NetworkPolicy')) return undefined;
    const spec = specOf(ctx.object);
    const all = policySelectsAll(spec.podSelector);
    const types = policyTypes(spec);
    return {
      t: 'np',
      ns: nsBucket(ctx),
      ingress: all && types.includes('Ingress') && noRules(spec.ingress),
      egress: all && types.includes('Egress') && noRules(spec.egress),
    };
  },
  evaluate(facts) {
    const policies = facts.map((f) => f.fact).filter((f): f is Exclude<DenyFact, NamespaceFact> => f.t === 'np');
    const byNs = groupBy(policies, (p) => p.ns);
    const denied = (ns: string) => {
      const mine = byNs.get(ns) ?? [];
      return { Ingress: mine.some((p) => p.ingress), Egress: mine.some((p) => p.egress) };
    };
    const unspecified = denied('');
    const out: InventoryReport[] = [];
    for (const { subject, fact } of facts) {
      if (fact.t !== 'ns') continue;
      const path = ['metadata', 'name'];
      if (policies.length === 0) {
        out.push({ subject, path, line: fact.line, severity: 'info', message: `not evaluated: no NetworkPolicy in input (namespace "${fact.name}")` });
        continue;
      }
      const own = denied(fact.name);
      const missing = DIRECTIONS.filter((d) => !own[d]);
      if (missing.length === 0) continue;
      const what = missing.length === 2
        ? 'has no default-deny NetworkPolicy (podSelector: {}, policyTypes Ingress and Egress, no rules)'
        : `denies ${DIRECTIONS.find((d) => own[d])} by default but not ${missing[0]} (no policy with podSelector: {}, policyTypes ${missing[0]} and no ${missing[0].toLowerCase()} rules)`;
      if (missing.every((d) => unspecified[d])) {
        out.push({ subject, path, line: fact.line, severity: 'info', message: `namespace "${fact.name}" ${what}; NetworkPolicies without metadata.namespace would provide it if applied to this namespace` });
      } else {
        out.push({ subject, path, line: fact.line, message: `namespace "${fact.name}" ${what}` });
      }
    }
    return out;
  },
});

export const CHECKS: CheckDef[] = [podNotSelected, noDefaultDeny, selectsNothing];
