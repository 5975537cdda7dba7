/**
 * A pod's screen: one pass over a pod spec that notes which areas hold anything a check
 * could object to. Most pods in a real input are hardened alike (the same securityContext,
 * no host access), and for them most Pod Security Standards controls and catalogue checks
 * have nothing to say; a check that declares its areas is skipped on a pod where none of
 * them is marked, instead of walking the pod's containers again to find that out.
 *
 * Every area is marked conservatively: whenever a check that names it could report
 * anything, never only when it will. Marking too much costs a check run; marking too little
 * would hide a finding, which is why screen.test.ts compares every check with and without
 * the screen on fixtures, corpora and generated pods with strange values.
 */
import { envFromSecretRef, envSecretKeyRef, isObj, QUANTITY_INVALID, resourceQuantity, someKey, type ContainerRef, type Obj, type PodSpecRef, type Resource } from '../model/index.js';

/** The areas, one bit each. */
export const Area = {
  /** spec.hostNetwork, hostPID or hostIPC set to anything but false. */
  hostNamespaces: 1 << 0,
  /** A container's securityContext.privileged set to anything but false. */
  privileged: 1 << 1,
  /** A container whose capabilities are not exactly `drop` with "ALL" and no (or an empty) `add`. */
  capabilities: 1 << 2,
  /** A volume with a hostPath. */
  hostPath: 1 << 3,
  /** A volume with a source outside the ones restricted allows (hostPath included). */
  volumeSources: 1 << 4,
  /** A container port with a hostPort (other than 0). */
  hostPorts: 1 << 5,
  /** A seccomp or AppArmor annotation on the pod (template), or on a controller's own metadata. */
  profileAnnotations: 1 << 6,
  /** appArmorProfile on the pod or a container. */
  appArmor: 1 << 7,
  /** seLinuxOptions on the pod or a container. */
  seLinux: 1 << 8,
  /** A container's procMount other than Default. */
  procMount: 1 << 9,
  /** A seccompProfile anywhere other than RuntimeDefault, or a container with none in effect. */
  seccomp: 1 << 10,
  /** Pod sysctls. */
  sysctls: 1 << 11,
  /** windowsOptions on the pod or a container. */
  windowsOptions: 1 << 12,
  /** A probe whose httpGet or tcpSocket names a host, or any lifecycle handler. */
  hostProbes: 1 << 13,
  /** A container without allowPrivilegeEscalation: false. */
  privilegeEscalation: 1 << 14,
  /** runAsNonRoot false anywhere, or a container with no runAsNonRoot: true in effect. */
  runAsNonRoot: 1 << 15,
  /** runAsUser 0 on the pod or a container. */
  runAsUser: 1 << 16,
  /** A container without readOnlyRootFilesystem: true. */
  readOnlyRoot: 1 << 17,
  /** spec.hostAliases. */
  hostAliases: 1 << 18,
  /** An env var read from a Secret (valueFrom.secretKeyRef), or envFrom a Secret. */
  secretEnv: 1 << 19,
  /**
   * A container whose cpu or memory limit is not a positive quantity, or whose cpu or memory
   * request is set but not a valid quantity.
   */
  resources: 1 << 20,
} as const;

/** Every area marked: what a pod gets when screening is off (every check runs). */
export const ALL_AREAS = (1 << 21) - 1;

/** Volume sources the restricted level allows (pod-security-admission's list). */
export const ALLOWED_VOLUME_SOURCES: ReadonlySet<string> = new Set([
  'configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'image', 'persistentVolumeClaim', 'projected', 'secret',
]);

const SECCOMP_POD_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';
const SECCOMP_CONTAINER_PREFIX = 'container.seccomp.security.alpha.kubernetes.io/';
const APPARMOR_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';

function set(v: unknown): boolean {
  return v !== undefined && v !== null;
}

function profileKey(key: string): boolean {
  return key === SECCOMP_POD_ANNOTATION || key.startsWith(SECCOMP_CONTAINER_PREFIX) || key.startsWith(APPARMOR_PREFIX);
}

function hasProfileAnnotation(meta: unknown): boolean {
  return isObj(meta) && isObj(meta.annotations) && someKey(meta.annotations, profileKey);
}

function isRuntimeDefault(profile: unknown): boolean {
  return isObj(profile) && profile.type === 'RuntimeDefault';
}

function namesHost(action: unknown): boolean {
  return isObj(action) && set(action.host);
}

/** Areas of a volume list (hostPath, and sources restricted does not allow). */
function volumeAreas(volumes: unknown): number {
  if (!Array.isArray(volumes)) return 0;
  let areas = 0;
  for (const v of volumes) {
    if (!isObj(v)) continue;
    for (const key in v) {
      if (!Object.prototype.hasOwnProperty.call(v, key) || key === 'name' || !set(v[key]) || ALLOWED_VOLUME_SOURCES.has(key)) continue;
      areas |= Area.volumeSources;
      if (key === 'hostPath') areas |= Area.hostPath;
    }
  }
  return areas;
}

/**
 * Areas of one container, given what the pod sets for the fields containers inherit. Objects
 * are walked by their own keys: a hardened container sets a handful, and reading each of the
 * dozen fields by name would mostly look for keys that are not there.
 */
