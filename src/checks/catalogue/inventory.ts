/**
 * Small helpers the cross-resource topics share (NetworkPolicy, quotas, service accounts,
 * runtime classes, availability): built-in kind tests, namespace buckets, pod labels and
 * selectors as plain facts, message wording.
 */
import {
  groupBy, inApiGroups, internString, isObj, labelsOf, LabelSelectors, memoizeLast, WORKLOAD_KINDS,
  type JsonPath, type KubeObject, type Labels, type Locator, type Resource,
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
  return groups === undefined || obj.apiVersion === undefined || inApiGroups(obj.apiVersion, groups);
}

/**
 * The namespace bucket of a namespaced object: metadata.namespace, or '' when it is unset.
 * An object without a namespace lands wherever kubectl/kustomize/Helm put it, so it is only
 * compared with other objects without one ('' is never a valid namespace name).
 */
export function nsBucket(ctx: CollectContext): string {
  return bucketOf(ctx.resource);
}

function bucketOf(resource: Resource): string {
  // From the ref, which every fact's subject holds anyway: its namespace is one shared copy.
  return resource.ref().namespace ?? '';
}

/**
 * Facts that hold a label selector (NetworkPolicies, PodDisruptionBudgets) by namespace bucket,
 * each namespace's indexed by the label its selectors require (LabelSelectors): a workload is
 * then tested only against the selectors of its namespace that could select it. `selects` says
 * whether a fact selects labels, with the kind's own meaning of an empty or missing selector.
 */
