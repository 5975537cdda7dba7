/**
 * The opt-in hardening mutation: the securityContext defaults Pod Security Standards
 * "restricted" asks for, as a JSON Patch against the object as sent, never overwriting a
 * value the user set. docs/mutation.md says what each default does and when it is skipped.
 */
import {
  asArray, annotationsOf, containerLabel, containersOf, formatPath, isObj, isWindowsPod, podSpecOf, securityContextOf,
  type ContainerRef, type JsonPath, type KubeObject, type Obj, type PodSpecRef,
} from '../../model/index.js';
import { cloneJson, toPointer, type JsonPatchOp } from './jsonpatch.js';

/** Which defaults to apply; each is on unless set to false. */
export interface HardeningOptions {
  /** Pod `securityContext.seccompProfile: {type: RuntimeDefault}`. */
  seccomp?: boolean;
  /** Container `securityContext.allowPrivilegeEscalation: false`. */
  allowPrivilegeEscalation?: boolean;
  /** Container `securityContext.capabilities.drop` gains `ALL` (an `add` list is kept). */
  dropAll?: boolean;
  /** Pod `securityContext.runAsNonRoot: true`. */
  runAsNonRoot?: boolean;
  /** Pod `automountServiceAccountToken: false` when the pod shows no use of its token. */
  automountToken?: boolean;
}

export interface Hardening {
  /** JSON Patch (RFC 6902) against the object as sent; empty when there is nothing to do. */
  patch: JsonPatchOp[];
  /** One sentence per change, for the admission response's warnings. */
  changes: string[];
  /** Defaults that were not applied although the field was unset, and why. */
  skipped: string[];
}

const SECCOMP_POD_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';
const SECCOMP_CONTAINER_ANNOTATION = 'container.seccomp.security.alpha.kubernetes.io/';
const TOKEN_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';

/** Kubernetes treats null like an absent field. */
function isSet(v: unknown): boolean {
  return v !== undefined && v !== null;
}

function has(obj: Obj, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

function childOf(v: unknown, seg: string | number): unknown {
  if (typeof seg === 'number') return Array.isArray(v) ? v[seg] : undefined;
  return isObj(v) && has(v, seg) ? v[seg] : undefined;
}

/**
 * Collects `add` operations against a private copy of the object, so each operation is made
 * against the document as the operations before it left it. A field inside a value this patch
 * already adds is written into that value instead of getting an operation of its own, so no
 * operation ever addresses the inside of another's value.
 */
class PatchBuilder {
  private readonly ops: { path: JsonPath; value: unknown }[] = [];
  /** Objects and arrays that are (inside) a value of one of `ops`. */
  private readonly added = new WeakSet<object>();

  constructor(private readonly doc: unknown) {}

  /**
   * Sets the absent (or null) field at `path`, creating missing parent objects. Returns
   * undefined when done, else the path of the value that is in the way.
   */
  set(path: JsonPath, value: unknown): JsonPath | undefined {
    let cur: unknown = this.doc;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i];
      const next = childOf(cur, seg);
      const leaf = i === path.length - 1;
      if (leaf && isSet(next)) return path.slice(0, i + 1);
      if (leaf || !isSet(next)) {
        if (!isObj(cur) || typeof seg !== 'string') return path.slice(0, i);
        this.put(cur, path.slice(0, i + 1), nest(path.slice(i + 1), value));
        return undefined;
      }
      if (next === null || typeof next !== 'object') return path.slice(0, i + 1);
      cur = next;
    }
    return path;
  }

  /** Appends to the existing array at `path` (`/…/-`). */
  append(path: JsonPath, value: unknown): JsonPath | undefined {
    let arr: unknown = this.doc;
    for (const seg of path) arr = childOf(arr, seg);
    if (!Array.isArray(arr)) return path;
    arr.push(value);
    this.mark(value);
    if (!this.added.has(arr)) this.ops.push({ path: [...path, '-'], value });
    return undefined;
  }

  patch(): JsonPatchOp[] {
    return this.ops.map((o) => ({ op: 'add', path: toPointer(o.path), value: cloneJson(o.value) }));
  }

  private put(parent: Obj, path: JsonPath, value: unknown): void {
    Object.defineProperty(parent, path[path.length - 1] as string, { value, writable: true, enumerable: true, configurable: true });
    this.mark(value);
    if (!this.added.has(parent)) this.ops.push({ path, value });
  }

  private mark(value: unknown): void {
    if (value === null || typeof value !== 'object') return;
    this.added.add(value);
    for (const v of Array.isArray(value) ? value : Object.values(value)) this.mark(v);
  }
}

