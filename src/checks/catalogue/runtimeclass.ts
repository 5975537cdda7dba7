/**
 * Checks: RuntimeClass — untrusted pods must run in a sandbox (gVisor, Kata), and
 * runtimeClassName must name a RuntimeClass that exists and really is what its name says.
 */
import { labelsOf, type Labels } from '../../model/index.js';
import { defineInventoryCheck } from './define.js';
import { isBuiltin, podFact, podFactLine, wantPodLine, podPath, WORKLOAD_KIND_NAMES, type PodFact } from './inventory.js';
import type { CheckDef, CollectContext, InventoryReport } from './types.js';

/** `key=value` (also `key==value`) or `key`; undefined for an empty or malformed entry. */
function parseLabelRequirement(text: string): { key: string; value?: string } | undefined {
  const eq = text.indexOf('=');
  if (eq === -1) {
    const key = text.trim();
    return key === '' ? undefined : { key };
  }
  const key = text.slice(0, eq).trim();
  const value = text.slice(text[eq + 1] === '=' ? eq + 2 : eq + 1).trim();
  return key === '' || key.endsWith('!') ? undefined : { key, value };
}

/** A configured selector, parsed, with the text messages quote. */
interface UntrustedSelector {
  text: string;
  key: string;
  value?: string;
}

/** `params.untrustedSelectors` parsed (once per evaluation, not once per pod); malformed entries dropped. */
function parseSelectors(selectors: readonly unknown[]): UntrustedSelector[] {
  const out: UntrustedSelector[] = [];
  for (const s of selectors) {
    if (typeof s !== 'string') continue;
    const req = parseLabelRequirement(s);
    if (req) out.push({ text: s.trim(), ...req });
  }
  return out;
}

/** The first of `selectors` that `labels` satisfy, as written, or undefined. */
function matchingSelector(selectors: readonly UntrustedSelector[], labels: Labels): string | undefined {
  for (const s of selectors) {
    if (!Object.prototype.hasOwnProperty.call(labels, s.key)) continue;
    if (s.value === undefined || labels[s.key] === s.value) return s.text;
  }
  return undefined;
}

/**
 * Whether a handler is a known sandbox: listed in `handlers`, or a variant of one
 * (`kata` covers `kata-qemu-snp`, `runsc` covers `runsc-debug`).
 */
function sandboxHandler(handler: string | null, handlers: readonly string[]): boolean {
  if (handler === null) return false;
  return handlers.some((h) => typeof h === 'string' && h !== '' && (handler === h || handler.startsWith(`${h}-`)));
}

/** A name that promises a sandbox: listed in sandboxRuntimeClasses or containing a sandbox word. */
function namedLikeSandbox(name: string, sandboxClasses: readonly string[]): boolean {
  return sandboxClasses.includes(name) || /gvisor|runsc|kata|sandbox/i.test(name);
}

type RuntimeClassFact = { t: 'rc'; name: string; handler: string | null; line: number };

function collectRuntimeClass(ctx: CollectContext, withLine: boolean): RuntimeClassFact | undefined {
  if (!isBuiltin(ctx.object, 'RuntimeClass')) return undefined;
  const name = ctx.resource.metadata.name;
  if (typeof name !== 'string' || name === '') return undefined;
  const handler = typeof ctx.object.handler === 'string' && ctx.object.handler !== '' ? ctx.object.handler : null;
  return { t: 'rc', name, handler, line: withLine ? ctx.lineOf(['handler']) : 0 };
}

type UntrustedFact = RuntimeClassFact
  | { t: 'ns'; name: string; labels: Record<string, string> }
  | PodFact;

