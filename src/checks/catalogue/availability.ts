/**
 * Checks: the reliability pack (off by default) — probes, replicas and PodDisruptionBudgets.
 * Not security controls as such, but availability is the D of STRIDE.
 */
import { groupBy, isEmptySelector, isObj, LabelledItems, selectorMatches, type JsonPath, type Labels } from '../../model/index.js';
import { defineCheck, defineInventoryCheck } from './define.js';
import { specOf } from './util.js';
import { count, inNs, isBuiltin, labelText, nsBucket, podFact, podLine, selectorFact, selectorsByNs, WORKLOAD_KIND_NAMES } from './inventory.js';
import type { CheckDef, CollectContext, InventoryReport } from './types.js';

const PROBES = ['readinessProbe', 'livenessProbe'] as const;

const probesMissing = defineCheck({
  id: 'availability/probes-missing',
  title: 'Container has no readiness or liveness probe',
  severity: 'low',
  defaultOn: false,
  stride: ['D'],
  kinds: ['Deployment', 'StatefulSet', 'DaemonSet'],
  description:
    'Without a readinessProbe a pod receives traffic as soon as its containers start, and keeps receiving it while it ' +
    'cannot serve; rollouts proceed even when the new version never becomes ready. Without a livenessProbe a hung ' +
    'process is never restarted. Regular containers of Deployments, StatefulSets and DaemonSets are checked (init and ' +
    'ephemeral containers do not serve).',
  remediation: 'Add a readinessProbe and a livenessProbe to every container (they may hit different endpoints).',
  example: `containers:
- name: app
  image: registry.example.com/app@sha256:…
  readinessProbe:
    httpGet: {path: /ready, port: 8080}
  livenessProbe:
    httpGet: {path: /healthz, port: 8080}
    periodSeconds: 10`,
  refs: {
    polaris: ['readinessProbeMissing', 'livenessProbeMissing'],
    kubescape: ['C-0018', 'C-0056'],
    kubeLinter: ['no-readiness-probe', 'no-liveness-probe'],
    kubeScore: ['container-probes'],
  },
  run(ctx) {
    if (!ctx.pod) return;
    for (const c of ctx.containers) {
      if (c.list !== 'containers') continue;
      for (const probe of PROBES) {
        if (isObj(c.container[probe])) continue;
        ctx.report([...c.path, probe], `container "${c.name}" has no ${probe}`);
      }
    }
  },
});

/** spec.replicas of a Deployment/StatefulSet/ReplicaSet/ReplicationController: unset or null = 1; undefined when invalid. */
function replicasOf(spec: unknown): number | undefined {
  const r = isObj(spec) ? spec.replicas : undefined;
  if (r === undefined || r === null) return 1;
  return typeof r === 'number' && Number.isInteger(r) && r >= 0 ? r : undefined;
}

const singleReplica = defineCheck({
  id: 'availability/single-replica',
  title: 'Workload runs fewer replicas than the minimum',
  severity: 'low',
  defaultOn: false,
  stride: ['D'],
  kinds: ['Deployment', 'StatefulSet'],
  description:
    'A Deployment or StatefulSet with a single replica is down whenever its pod is: during node drains, rollouts of ' +
    'StatefulSets, evictions and crashes. `replicas` below `params.minReplicas` (default 2) is reported; an unset ' +
    '`replicas` means 1.',
  remediation: 'Set spec.replicas to at least minReplicas (and spread the pods with topologySpreadConstraints or anti-affinity).',
  example: `spec:
  replicas: 3`,
  refs: {
    kubeLinter: ['minimum-three-replicas'],
    kubeScore: ['deployment-replicas'],
  },
  rationale:
    'replicas: 0 is not reported: the workload is deliberately stopped. HorizontalPodAutoscalers are not considered; ' +
    'a workload scaled by an HPA usually leaves replicas unset — suppress the finding there, or set replicas to the HPA minimum.',
  run(ctx) {
    if (!ctx.pod) return;
    const spec = ctx.object.spec;
    const replicas = replicasOf(spec);
    const min = ctx.params.minReplicas;
    if (replicas === undefined || replicas === 0 || replicas >= min) return;
    const set = isObj(spec) && spec.replicas !== undefined && spec.replicas !== null;
    ctx.report(['spec', 'replicas'], set
      ? `replicas is ${replicas}, fewer than minReplicas (${min})`
      : `replicas is not set (defaults to 1), fewer than minReplicas (${min})`);
  },
});

/**
 * Whether a PodDisruptionBudget selector selects pods with `labels`: a missing or null selector
 * selects nothing; {} selects every pod of the namespace in policy/v1 and nothing in v1beta1.
 */
function pdbSelects(selector: unknown, v1: boolean, labels: Labels): boolean {
  if (!isObj(selector)) return false;
  if (isEmptySelector(selector)) return v1;
  return selectorMatches(selector, labels);
}

