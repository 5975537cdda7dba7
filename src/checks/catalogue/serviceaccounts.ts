/**
 * Checks: the ServiceAccount a pod runs as, and whether its API token is mounted. The pod
 * and its ServiceAccount (when the input has it) are judged together.
 */
import { defineInventoryCheck } from './define.js';
import { inNs, isBuiltin, nsBucket, podFact, podFactLine, wantPodLine, podPath, WORKLOAD_KIND_NAMES, type PodFact } from './inventory.js';
import type { CollectContext, CheckDef, InventoryReport } from './types.js';

/** A ServiceAccount of the input. `automount` is its automountServiceAccountToken when boolean. */
type SaFact = { t: 'sa'; ns: string; name: string; automount: boolean | null };

function collectServiceAccount(ctx: CollectContext): SaFact | undefined {
  if (!isBuiltin(ctx.object, 'ServiceAccount')) return undefined;
  const name = ctx.resource.metadata.name;
  if (typeof name !== 'string' || name === '') return undefined;
  const a = ctx.object.automountServiceAccountToken;
  return { t: 'sa', ns: nsBucket(ctx), name, automount: typeof a === 'boolean' ? a : null };
}

/**
 * The ServiceAccounts of the input by namespace bucket, then by name: the last of a name wins
 * (later documents override earlier ones on apply). A map, not a list searched for every
 * workload: a namespace with 1,200 workloads and 100 ServiceAccounts searched 120,000 names.
 */
function accountsByNs(facts: ReadonlyArray<{ fact: SaFact | PodFact }>): Map<string, Map<string, SaFact>> {
  const byNs = new Map<string, Map<string, SaFact>>();
  for (const { fact } of facts) {
    if (fact.t !== 'sa') continue;
    let mine = byNs.get(fact.ns);
    if (!mine) byNs.set(fact.ns, (mine = new Map()));
    mine.set(fact.name, fact);
  }
  return byNs;
}

function findSa(byNs: Map<string, Map<string, SaFact>>, ns: string, name: string): SaFact | undefined {
  return byNs.get(ns)?.get(name);
}

const SA_KINDS = [...WORKLOAD_KIND_NAMES, 'ServiceAccount'];

type TokenFact = SaFact | PodFact;

const automountToken = defineInventoryCheck<TokenFact>({
  id: 'serviceaccount/automount-token',
  title: 'ServiceAccount token is mounted into the pod',
  severity: 'low',
  defaultOn: true,
  stride: ['I', 'E'],
  kinds: SA_KINDS,
  description:
    'Unless `automountServiceAccountToken: false` is set, every container gets a token for the pod\'s ServiceAccount ' +
    'at /var/run/secrets/kubernetes.io/serviceaccount. Code execution in any container then means API access with ' +
    'that account\'s permissions. Most applications never call the API. The pod\'s own field wins over the ' +
    'ServiceAccount\'s; the ServiceAccount (`serviceAccountName`, default `default`) is looked up in the input, in ' +
    'the pod\'s namespace.',
  remediation: 'Set automountServiceAccountToken: false in the pod spec (or on its ServiceAccount), and mount a projected token only where the API is needed.',
  example: `apiVersion: v1
kind: ServiceAccount
metadata:
  name: web
automountServiceAccountToken: false
---
# or in the pod template:
spec:
  serviceAccountName: web
  automountServiceAccountToken: false`,
  refs: {
    cis: ['5.1.6'],
    kubesec: ['AutomountServiceAccountToken'],
    polaris: ['automountServiceAccountToken'],
    kubescape: ['C-0034'],
    links: ['https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting'],
  },
  rationale:
    'A ServiceAccount that sets the field false is honoured only when it is in the input, in the same namespace as ' +
    'the pod; objects without metadata.namespace are only paired with other objects without one, since they are ' +
    'applied to whatever namespace kubectl, kustomize or Helm chooses.',
  collect(ctx) {
    const sa = collectServiceAccount(ctx);
    if (sa) return sa;
    const pod = podFact(ctx);
    if (!pod || pod.automount === false) return undefined;
    wantPodLine(ctx, pod, 'automount');
    return pod;
  },
  evaluate(facts) {
    const accounts = accountsByNs(facts);
    const out: InventoryReport[] = [];
    for (const { subject, fact: w } of facts) {
      if (w.t !== 'w') continue;
      const report = (message: string) => out.push({ subject, path: podPath(w, 'automount'), line: podFactLine(w, 'automount'), message });
      if (w.automount === true) {
        report(`pod sets automountServiceAccountToken: true, so ServiceAccount "${w.sa}"'s token is mounted`);
        continue;
      }
      const sa = findSa(accounts, w.ns, w.sa);
      if (sa?.automount === false) continue;
      if (!sa) report(`pod does not set automountServiceAccountToken: false (ServiceAccount "${w.sa}" is not in the input ${inNs(w.ns)})`);
      else if (sa.automount === true) report(`pod does not set automountServiceAccountToken and ServiceAccount "${w.sa}" sets it to true`);
      else report(`neither the pod nor ServiceAccount "${w.sa}" sets automountServiceAccountToken: false`);
    }
    return out;
  },
});