/** `['a', 'b'], v` → `{a: {b: v}}`. */
function nest(path: JsonPath, value: unknown): unknown {
  let out = value;
  for (let i = path.length - 1; i >= 0; i--) out = { [path[i]]: out };
  return out;
}

/** The capabilities a container adds, as written. */
function addedCapabilities(c: ContainerRef): string[] {
  const caps = securityContextOf(c)?.capabilities;
  return isObj(caps) ? asArray(caps.add).filter((x): x is string => typeof x === 'string') : [];
}

/**
 * Why the kubelet would refuse this container under runAsNonRoot=true because its user is known
 * to be root (`runAsUser=0`, or `runAsUserName=ContainerAdministrator` on Windows, from the
 * container or inherited from the pod), or undefined.
 */
function rootUser(pod: PodSpecRef, c: ContainerRef): string | undefined {
  const csc = securityContextOf(c);
  const psc = isObj(pod.spec.securityContext) ? pod.spec.securityContext : undefined;
  const uid = isSet(csc?.runAsUser) ? csc?.runAsUser : psc?.runAsUser;
  if (uid === 0) return 'runAsUser=0';
  const name = (sc: Obj | undefined) => (isObj(sc?.windowsOptions) ? sc.windowsOptions.runAsUserName : undefined);
  const user = isSet(name(csc)) ? name(csc) : name(psc);
  if (typeof user === 'string' && user.toLowerCase() === 'containeradministrator') return `runAsUserName=${user}`;
  return undefined;
}

/** Why the pod is taken to use its service account token, or undefined when nothing shows it does. */
function tokenInUse(pod: PodSpecRef, containers: readonly ContainerRef[]): string | undefined {
  const sa = [pod.spec.serviceAccountName, pod.spec.serviceAccount].find((v) => typeof v === 'string' && v !== '');
  if (typeof sa === 'string' && sa !== 'default') return `the pod runs as service account ${JSON.stringify(sa)}, which is taken to need its token`;
  for (const v of asArray(pod.spec.volumes)) {
    if (!isObj(v) || !isObj(v.projected)) continue;
    if (asArray(v.projected.sources).some((s) => isObj(s) && isSet(s.serviceAccountToken))) {
      return `volume ${JSON.stringify(typeof v.name === 'string' ? v.name : '')} projects a service account token`;
    }
  }
  for (const c of containers) {
    for (const m of asArray(c.container.volumeMounts)) {
      if (!isObj(m) || typeof m.mountPath !== 'string') continue;
      const p = m.mountPath.replace(/\/+$/, '');
      if (p === TOKEN_MOUNT_PATH || p.startsWith(`${TOKEN_MOUNT_PATH}/`)) return `${containerLabel(c)} mounts ${TOKEN_MOUNT_PATH}`;
    }
  }
  return undefined;
}

/**
 * The hardening patch for a workload (every kind in WORKLOAD_KINDS, paths relative to the object
 * as sent); an empty one for other kinds and for anything that is not a workload object. Never
 * throws and never modifies `object`.
 */