function containerAreas(c: ContainerRef, podSeccompDefault: boolean, podNonRoot: unknown): number {
  const k = c.container;
  let areas = 0;
  let sc: unknown;
  for (const key in k) {
    switch (key) {
      case 'securityContext': sc = k[key]; break;
      case 'ports': areas |= portAreas(k[key]); break;
      case 'env': if (someItem(k[key], envSecretKeyRef)) areas |= Area.secretEnv; break;
      case 'envFrom': if (someItem(k[key], envFromSecretRef)) areas |= Area.secretEnv; break;
      case 'lifecycle': if (set(k[key])) areas |= Area.hostProbes; break;
      case 'livenessProbe': case 'readinessProbe': case 'startupProbe': {
        const probe = k[key];
        if (isObj(probe) && (namesHost(probe.httpGet) || namesHost(probe.tcpSocket))) areas |= Area.hostProbes;
        break;
      }
    }
  }
  if (!resourcesBounded(k.resources)) areas |= Area.resources;
  let seccomp: unknown;
  let nonRoot: unknown;
  // Marked unless the securityContext says otherwise.
  let ape = false;
  let readOnly = false;
  let caps = false;
  if (isObj(sc)) {
    for (const key in sc) {
      const v = sc[key];
      switch (key) {
        case 'privileged': if (set(v) && v !== false) areas |= Area.privileged; break;
        case 'capabilities': caps = capabilitiesHardened(v); break;
        case 'procMount': if (set(v) && v !== 'Default') areas |= Area.procMount; break;
        case 'seccompProfile': seccomp = v; break;
        case 'seLinuxOptions': if (set(v)) areas |= Area.seLinux; break;
        case 'appArmorProfile': if (set(v)) areas |= Area.appArmor; break;
        case 'windowsOptions': if (set(v)) areas |= Area.windowsOptions; break;
        case 'allowPrivilegeEscalation': ape = v === false; break;
        case 'runAsNonRoot': nonRoot = v; break;
        case 'runAsUser': if (v === 0) areas |= Area.runAsUser; break;
        case 'readOnlyRootFilesystem': readOnly = v === true; break;
      }
    }
  }
  if (!caps) areas |= Area.capabilities;
  if (!ape) areas |= Area.privilegeEscalation;
  if (!readOnly) areas |= Area.readOnlyRoot;
  if (seccomp === undefined ? !podSeccompDefault : !isRuntimeDefault(seccomp)) areas |= Area.seccomp;
  if (nonRoot === false || (!set(nonRoot) && podNonRoot !== true)) areas |= Area.runAsNonRoot;
  return areas;
}

/** Whether `list` is a list with an item for which `found` finds something. */
function someItem(list: unknown, found: (item: unknown) => unknown): boolean {
  return Array.isArray(list) && list.some((item) => found(item) !== undefined);
}

/**
 * Positive cpu and memory limits, and requests that are unset or valid: read as the resources
 * checks read them (resourceQuantity), so nothing they could report is left unmarked.
 */
function resourcesBounded(resources: unknown): boolean {
  return resourceQuantity(resources, 'limits', 'cpu') > 0 && resourceQuantity(resources, 'limits', 'memory') > 0
    && resourceQuantity(resources, 'requests', 'cpu') !== QUANTITY_INVALID && resourceQuantity(resources, 'requests', 'memory') !== QUANTITY_INVALID;
}

/** Capabilities that drop "ALL" and add nothing. */
function capabilitiesHardened(caps: unknown): boolean {
  return isObj(caps) && Array.isArray(caps.drop) && caps.drop.includes('ALL') && (!set(caps.add) || (Array.isArray(caps.add) && caps.add.length === 0));
}

function portAreas(ports: unknown): number {
  if (!Array.isArray(ports)) return 0;
  for (const p of ports) if (isObj(p) && set(p.hostPort) && p.hostPort !== 0) return Area.hostPorts;
  return 0;
}

/**
 * The areas marked in a pod. `controllerMeta` is the metadata of the object holding the pod
 * template (a Deployment's own), where profile annotations are misplaced but still reported.
 */
export function screenPod(pod: PodSpecRef, containers: readonly ContainerRef[], controllerMeta?: unknown): number {
  const spec = pod.spec;
  let areas = 0;
  let psc: unknown;
  for (const key in spec) {
    const v = spec[key];
    switch (key) {
      case 'hostNetwork': case 'hostPID': case 'hostIPC': if (set(v) && v !== false) areas |= Area.hostNamespaces; break;
      case 'hostAliases': if (set(v)) areas |= Area.hostAliases; break;
      case 'volumes': areas |= volumeAreas(v); break;
      case 'securityContext': psc = v; break;
    }
  }
  if (hasProfileAnnotation(pod.meta) || (controllerMeta !== undefined && hasProfileAnnotation(controllerMeta))) areas |= Area.profileAnnotations;
  let podSeccompDefault = false;
  let podNonRoot: unknown;
  if (isObj(psc)) {
    for (const key in psc) {
      const v = psc[key];
      switch (key) {
        case 'seccompProfile':
          podSeccompDefault = isRuntimeDefault(v);
          if (v !== undefined && !podSeccompDefault) areas |= Area.seccomp;
          break;
        case 'runAsNonRoot': podNonRoot = v; if (v === false) areas |= Area.runAsNonRoot; break;
        case 'runAsUser': if (v === 0) areas |= Area.runAsUser; break;
        case 'sysctls': if (set(v)) areas |= Area.sysctls; break;
        case 'seLinuxOptions': if (set(v)) areas |= Area.seLinux; break;
        case 'appArmorProfile': if (set(v)) areas |= Area.appArmor; break;
        case 'windowsOptions': if (set(v)) areas |= Area.windowsOptions; break;
      }
    }
  }
  for (const c of containers) areas |= containerAreas(c, podSeccompDefault, podNonRoot);
  return areas;
}

/**
 * The screen of a resource's pod, when something will read it (`needed`: a PSS control or a
 * screened check is on); every area otherwise, and for kinds without a pod, without walking it.
 */
export function screenOf(resource: Resource, needed: boolean): number {
  if (!needed) return ALL_AREAS;
  const pod = resource.pod;
  return pod ? screenPod(pod, resource.containers, resource.object.metadata) : ALL_AREAS;
}