type PdbBase = { t: 'pdb'; ns: string; sel: unknown; v1: boolean };

function pdbBase(ctx: CollectContext): PdbBase | undefined {
  if (!isBuiltin(ctx.object, 'PodDisruptionBudget')) return undefined;
  const spec = specOf(ctx.object);
  const v1 = ctx.object.apiVersion !== 'policy/v1beta1';
  return { t: 'pdb', ns: nsBucket(ctx), sel: selectorFact(spec.selector), v1 };
}

type CoverFact = PdbBase | { t: 'w'; ns: string; kind: string; labels: Record<string, string>; replicas: number; path: JsonPath; line: number };

const noPdb = defineInventoryCheck<CoverFact>({
  id: 'availability/no-pod-disruption-budget',
  title: 'Replicated workload has no PodDisruptionBudget',
  severity: 'low',
  defaultOn: false,
  stride: ['D'],
  kinds: ['Deployment', 'StatefulSet', 'PodDisruptionBudget'],
  description:
    'Node drains (upgrades, autoscaler scale-down) evict pods without regard for the application unless a ' +
    'PodDisruptionBudget says how many may be down at once; a drain can then take every replica at the same time. ' +
    'Deployments and StatefulSets with at least 2 replicas are reported when no PodDisruptionBudget of their ' +
    'namespace in the input selects their pod template labels.',
  remediation: 'Add a PodDisruptionBudget (maxUnavailable: 1, or a minAvailable below the replica count) selecting the workload\'s pods.',
  example: `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: web
spec:
  maxUnavailable: 1
  selector:
    matchLabels:
      app: web`,
  refs: {
    kubescape: ['C-0056'],
    kubeLinter: ['no-pod-disruption-budget'],
    kubeScore: ['deployment-has-poddisruptionbudget', 'statefulset-has-poddisruptionbudget'],
    links: ['https://kubernetes.io/docs/tasks/run-application/configure-pdb/'],
  },
  rationale:
    'Unlike NetworkPolicies and quotas, a PodDisruptionBudget belongs to the application and ships with it (same chart, ' +
    'same kustomization), so the check is evaluated even when the input has no PodDisruptionBudget at all — like ' +
    'kube-score; it is off by default. A PodDisruptionBudget without metadata.namespace only covers workloads without ' +
    'one, as both land wherever kubectl, kustomize or Helm puts them.',
  collect(ctx) {
    const pdb = pdbBase(ctx);
    if (pdb) return pdb;
    const pod = podFact(ctx);
    const replicas = replicasOf(ctx.object.spec);
    if (!pod || replicas === undefined || replicas < 2) return undefined;
    return { t: 'w', ns: pod.ns, kind: pod.kind, labels: pod.labels, replicas, path: pod.labelsPath, line: podLine(ctx, pod, 'labels') };
  },
  evaluate(facts) {
    const pdbs = selectorsByNs(facts.map((f) => f.fact).filter((f): f is PdbBase => f.t === 'pdb'), (p, labels) => pdbSelects(p.sel, p.v1, labels));
    const out: InventoryReport[] = [];
    for (const { subject, fact: w } of facts) {
      if (w.t !== 'w') continue;
      if (pdbs.get(w.ns)?.someSelects(w.labels)) continue;
      out.push({
        subject, path: w.path, line: w.line,
        message: `${w.kind} has ${w.replicas} replicas but no PodDisruptionBudget ${inNs(w.ns)} in the input selects its pods (${labelText(w.labels)})`,
      });
    }
    return out;
  },
});

/** Pods a workload runs, when that is known from the manifest (not for DaemonSets and Jobs). */
function podCount(ctx: CollectContext): number | null {
  switch (ctx.kind) {
    case 'Pod':
      return 1;
    case 'Deployment':
    case 'StatefulSet':
    case 'ReplicaSet':
    case 'ReplicationController':
      return replicasOf(ctx.object.spec) ?? null;
    default:
      return null;
  }
}

/** `"25%"` → 25; undefined for anything else. */
function percent(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(value);
  return m ? Number(m[1]) : undefined;
}

type BudgetFact = (PdbBase & {
  minAvailable: number | string | null;
  maxUnavailable: number | string | null;
  minLine: number;
  maxLine: number;
}) | { t: 'w'; ns: string; name: string; labels: Record<string, string>; pods: number | null };

function intOrString(v: unknown): number | string | null {
  return typeof v === 'number' || typeof v === 'string' ? v : null;
}