export function selectorsByNs<T extends { ns: string; sel: unknown }>(facts: readonly T[], selects: (fact: T, labels: Labels) => boolean): Map<string, LabelSelectors<T>> {
  const out = new Map<string, LabelSelectors<T>>();
  for (const [ns, mine] of groupBy(facts, (f) => f.ns)) out.set(ns, new LabelSelectors(mine, (f) => f.sel, selects));
  return out;
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

/**
 * What the cross-resource checks keep about one workload. One object per workload is shared by
 * all of them (NetworkPolicy coverage, ServiceAccounts, runtime classes): these facts live until
 * the whole input is read, so a workload costs one small object, not one per check. Its strings
 * are own or shared copies (they share no memory with the document); the runner keeps it as it
 * is instead of copying (isPodFact). `lines` holds the lines of the places the active checks
 * report at (by LINE_INDEX), once looked up (cachedLine).
 *
 * Plain data built by podFactOf, recognised by its shape (isPodFact): a fact from a worker
 * thread arrives as a structured clone, which keeps fields but not classes.
 */
export interface PodFact {
  readonly t: 'w';
  /** The namespace bucket (see nsBucket). */
  readonly ns: string;
  readonly kind: string;
  /** Labels of the pod template (of the pod, for a Pod). */
  readonly labels: Record<string, string>;
  /** Where the labels are written, and the pod spec (shared per kind). */
  readonly labelsPath: JsonPath;
  readonly specPath: JsonPath;
  /** The ServiceAccount the pods run as, and the field that names it (null: none, `default`). */
  readonly sa: string;
  readonly saField: 'serviceAccountName' | 'serviceAccount' | null;
  /** The pod's automountServiceAccountToken when it is a boolean. */
  readonly automount: boolean | null;
  /** runtimeClassName when set. */
  readonly rc: string | null;
  /**
   * Lines of the places checks report at (by LINE_INDEX), once looked up (-1 before); null until
   * the first is. Most workloads never get a cross-resource finding, and where the scan keeps the
   * document's lines (later) nothing is looked up for them: no list is made for those.
   */
  lines: number[] | null;
  /**
   * Where the lines not looked up yet are found once a check reports (see wantPodLine): the
   * document's lines kept by the main thread (Resource.linesForLater); null when lines are
   * looked up at collect time; undefined until a check asks for a line.
   */
  later: Locator | null | undefined;
}

/** Whether a fact is a workload's shared PodFact (also after a structured clone, which keeps its fields). */
export function isPodFact(fact: unknown): fact is PodFact {
  return isObj(fact) && fact.t === 'w' && (fact.lines === null || Array.isArray(fact.lines));
}

/** The ServiceAccount a pod runs as, and the field that names it (null: `default`, by omission). */
function serviceAccountOf(spec: Record<string, unknown>): { name: string; field: PodFact['saField'] } {
  if (typeof spec.serviceAccountName === 'string' && spec.serviceAccountName !== '') return { name: spec.serviceAccountName, field: 'serviceAccountName' };
  // The deprecated alias, still honoured by the API server when serviceAccountName is empty.
  if (typeof spec.serviceAccount === 'string' && spec.serviceAccount !== '') return { name: spec.serviceAccount, field: 'serviceAccount' };
  return { name: 'default', field: null };
}

const LABELS_PATHS = new Map<JsonPath, JsonPath>();

/** The fact of the workload in `ctx` (the same object for every check of one resource), or undefined for other kinds. */
export function podFact(ctx: CollectContext): PodFact | undefined {
  return podFactOf(ctx.resource);
}

// Remembered for the last resource: its checks run one after the other and share its fact.
const podFactOf = memoizeLast((resource: Resource): PodFact | undefined => {
  const pod = resource.pod;
  if (!pod) return undefined;
  let labelsPath = LABELS_PATHS.get(pod.metaPath);
  if (!labelsPath) LABELS_PATHS.set(pod.metaPath, (labelsPath = Object.freeze([...pod.metaPath, 'labels'])));
  const spec = pod.spec;
  const who = serviceAccountOf(spec);
  const automount = spec.automountServiceAccountToken;
  const rc = spec.runtimeClassName;
  return {
    t: 'w',
    ns: bucketOf(resource),
    // The ref's kind: one shared copy.
    kind: resource.ref().kind,
    labels: labelsOf(pod.meta.labels, true),
    labelsPath,
    specPath: pod.specPath,
    // Many workloads run as the same account or runtime class: one shared copy of each name.
    sa: internString(who.name),
    saField: who.field,
    automount: typeof automount === 'boolean' ? automount : null,
    rc: typeof rc === 'string' && rc !== '' ? internString(rc) : null,
    lines: null,
    later: undefined,
  };
});

/** Places of a workload a check reports at. */
export type PodFactPath = 'labels' | 'spec' | 'sa' | 'automount' | 'rc';

/** Where a check reports about `which`: at the field when it is written, else at the pod spec. */
function placeOf(fact: PodFact, which: PodFactPath): PodFactPath {
  switch (which) {
    case 'sa': return fact.saField ? 'sa' : 'spec';
    case 'automount': return fact.automount === true ? 'automount' : 'spec';
    case 'rc': return fact.rc !== null ? 'rc' : 'spec';
    default: return which;
  }
}

/** The path of `which` (see placeOf). */
export function podPath(fact: PodFact, which: PodFactPath): JsonPath {
  switch (placeOf(fact, which)) {
    case 'labels': return fact.labelsPath;
    case 'spec': return fact.specPath;
    case 'sa': return [...fact.specPath, fact.saField!];
    case 'automount': return [...fact.specPath, 'automountServiceAccountToken'];
    case 'rc': return [...fact.specPath, 'runtimeClassName'];
  }
}

/** Where PodFact.lines holds the line of each place. */
const LINE_INDEX = { labels: 0, spec: 1, sa: 2, automount: 3, rc: 4 } as const satisfies Record<PodFactPath, number>;

/** The line of `which`, from fact.lines, or looked up in `locator` and remembered there (none: -1 stays). */
function cachedLine(fact: PodFact, which: PodFactPath, locator: Pick<Locator, 'lineOf'> | null | undefined): number {
  const place = placeOf(fact, which);
  const k = LINE_INDEX[place];
  if (!locator) return fact.lines?.[k] ?? -1;
  const lines = (fact.lines ??= [-1, -1, -1, -1, -1]);
  if (lines[k] === -1) lines[k] = locator.lineOf(podPath(fact, place));
  return lines[k];
}

/** The line of `which`, looked up now, while its document is at hand (collect time). */
export function podLine(ctx: CollectContext, fact: PodFact, which: PodFactPath): number {
  return cachedLine(fact, which, ctx);
}

/**
 * Makes the line of `which` available to evaluate() (podFactLine). Most workloads never get a
 * cross-resource finding, so when the scan keeps the document's locator the line is only
 * looked up if one is reported; otherwise it is looked up now.
 */
export function wantPodLine(ctx: CollectContext, fact: PodFact, which: PodFactPath): void {
  if (fact.later === undefined) fact.later = ctx.linesForLater() ?? null;
  if (fact.later === null) podLine(ctx, fact, which);
}

/** The line of `which` (-1: no check asked for it at collect time, and the document was not kept). */
export function podFactLine(fact: PodFact, which: PodFactPath): number {
  return cachedLine(fact, which, fact.later);
}

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