type DefaultSaFact = SaFact | PodFact;

const defaultServiceAccount = defineInventoryCheck<DefaultSaFact>({
  id: 'serviceaccount/default-service-account',
  title: 'Pod runs as the default ServiceAccount',
  severity: 'low',
  defaultOn: true,
  stride: ['E', 'R'],
  kinds: SA_KINDS,
  description:
    'Every pod of a namespace that names no ServiceAccount shares the `default` one: permissions granted to it for ' +
    'one workload reach all the others, and audit logs cannot tell them apart. Give each workload its own ' +
    'ServiceAccount. A pod naming a ServiceAccount that is missing from an input which defines ServiceAccounts for ' +
    'its namespace is reported as info: the pod would not start, or the name has a typo.',
  remediation: 'Create a ServiceAccount for the workload and set spec.serviceAccountName to it.',
  example: `apiVersion: v1
kind: ServiceAccount
metadata:
  name: web
automountServiceAccountToken: false
---
# in the pod template:
spec:
  serviceAccountName: web`,
  refs: {
    cis: ['5.1.5'],
    kubescape: ['C-0189'],
    kubeLinter: ['default-service-account'],
  },
  rationale:
    'A named ServiceAccount missing from the input is reported only when the input has ServiceAccounts in the pod\'s ' +
    'namespace (objects without metadata.namespace count as one namespace of their own): otherwise the accounts are ' +
    'simply managed elsewhere.',
  collect(ctx) {
    const sa = collectServiceAccount(ctx);
    if (sa) return sa;
    const pod = podFact(ctx);
    if (pod) wantPodLine(ctx, pod, 'sa');
    return pod;
  },
  evaluate(facts) {
    const accounts = accountsByNs(facts);
    const out: InventoryReport[] = [];
    for (const { subject, fact: w } of facts) {
      if (w.t !== 'w') continue;
      // The path and line only for a report: a workload's line may be looked up only now.
      if (w.sa === 'default') {
        const message = w.saField ? 'pod names the default ServiceAccount' : 'pod sets no serviceAccountName and runs as the default ServiceAccount';
        out.push({ subject, path: podPath(w, 'sa'), line: podFactLine(w, 'sa'), message });
        continue;
      }
      if (!accounts.has(w.ns) || findSa(accounts, w.ns, w.sa)) continue;
      out.push({
        subject, path: podPath(w, 'sa'), line: podFactLine(w, 'sa'), severity: 'info',
        message: `ServiceAccount "${w.sa}" is not in the input, which has ServiceAccounts ${inNs(w.ns)}`,
      });
    }
    return out;
  },
});

export const CHECKS: CheckDef[] = [automountToken, defaultServiceAccount];