const pdbBlocksDisruption = defineInventoryCheck<BudgetFact>({
  id: 'availability/pdb-blocks-disruption',
  title: 'PodDisruptionBudget never allows an eviction',
  severity: 'low',
  defaultOn: false,
  stride: ['D'],
  kinds: [...WORKLOAD_KIND_NAMES, 'PodDisruptionBudget'],
  description:
    'A PodDisruptionBudget with `maxUnavailable: 0` (or `"0%"`), `minAvailable: "100%"`, or a `minAvailable` at least ' +
    'the number of pods it selects never allows a voluntary eviction: `kubectl drain` and cluster upgrades hang on ' +
    'those pods until someone deletes the budget. Percentages of minAvailable are rounded up, as the disruption ' +
    'controller does (80% of 2 pods is 2). The pod count is the replicas of the input\'s workloads the budget selects.',
  remediation: 'Use maxUnavailable: 1 (or a minAvailable below the number of replicas) so that one pod at a time can be evicted.',
  example: `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: web
spec:
  maxUnavailable: 1
  selector:
    matchLabels:
      app: web`,
  refs: {
    kubeLinter: ['pdb-max-unavailable', 'pdb-min-available'],
    kubeScore: ['poddisruptionbudget-has-policy'],
    links: ['https://kubernetes.io/docs/tasks/run-application/configure-pdb/#think-about-how-your-application-reacts-to-disruptions'],
  },
  rationale:
    'A minAvailable given as a number or a percentage below 100% is only judged when the budget selects workloads of ' +
    'the input whose pod count is known (not DaemonSets or Jobs), in the same namespace (objects without ' +
    'metadata.namespace only meet each other).',
  collect(ctx) {
    const pdb = pdbBase(ctx);
    if (pdb) {
      const spec = specOf(ctx.object);
      const minAvailable = intOrString(spec.minAvailable);
      const maxUnavailable = intOrString(spec.maxUnavailable);
      return {
        ...pdb,
        minAvailable,
        maxUnavailable,
        minLine: minAvailable === null ? 0 : ctx.lineOf(['spec', 'minAvailable']),
        maxLine: maxUnavailable === null ? 0 : ctx.lineOf(['spec', 'maxUnavailable']),
      };
    }
    if (!ctx.pod || ctx.kind === 'PodTemplate') return undefined;
    const name = ctx.resource.name;
    return { t: 'w', ns: nsBucket(ctx), name: `${ctx.kind}/${name}`, labels: podFact(ctx)?.labels ?? {}, pods: podCount(ctx) };
  },
  evaluate(facts) {
    type Workload = Extract<BudgetFact, { t: 'w' }>;
    const workloads = groupBy(facts.map((f) => f.fact).filter((f): f is Workload => f.t === 'w'), (w) => w.ns);
    // Per namespace, once: the same object written twice (overlays, repeated files) runs its
    // pods once, so the last copy of each name counts; grouped by label (see LabelledItems).
    const uniqueByNs = new Map<string, LabelledItems<Workload>>();
    const uniqueIn = (ns: string) => {
      let unique = uniqueByNs.get(ns);
      if (!unique) uniqueByNs.set(ns, (unique = new LabelledItems([...new Map((workloads.get(ns) ?? []).map((w) => [w.name, w])).values()], (w) => w.labels)));
      return unique;
    };
    const out: InventoryReport[] = [];
    for (const { subject, fact: p } of facts) {
      if (p.t !== 'pdb') continue;
      const max = p.maxUnavailable;
      if (max === 0 || percent(max) === 0) {
        out.push({ subject, path: ['spec', 'maxUnavailable'], line: p.maxLine, message: `maxUnavailable is ${JSON.stringify(max)}: no pod may ever be evicted, so node drains hang` });
        continue;
      }
      const min = p.minAvailable;
      if (min === null) continue;
      const pct = percent(min);
      if (pct !== undefined && pct >= 100) {
        out.push({ subject, path: ['spec', 'minAvailable'], line: p.minLine, message: `minAvailable is ${JSON.stringify(min)}: no pod may ever be evicted, so node drains hang` });
        continue;
      }
      if (typeof min === 'string' && pct === undefined) continue;
      const selected = uniqueIn(p.ns).allSelected(p.sel, (labels) => pdbSelects(p.sel, p.v1, labels));
      if (selected.length === 0 || selected.some((w) => w.pods === null)) continue;
      const total = selected.reduce((n, w) => n + (w.pods ?? 0), 0);
      if (total === 0) continue;
      const required = pct !== undefined ? Math.ceil((pct * total) / 100) : (min as number);
      if (required < total) continue;
      const names = selected.map((w) => w.name).join(', ');
      const shown = pct !== undefined ? `${JSON.stringify(min)} (${required} of ${count(total, 'pod')})` : String(min);
      out.push({
        subject, path: ['spec', 'minAvailable'], line: p.minLine,
        message: `minAvailable ${shown} is not below the ${count(total, 'pod')} of the workloads it selects (${names}): no pod may ever be evicted, so node drains hang`,
      });
    }
    return out;
  },
});

export const CHECKS: CheckDef[] = [probesMissing, singleReplica, noPdb, pdbBlocksDisruption];
