/**
 * Small helpers the cross-resource topics share (NetworkPolicy, quotas, service accounts,
 * runtime classes, availability): built-in kind tests, namespace buckets, pod labels and
 * selectors as plain facts, message wording.
 */
import {
  apiGroupOf, isObj, labelsOf, WORKLOAD_KINDS,
  type JsonPath, type KubeObject, type Labels,
} from '../../model/index.js';
import type { CollectContext } from './types.js';

/** Every kind with a pod template, for `kinds` lists that add other kinds to the workloads. */
export const WORKLOAD_KIND_NAMES: readonly string[] = Object.keys(WORKLOAD_KINDS);

/** API groups of the built-in kinds the cross-resource checks pair with workloads. */
const GROUPS: Readonly<Record<string, readonly string[]>> = {
  Namespace: [''],
  ServiceAccount: [''],
  ResourceQuota: [''],
  LimitRange: [''],
  NetworkPolicy: ['networking.k8s.io', 'extensions'],
  RuntimeClass: ['node.k8s.io'],
  PodDisruptionBudget: ['policy'],
};

/**
 * Whether `obj` is the built-in `kind` (a CRD may reuse a built-in kind name in its own
 * group, e.g. Calico's NetworkPolicy, with different semantics). A missing apiVersion passes.
 */
export function isBuiltin(obj: KubeObject, kind: string): boolean {
  if (obj.kind !== kind) return false;
  const groups = GROUPS[kind];
  return groups === undefined || obj.apiVersion === undefined || groups.includes(apiGroupOf(obj.apiVersion));
}

/**
 * The namespace bucket of a namespaced object: metadata.namespace, or '' when it is unset.
 * An object without a namespace lands wherever kubectl/kustomize/Helm put it, so it is only
 * compared with other objects without one ('' is never a valid namespace name).
 */
export function nsBucket(ctx: CollectContext): string {
  return ctx.resource.namespace ?? '';
}

/** The name of a Namespace object, or undefined when it has none. */
export function namespaceName(ctx: CollectContext): string | undefined {
  const name = ctx.resource.metadata.name;
  return typeof name === 'string' && name !== '' ? name : undefined;
}

/** "in namespace "x"" or, for the unspecified bucket, "among objects without metadata.namespace". */
export function inNs(ns: string): string {
  return ns === '' ? 'among objects without metadata.namespace' : `in namespace "${ns}"`;
}

/** Labels of the pods a workload runs, and where they are written. */
export function podLabels(ctx: CollectContext): { labels: Record<string, string>; path: JsonPath } | undefined {
  if (!ctx.pod) return undefined;
  // Several checks ask for the labels of the same workload one after the other: keep the last answer.
  if (lastPod !== ctx.pod) {
    lastPod = ctx.pod;
    lastLabels = { labels: labelsOf(ctx.pod.meta.labels), path: [...ctx.pod.metaPath, 'labels'] };
  }
  return lastLabels;
}

let lastPod: object | undefined;
let lastLabels: { labels: Record<string, string>; path: JsonPath } | undefined;

/**
 * A label selector reduced to the two fields that matter, as plain data for a fact. Values
 * that are not objects are kept as they are (they select nothing; null/undefined are the
 * caller's decision).
 */
export function selectorFact(value: unknown): unknown {
  if (!isObj(value)) return value === undefined ? null : value;
  const out: Record<string, unknown> = {};
  if (value.matchLabels !== undefined) out.matchLabels = value.matchLabels;
  if (value.matchExpressions !== undefined) out.matchExpressions = value.matchExpressions;
  return out;
}

/** `{app=web, tier=db}` for messages. */
export function labelText(labels: Labels): string {
  const entries = Object.entries(labels);
  return entries.length === 0 ? 'no labels' : `{${entries.map(([k, v]) => `${k}=${v}`).join(', ')}}`;
}

/** `1 pod`, `2 pods` (`plural` for irregular words). */
export function count(n: number, word: string, plural = `${word}s`): string {
  return `${n} ${n === 1 ? word : plural}`;
}

/** Groups items by a key, keeping input order inside each group. */
export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}
