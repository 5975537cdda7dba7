/**
 * Checks: ResourceQuota and LimitRange — whether the Namespaces of the input have them
 * (cross-resource) and whether they bound CPU and memory (per resource).
 */
import { groupBy, isObj, type JsonPath, type Stride } from '../../model/index.js';
import { defineCheck, defineInventoryCheck } from './define.js';
import { specOf } from './util.js';
import { count, isBuiltin, namespaceName, nsBucket } from './inventory.js';
import type { CheckDef, CheckRefs, InventoryCheck, InventoryReport } from './types.js';

type NsFact = { t: 'ns'; name: string; line: number } | { t: 'c'; ns: string };

interface NamespaceNeedsSpec {
  id: string;
  title: string;
  counterpart: 'ResourceQuota' | 'LimitRange';
  stride: Stride[];
  description: string;
  remediation: string;
  example: string;
  refs: CheckRefs;
}

const ABSENT_RATIONALE = (kind: string) =>
  `When the input contains no ${kind} at all (a Helm chart or an application repository, where quotas are the ` +
  `cluster operator's business), each Namespace gets one info finding "not evaluated" instead of a failure. Once ` +
  `the input has a ${kind}, the input is taken to be where they are managed and Namespaces without one are reported. ` +
  `A ${kind} without metadata.namespace is applied to whatever namespace kubectl or kustomize chooses: when only such ` +
  'objects could cover a Namespace, the finding is info.';

/** RES-004/RES-005: a Namespace in the input without a `counterpart` object in that namespace. */
function namespaceNeeds(spec: NamespaceNeedsSpec): InventoryCheck<NsFact> {
  const { counterpart } = spec;
  return defineInventoryCheck<NsFact>({
    id: spec.id,
    title: spec.title,
    severity: 'low',
    defaultOn: true,
    stride: spec.stride,
    kinds: ['Namespace', counterpart],
    description: spec.description,
    remediation: spec.remediation,
    example: spec.example,
    refs: spec.refs,
    rationale: ABSENT_RATIONALE(counterpart),
    collect(ctx) {
      if (isBuiltin(ctx.object, 'Namespace')) {
        const name = namespaceName(ctx);
        return name === undefined ? undefined : { t: 'ns', name, line: ctx.lineOf(['metadata', 'name']) };
      }
      return isBuiltin(ctx.object, counterpart) ? { t: 'c', ns: nsBucket(ctx) } : undefined;
    },
    evaluate(facts) {
      const present = groupBy(facts.map((f) => f.fact).filter((f): f is Extract<NsFact, { t: 'c' }> => f.t === 'c'), (c) => c.ns);
      const out: InventoryReport[] = [];
      for (const { subject, fact } of facts) {
        if (fact.t !== 'ns' || present.has(fact.name)) continue;
        const path: JsonPath = ['metadata', 'name'];
        if (present.size === 0) {
          out.push({ subject, path, line: fact.line, severity: 'info', message: `not evaluated: no ${counterpart} in input (namespace "${fact.name}")` });
        } else if (present.has('')) {
          const n = present.get('')!.length;
          out.push({
            subject, path, line: fact.line, severity: 'info',
            message: `namespace "${fact.name}" has no ${counterpart} in the input; ${count(n, counterpart)} without metadata.namespace may be applied to it`,
          });
        } else {
          out.push({ subject, path, line: fact.line, message: `namespace "${fact.name}" has no ${counterpart} in the input` });
        }
      }
      return out;
    },
  });
}

const noResourceQuota = namespaceNeeds({
  id: 'namespace/no-resource-quota',
  title: 'Namespace without a ResourceQuota',
  counterpart: 'ResourceQuota',
  stride: ['D'],
  description:
    'A ResourceQuota caps what all the pods of a namespace may request and use together. Without one, a single tenant ' +
    '(or one compromised or runaway workload) can take the whole cluster\'s CPU, memory or object counts and starve ' +
    'everyone else. Namespace objects of the input are paired with the ResourceQuotas of the input.',
  remediation: 'Add a ResourceQuota to the namespace that bounds requests and limits for CPU and memory.',
  example: `apiVersion: v1
kind: ResourceQuota
metadata:
  name: compute
  namespace: shop
spec:
  hard:
    requests.cpu: "4"
    requests.memory: 8Gi
    limits.cpu: "8"
    limits.memory: 16Gi`,
  refs: {
    links: ['https://kubernetes.io/docs/concepts/policy/resource-quotas/'],
  },
});

const noLimitRange = namespaceNeeds({
  id: 'namespace/no-limit-range',
  title: 'Namespace without a LimitRange',
  counterpart: 'LimitRange',
  stride: ['D'],
  description:
    'A LimitRange gives containers that set no requests or limits a default, and bounds what one container may ask ' +
    'for. Without one, a container without limits can use all of a node\'s memory, and a namespace with a compute ' +
    'ResourceQuota rejects every pod that leaves requests or limits unset. Namespace objects of the input are paired ' +
    'with the LimitRanges of the input.',
  remediation: 'Add a LimitRange with a Container item that sets default, defaultRequest and max for cpu and memory.',
  example: `apiVersion: v1
kind: LimitRange
metadata:
  name: containers
  namespace: shop
spec:
  limits:
  - type: Container
    defaultRequest: {cpu: 100m, memory: 128Mi}
    default: {cpu: 500m, memory: 512Mi}
    max: {cpu: "2", memory: 2Gi}`,
  refs: {
    links: ['https://kubernetes.io/docs/concepts/policy/limit-range/'],
  },
});