const untrustedWithoutSandbox = defineInventoryCheck<UntrustedFact>({
  id: 'runtimeclass/untrusted-without-sandbox',
  title: 'Untrusted pod does not run in a sandbox runtime',
  severity: 'medium',
  defaultOn: true,
  stride: ['E'],
  kinds: [...WORKLOAD_KIND_NAMES, 'Namespace', 'RuntimeClass'],
  description:
    'Pods that run untrusted code (tenant workloads, CI jobs, user-supplied plugins) share the node\'s kernel with ' +
    'everything else; one kernel exploit is a node compromise. A sandbox runtime (gVisor `runsc`, Kata Containers) ' +
    'puts a second kernel or a VM in between. A pod is untrusted when its namespace is listed in ' +
    '`params.untrustedNamespaces`, or its pod template or its Namespace object (when in the input) carries a label ' +
    'matching `params.untrustedSelectors` (`key=value` or `key`). It passes when `runtimeClassName` is listed in ' +
    '`params.sandboxRuntimeClasses` or names a RuntimeClass of the input whose handler is in `params.sandboxHandlers`.',
  remediation: 'Set spec.runtimeClassName to a sandbox RuntimeClass (gVisor or Kata) for untrusted pods.',
  example: `apiVersion: node.k8s.io/v1
kind: RuntimeClass
metadata:
  name: gvisor
handler: runsc
---
# in the pod template:
spec:
  runtimeClassName: gvisor`,
  refs: {
    kubescape: ['C-0297'],
    links: ['https://kubernetes.io/docs/concepts/containers/runtime-class/', 'https://gvisor.dev/docs/user_guide/quick_start/kubernetes/'],
  },
  rationale:
    'Nothing is untrusted unless configured: by default only pods or Namespaces labelled `palisade.dev/untrusted=true`. ' +
    'A pod without metadata.namespace is never matched against untrustedNamespaces or a Namespace object, since it is ' +
    'applied to whatever namespace kubectl, kustomize or Helm chooses; label it, or scan the rendered output.',
  collect(ctx) {
    const rc = collectRuntimeClass(ctx, false);
    if (rc) return rc;
    if (isBuiltin(ctx.object, 'Namespace')) {
      const name = ctx.resource.metadata.name;
      return typeof name === 'string' && name !== '' ? { t: 'ns', name, labels: labelsOf(ctx.resource.metadata.labels) } : undefined;
    }
    const pod = podFact(ctx);
    // A runtime class listed as a sandbox passes whatever else is in the input.
    if (!pod || (pod.rc !== null && ctx.params.sandboxRuntimeClasses.includes(pod.rc))) return undefined;
    wantPodLine(ctx, pod, 'rc');
    return pod;
  },
  evaluate(facts, params) {
    const namespaces = new Map<string, Record<string, string>>();
    const classes = new Map<string, string | null>();
    for (const { fact } of facts) {
      if (fact.t === 'ns') namespaces.set(fact.name, fact.labels);
      else if (fact.t === 'rc') classes.set(fact.name, fact.handler);
    }
    const selectors = parseSelectors(params.untrustedSelectors);
    const untrustedNs = params.untrustedNamespaces;
    const out: InventoryReport[] = [];
    for (const { subject, fact: w } of facts) {
      if (w.t !== 'w') continue;
      let why: string | undefined;
      if (w.ns !== '' && untrustedNs.includes(w.ns)) why = `namespace "${w.ns}" is listed in untrustedNamespaces`;
      else {
        const podSel = matchingSelector(selectors, w.labels);
        if (podSel !== undefined) why = `pod label matches "${podSel}"`;
        else {
          const nsLabels = w.ns !== '' ? namespaces.get(w.ns) : undefined;
          const nsSel = nsLabels ? matchingSelector(selectors, nsLabels) : undefined;
          if (nsSel !== undefined) why = `Namespace "${w.ns}" label matches "${nsSel}"`;
        }
      }
      if (why === undefined) continue;
      if (w.rc !== null && sandboxHandler(classes.get(w.rc) ?? null, params.sandboxHandlers)) continue;
      const runtime = w.rc === null ? 'sets no runtimeClassName' : `runs with runtimeClassName "${w.rc}", which is not a sandbox runtime class`;
      out.push({ subject, path: podPath(w, 'rc'), line: podFactLine(w, 'rc'), message: `untrusted pod (${why}) ${runtime}` });
    }
    return out;
  },
});

type KnownFact = RuntimeClassFact | PodFact;

const unknownRuntimeClass = defineInventoryCheck<KnownFact>({
  id: 'runtimeclass/unknown-runtime-class',
  title: 'RuntimeClass is missing or is not the sandbox it is named after',
  severity: 'info',
  defaultOn: true,
  stride: ['E', 'D'],
  kinds: [...WORKLOAD_KIND_NAMES, 'RuntimeClass'],
  description:
    'A pod whose `runtimeClassName` names no RuntimeClass is rejected at admission — in an input that defines ' +
    'RuntimeClasses, it is usually a typo (info). A RuntimeClass named like a sandbox (gvisor, kata, sandbox, or listed ' +
    'in `params.sandboxRuntimeClasses`) whose `handler` is not a known sandbox handler (`params.sandboxHandlers`) runs ' +
    'pods that were meant to be isolated on the ordinary runtime, while everyone believes they are sandboxed (low).',
  remediation: 'Point runtimeClassName at a RuntimeClass that exists, and give sandbox RuntimeClasses a sandbox handler (runsc, kata-*).',
  example: `apiVersion: node.k8s.io/v1
kind: RuntimeClass
metadata:
  name: gvisor
handler: runsc`,
  refs: {
    links: ['https://kubernetes.io/docs/concepts/containers/runtime-class/'],
  },
  rationale:
    'RuntimeClasses are usually installed with the cluster, not with applications: a missing one is only reported ' +
    'when the input contains RuntimeClasses. A handler matches a listed sandbox handler exactly or as a variant ' +
    '(`kata` covers `kata-qemu-snp`).',
  collect(ctx) {
    const rc = collectRuntimeClass(ctx, true);
    if (rc) return rc;
    const pod = podFact(ctx);
    if (!pod || pod.rc === null) return undefined;
    wantPodLine(ctx, pod, 'rc');
    return pod;
  },
  evaluate(facts, params) {
    const names = new Set<string>();
    for (const { fact } of facts) if (fact.t === 'rc') names.add(fact.name);
    const out: InventoryReport[] = [];
    for (const { subject, fact } of facts) {
      if (fact.t === 'w') {
        if (fact.rc === null || names.size === 0 || names.has(fact.rc)) continue;
        out.push({ subject, path: podPath(fact, 'rc'), line: podFactLine(fact, 'rc'), message: `runtimeClassName "${fact.rc}" names a RuntimeClass that is not in the input` });
        continue;
      }
      if (!namedLikeSandbox(fact.name, params.sandboxRuntimeClasses) || sandboxHandler(fact.handler, params.sandboxHandlers)) continue;
      const handler = fact.handler === null ? 'has no handler' : `has handler "${fact.handler}"`;
      out.push({
        subject, path: ['handler'], line: fact.line, severity: 'low',
        message: `RuntimeClass "${fact.name}" is named like a sandbox but ${handler}, which is not a known sandbox handler`,
      });
    }
    return out;
  },
});

export const CHECKS: CheckDef[] = [untrustedWithoutSandbox, unknownRuntimeClass];
