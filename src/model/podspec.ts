/**
 * Where the pod spec lives in each workload kind, and walking its containers. Every check
 * that looks at pods goes through here; none re-implements the walk.
 */
import type { JsonPath, KubeObject, ObjectMeta } from './types.js';

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The secretKeyRef an env var (`env[i]`) takes its value from, when it takes it from a Secret. */
export function envSecretKeyRef(envVar: unknown): Obj | undefined {
  if (!isObj(envVar) || !isObj(envVar.valueFrom)) return undefined;
  const ref = envVar.valueFrom.secretKeyRef;
  return isObj(ref) ? ref : undefined;
}

/** The secretRef of an `envFrom[i]` entry, when it imports a Secret. */
export function envFromSecretRef(entry: unknown): Obj | undefined {
  return isObj(entry) && isObj(entry.secretRef) ? entry.secretRef : undefined;
}

export function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** Groups items by a key, keeping input order inside each group; an item whose key is undefined is left out. */
export function groupBy<T>(items: readonly T[], key: (item: T) => string | undefined): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k === undefined) continue;
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

/** A pod spec found inside a resource, with the paths needed to report on it. */
export interface PodSpecRef {
  spec: Obj;
  specPath: JsonPath;
  /** Metadata of the pod (Pod) or of its template; annotations live here. */
  meta: ObjectMeta;
  metaPath: JsonPath;
}

interface WorkloadShape {
  groups: readonly string[];
  /** Path from the object to the pod template (or [] for Pod itself). */
  template: JsonPath;
}

const CORE = [''];
const APPS = ['apps', 'extensions'];
const BATCH = ['batch'];

/** The kinds pod-security-admission evaluates, and where their pod template is. */
export const WORKLOAD_KINDS: Readonly<Record<string, WorkloadShape>> = {
  Pod: { groups: CORE, template: [] },
  PodTemplate: { groups: CORE, template: ['template'] },
  ReplicationController: { groups: CORE, template: ['spec', 'template'] },
  ReplicaSet: { groups: APPS, template: ['spec', 'template'] },
  Deployment: { groups: APPS, template: ['spec', 'template'] },
  StatefulSet: { groups: APPS, template: ['spec', 'template'] },
  DaemonSet: { groups: APPS, template: ['spec', 'template'] },
  Job: { groups: BATCH, template: ['spec', 'template'] },
  CronJob: { groups: BATCH, template: ['spec', 'jobTemplate', 'spec', 'template'] },
};

/**
 * Per workload kind, its shape and the pod spec's and pod metadata's paths, built once: every
 * workload of a kind shares them (findings and facts keep paths to the end of a scan). Frozen:
 * callers extend copies. A Map, read once per resource: a kind is a fresh string from each
 * document, and an object indexed by it (then checked with hasOwnProperty) looked it up twice.
 */
const WORKLOADS: ReadonlyMap<string, { shape: WorkloadShape; specPath: JsonPath; metaPath: JsonPath }> = new Map(
  Object.entries(WORKLOAD_KINDS).map(([kind, shape]) => [kind, {
    shape,
    specPath: Object.freeze([...shape.template, 'spec']) as JsonPath,
    metaPath: Object.freeze([...shape.template, 'metadata']) as JsonPath,
  }]),
);

/** The workload entry of `obj`'s kind, when it is a workload (same group rules as Kubernetes). */
function workloadOf(obj: KubeObject) {
  const entry = typeof obj.kind === 'string' ? WORKLOADS.get(obj.kind) : undefined;
  // A CRD may reuse a built-in kind name in its own group; only the built-in groups match.
  return entry && (obj.apiVersion === undefined || inApiGroups(obj.apiVersion, entry.shape.groups)) ? entry : undefined;
}

export function apiGroupOf(apiVersion: unknown): string {
  if (typeof apiVersion !== 'string') return '';
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
}

/** Whether `apiVersion` is in API group `group` ('' for the core group), without slicing it. */
export function inApiGroup(apiVersion: unknown, group: string): boolean {
  if (typeof apiVersion !== 'string') return group === '';
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? group === '' : slash === group.length && apiVersion.startsWith(group);
}

/** Whether `apiVersion` is in one of `groups` (see inApiGroup). */
export function inApiGroups(apiVersion: unknown, groups: readonly string[]): boolean {
  for (const g of groups) if (inApiGroup(apiVersion, g)) return true;
  return false;
}

export function getPath(obj: unknown, path: JsonPath): unknown {
  let cur: unknown = obj;
  for (const seg of path) {
    if (typeof seg === 'number') {
      if (!Array.isArray(cur)) return undefined;
      cur = cur[seg];
    } else {
      if (!isObj(cur)) return undefined;
      cur = cur[seg];
    }
  }
  return cur;
}

/** True for the kinds whose pods Palisade evaluates (same group rules as Kubernetes). */
export function isWorkload(obj: KubeObject): boolean {
  return workloadOf(obj) !== undefined;
}

/** The pod spec of a workload, or undefined for other kinds (and for workloads without one). */
export function podSpecOf(obj: KubeObject): PodSpecRef | undefined {
  const workload = workloadOf(obj);
  if (!workload) return undefined;
  const path = workload.shape.template;
  const template = path.length === 0 ? obj : getPath(obj, path);
  if (!isObj(template)) return undefined;
  const spec = template.spec;
  if (!isObj(spec)) return undefined;
  const meta = isObj(template.metadata) ? (template.metadata as ObjectMeta) : {};
  return { spec, specPath: workload.specPath, meta, metaPath: workload.metaPath };
}

export type ContainerListName = 'initContainers' | 'containers' | 'ephemeralContainers';