/** The compute keys a quota should bound, each with the shorthand Kubernetes accepts for it. */
const QUOTA_KEYS: ReadonlyArray<[string, string | undefined]> = [
  ['requests.cpu', 'cpu'],
  ['requests.memory', 'memory'],
  ['limits.cpu', undefined],
  ['limits.memory', undefined],
];

const LIMIT_FIELDS = ['default', 'defaultRequest', 'max'] as const;
const COMPUTE = ['cpu', 'memory'] as const;

function isSet(obj: Record<string, unknown>, key: string): boolean {
  return obj[key] !== undefined && obj[key] !== null;
}

/** BestEffort quotas may only count pods: compute keys are rejected there. */
function bestEffortScoped(spec: Record<string, unknown>): boolean {
  if (Array.isArray(spec.scopes) && spec.scopes.includes('BestEffort')) return true;
  const sel = spec.scopeSelector;
  if (!isObj(sel) || !Array.isArray(sel.matchExpressions)) return false;
  return sel.matchExpressions.some((e) => isObj(e) && e.scopeName === 'BestEffort' && e.operator !== 'DoesNotExist');
}

const missingComputeKeys = defineCheck({
  id: 'resourcequota/missing-compute-keys',
  title: 'ResourceQuota or LimitRange does not bound CPU and memory',
  severity: 'low',
  defaultOn: true,
  stride: ['D'],
  kinds: ['ResourceQuota', 'LimitRange'],
  description:
    'A ResourceQuota only limits the resources listed in `spec.hard`: one without `requests.cpu`, `requests.memory`, ' +
    '`limits.cpu` and `limits.memory` leaves those unbounded for the namespace (`cpu` and `memory` are accepted as ' +
    'shorthands for the requests). A LimitRange `Container` item without `default`, `defaultRequest` and `max` ' +
    '(each for cpu and memory) leaves containers that set nothing without limits, or lets one container ask for a node.',
  remediation: 'Set requests.cpu, requests.memory, limits.cpu and limits.memory in the quota\'s spec.hard, and default, defaultRequest and max for cpu and memory in the LimitRange\'s Container item.',
  example: `apiVersion: v1
kind: ResourceQuota
metadata:
  name: compute
spec:
  hard:
    requests.cpu: "4"
    requests.memory: 8Gi
    limits.cpu: "8"
    limits.memory: 16Gi
---
apiVersion: v1
kind: LimitRange
metadata:
  name: containers
spec:
  limits:
  - type: Container
    defaultRequest: {cpu: 100m, memory: 128Mi}
    default: {cpu: 500m, memory: 512Mi}
    max: {cpu: "2", memory: 2Gi}`,
  refs: {
    trivy: ['KSV-0039', 'KSV-0040'],
    links: ['https://kubernetes.io/docs/concepts/policy/resource-quotas/#compute-resource-quota'],
  },
  rationale:
    'Quotas scoped to BestEffort pods are skipped: Kubernetes only lets them count pods. A quota that only counts ' +
    'objects is reported; if the namespace has a separate compute quota, suppress the finding on the count quota. ' +
    'LimitRange items other than `type: Container` (Pod, PersistentVolumeClaim) are not judged.',
  run(ctx) {
    if (isBuiltin(ctx.object, 'ResourceQuota')) {
      const spec = specOf(ctx.object);
      if (bestEffortScoped(spec)) return;
      const hard = isObj(spec.hard) ? spec.hard : {};
      const missing = QUOTA_KEYS.filter(([key, alias]) => !isSet(hard, key) && !(alias !== undefined && isSet(hard, alias))).map(([key]) => key);
      if (missing.length === 0) return;
      ctx.report(['spec', 'hard'], `ResourceQuota spec.hard does not bound ${missing.join(', ')}`);
      return;
    }
    if (!isBuiltin(ctx.object, 'LimitRange')) return;
    const spec = specOf(ctx.object);
    const items = Array.isArray(spec.limits) ? spec.limits : [];
    items.forEach((item, i) => {
      if (!isObj(item) || item.type !== 'Container') return;
      const missing: string[] = [];
      for (const field of LIMIT_FIELDS) {
        const value = item[field];
        if (!isObj(value)) {
          missing.push(field);
          continue;
        }
        for (const r of COMPUTE) if (!isSet(value, r)) missing.push(`${field}.${r}`);
      }
      if (missing.length > 0) ctx.report(['spec', 'limits', i], `LimitRange Container item does not set ${missing.join(', ')}`);
    });
  },
});

export const CHECKS: CheckDef[] = [noResourceQuota, noLimitRange, missingComputeKeys];