export function hardeningPatch(object: unknown, opts: HardeningOptions = {}): Hardening {
  const changes: string[] = [];
  const skipped: string[] = [];
  const pod = isObj(object) ? podSpecOf(object as KubeObject) : undefined;
  if (!pod) return { patch: [], changes, skipped };

  const want = {
    seccomp: opts.seccomp !== false,
    allowPrivilegeEscalation: opts.allowPrivilegeEscalation !== false,
    dropAll: opts.dropAll !== false,
    runAsNonRoot: opts.runAsNonRoot !== false,
    automountToken: opts.automountToken !== false,
  };
  const b = new PatchBuilder(cloneJson(object));
  const spec = pod.spec;
  const podSc = isObj(spec.securityContext) ? spec.securityContext : undefined;
  const containers = [...containersOf(pod)];
  const annotations = annotationsOf(pod.meta);
  const windows = isWindowsPod(pod);
  const scPath = (...rest: string[]): JsonPath => [...pod.specPath, 'securityContext', ...rest];

  /** Sets a field; says what was done, or why it could not be. */
  const set = (path: JsonPath, value: unknown, done: string, what: string): void => {
    const blocked = b.set(path, value);
    if (blocked === undefined) changes.push(done);
    else skipped.push(`${what} not set: ${formatPath(blocked)} ${blocked.length === path.length ? 'is already set' : 'is not an object'}`);
  };

  if (windows) {
    const linuxOnly = [
      want.seccomp && 'seccompProfile',
      want.allowPrivilegeEscalation && 'allowPrivilegeEscalation',
      want.dropAll && 'capabilities',
    ].filter((x): x is string => typeof x === 'string');
    if (linuxOnly.length > 0) {
      skipped.push(`${linuxOnly.join(', ')} not set: Windows pod (spec.os.name: windows), where the API server forbids these Linux fields`);
    }
  }

  // seccomp: the pod's profile, unless the pod or every container already chose one
  // (field or the older annotation, which the API server keeps in step with the field).
  if (want.seccomp && !windows) {
    const podChose = isSet(podSc?.seccompProfile) || has(annotations, SECCOMP_POD_ANNOTATION);
    const containerChose = (c: ContainerRef) =>
      isSet(securityContextOf(c)?.seccompProfile) || has(annotations, SECCOMP_CONTAINER_ANNOTATION + c.name);
    if (!podChose && !(containers.length > 0 && containers.every(containerChose))) {
      const path = scPath('seccompProfile');
      set(path, { type: 'RuntimeDefault' }, `set ${formatPath([...path, 'type'])}=RuntimeDefault`, formatPath(path));
    }
  }

  // runAsNonRoot on the pod reaches the containers that leave it unset.
  if (want.runAsNonRoot && !isSet(podSc?.runAsNonRoot)) {
    const path = scPath('runAsNonRoot');
    const inheriting = containers.filter((c) => !isSet(securityContextOf(c)?.runAsNonRoot));
    const root = inheriting.flatMap((c) => {
      const user = rootUser(pod, c);
      return user === undefined ? [] : [`${containerLabel(c)} (${user})`];
    });
    if (inheriting.length === 0 && containers.length > 0) {
      // Every container chose for itself: the pod's value would reach none of them.
    } else if (spec.hostUsers === false) {
      skipped.push(`${formatPath(path)} not set: the pod has its own user namespace (hostUsers: false), where root in the pod is not root on the node`);
    } else if (root.length > 0) {
      skipped.push(`${formatPath(path)} not set: ${root.join(', ')} ${root.length === 1 ? 'runs' : 'run'} as root, which the kubelet refuses to start under runAsNonRoot=true`);
    } else {
      set(path, true, `set ${formatPath(path)}=true`, formatPath(path));
    }
  }

  if (want.automountToken && !isSet(spec.automountServiceAccountToken)) {
    const path = [...pod.specPath, 'automountServiceAccountToken'];
    const why = tokenInUse(pod, containers);
    if (why !== undefined) skipped.push(`${formatPath(path)} not set: ${why}`);
    else set(path, false, `set ${formatPath(path)}=false`, formatPath(path));
  }

  if (!windows) {
    for (const c of containers) {
      const label = containerLabel(c);
      const csc = securityContextOf(c);
      if (want.allowPrivilegeEscalation && !isSet(csc?.allowPrivilegeEscalation)) {
        const field = 'securityContext.allowPrivilegeEscalation';
        const sysAdmin = addedCapabilities(c).find((cap) => cap === 'CAP_SYS_ADMIN' || cap === 'SYS_ADMIN');
        if (csc?.privileged === true) {
          skipped.push(`${label}: ${field} not set: the container is privileged (the API server rejects allowPrivilegeEscalation=false with privileged=true)`);
        } else if (sysAdmin !== undefined) {
          skipped.push(`${label}: ${field} not set: the container adds ${sysAdmin} (the API server rejects allowPrivilegeEscalation=false with CAP_SYS_ADMIN)`);
        } else {
          set([...c.path, 'securityContext', 'allowPrivilegeEscalation'], false, `${label}: set ${field}=false`, `${label}: ${field}`);
        }
      }
      if (want.dropAll) {
        const field = 'securityContext.capabilities.drop';
        const path = [...c.path, 'securityContext', 'capabilities', 'drop'];
        const caps = csc?.capabilities;
        const drop = isObj(caps) ? caps.drop : undefined;
        if (!isSet(drop)) {
          set(path, ['ALL'], `${label}: set ${field}=["ALL"]`, `${label}: ${field}`);
        } else if (!Array.isArray(drop)) {
          skipped.push(`${label}: "ALL" not added: ${field} is not a list`);
        } else if (!drop.includes('ALL')) {
          b.append(path, 'ALL');
          changes.push(`${label}: added "ALL" to ${field} ${JSON.stringify(drop)}`);
        }
      }
    }
  }

  return { patch: b.patch(), changes, skipped };
}