/** The order pod-security-admission visits containers in (policy/visitor.go). */
export const CONTAINER_LISTS: readonly ContainerListName[] = ['initContainers', 'containers', 'ephemeralContainers'];

export interface ContainerRef {
  container: Obj;
  name: string;
  list: ContainerListName;
  index: number;
  /** Path from the resource root to this container. */
  path: JsonPath;
  /** The container's securityContext once looked up (null: not an object); see securityContextOf. */
  sc?: Obj | null;
}

/**
 * The container's securityContext when it is an object. Remembered on the ref: nearly every
 * check reads it, and a read from a parsed container (whose shape varies from document to
 * document) is several times slower than from the ref.
 */
export function securityContextOf(c: ContainerRef): Obj | undefined {
  let sc = c.sc;
  if (sc === undefined) {
    const v = c.container.securityContext;
    c.sc = sc = isObj(v) ? v : null;
  }
  return sc ?? undefined;
}

/** The pod's containers in visiting order (a plain array: checks walk it many times per resource). */
export function containersOf(pod: PodSpecRef): ContainerRef[] {
  const out: ContainerRef[] = [];
  // In CONTAINER_LISTS order, each list read by its own name: a property read whose name changes from call to call (a
  // loop over CONTAINER_LISTS) is a slower, generic lookup, and this runs for every workload.
  const spec = pod.spec;
  addContainers(out, pod.specPath, 'initContainers', spec.initContainers);
  addContainers(out, pod.specPath, 'containers', spec.containers);
  addContainers(out, pod.specPath, 'ephemeralContainers', spec.ephemeralContainers);
  return out;
}

function addContainers(out: ContainerRef[], specPath: JsonPath, list: ContainerListName, items: unknown): void {
  if (!Array.isArray(items)) return;
  for (let index = 0; index < items.length; index++) {
    const c: unknown = items[index];
    if (!isObj(c)) continue;
    out.push({ container: c, name: typeof c.name === 'string' ? c.name : '', list, index, path: containerPath(specPath, list, index), sc: undefined });
  }
}

/**
 * `[...specPath, list, index]`, shared by every container at that place in pods of one kind
 * (the pod spec paths are shared per kind): findings keep these paths to the end of a scan.
 */
function containerPath(specPath: JsonPath, list: ContainerListName, index: number): JsonPath {
  let byList = CONTAINER_PATHS.get(specPath);
  if (!byList) CONTAINER_PATHS.set(specPath, (byList = { initContainers: [], containers: [], ephemeralContainers: [] }));
  const paths = byList[list];
  // Only the first positions are kept; a pod with more containers builds the rest each time.
  if (index >= MAX_SHARED_CONTAINER_PATHS) return [...specPath, list, index];
  for (let i = paths.length; i <= index; i++) paths.push(Object.freeze([...specPath, list, i]));
  return paths[index];
}

const MAX_SHARED_CONTAINER_PATHS = 64;
// Weak: a PodSpecRef built elsewhere with its own specPath must not stay here forever.
const CONTAINER_PATHS = new WeakMap<JsonPath, Record<ContainerListName, JsonPath[]>>();

/**
 * A container as messages name it: `container "app"`, `init container "setup"`,
 * `ephemeral container "debug"`, or its list position when it has no name
 * (`unnamed container containers[2]`).
 */
export function containerLabel(c: ContainerRef): string {
  const kind = c.list === 'initContainers' ? 'init container' : c.list === 'ephemeralContainers' ? 'ephemeral container' : 'container';
  return c.name !== '' ? `${kind} ${JSON.stringify(c.name)}` : `unnamed ${kind} ${c.list}[${c.index}]`;
}

/** A Windows pod (spec.os.name: windows): Linux-only settings such as capabilities do not apply to it. */
export function isWindowsPod(pod: PodSpecRef | undefined): boolean {
  return pod !== undefined && isObj(pod.spec.os) && pod.spec.os.name === 'windows';
}

/** Whether some own key of `obj` passes `test` (looked at without building the key list). */
export function someKey(obj: Obj, test: (key: string) => boolean): boolean {
  for (const key in obj) if (Object.prototype.hasOwnProperty.call(obj, key) && test(key)) return true;
  return false;
}

/** The annotations of a metadata object, or {} when either is not an object. */
export function annotationsOf(meta: unknown): Obj {
  return isObj(meta) && isObj(meta.annotations) ? meta.annotations : {};
}

/** Pod-level securityContext fields that Kubernetes applies to containers that leave them unset. */
export const INHERITED_SECURITY_FIELDS = [
  'runAsUser',
  'runAsGroup',
  'runAsNonRoot',
  'seLinuxOptions',
  'seccompProfile',
  'appArmorProfile',
  'windowsOptions',
] as const;

export interface EffectiveField {
  value: unknown;
  /** Path of the field that supplied the value, or of the container's securityContext when unset. */
  path: JsonPath;
  from: 'container' | 'pod' | 'unset';
}

/**
 * The value a container runs with for one securityContext field: the container's own, else
 * the pod's for the fields Kubernetes inherits, else unset.
 */
export function effectiveSecurityField(pod: PodSpecRef, c: ContainerRef, field: string): EffectiveField {
  const sc = securityContextOf(c);
  if (sc && sc[field] !== undefined && sc[field] !== null) {
    return { value: sc[field], path: [...c.path, 'securityContext', field], from: 'container' };
  }
  if ((INHERITED_SECURITY_FIELDS as readonly string[]).includes(field)) {
    const psc = pod.spec.securityContext;
    if (isObj(psc) && psc[field] !== undefined && psc[field] !== null) {
      return { value: psc[field], path: [...pod.specPath, 'securityContext', field], from: 'pod' };
    }
  }
  return { value: undefined, path: sc ? [...c.path, 'securityContext'] : c.path, from: 'unset' };
}
