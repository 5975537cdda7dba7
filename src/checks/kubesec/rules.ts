/**
 * kubesec's 30 rules (controlplaneio/kubesec `pkg/ruler/ruleset.go`, predicates in
 * `pkg/rules/*.go`), as data plus predicates over the decoded object.
 *
 * A predicate returns what kubesec calls the number of "containers" the rule matched; the
 * scorer only looks at whether it is > 0, so points count once per object, never per
 * container. The predicates reproduce kubesec's own reading of the object, quirks included:
 *
 * - Pod spec location by kind: `spec` for Pod, `spec.jobTemplate.spec.template.spec` for
 *   CronJob, `spec.template.spec` for everything else.
 * - Security-context rules look at initContainers + containers + ephemeralContainers; the
 *   ones with a pod-level field (runAsNonRoot/User/Group, seccomp, AppArmor) let a container
 *   that leaves the field unset inherit a *matching* pod-level value. A value of the wrong
 *   JSON type counts as unset.
 * - Resource rules look at regular containers only, and a key that is present counts as set
 *   (even `cpu: ""` or `memory: null`).
 * - Capability, hostPath and subject rules are substring tests on Go's `%v` text of the
 *   value: `SYS_ADMIN` anywhere in `add` (so `CAP_SYS_ADMIN` too), `ALL` anywhere in the
 *   upper-cased `drop`, `/var/run/docker.sock` or `/proc` anywhere in a hostPath path,
 *   `system:anonymous` anywhere in a subject name.
 * - ProcMount is about hostPath volumes, not `securityContext.procMount`.
 * - The two StatefulSet volume-claim rules pass when there are no volumeClaimTemplates.
 * - ServiceAccountName passes when the key holds anything but null (even `""`).
 *
 * Texts marked "reconstructed" below could not be checked against kubesec's current source
 * (the rules are newer than any copy available here); everything else is verbatim.
 */
import { CONTAINER_LISTS } from '../../model/index.js';
import { count, element, get, goValue, isMap, pluck } from './golike.js';

export interface KubesecRule {
  id: string;
  /** Exactly as kubesec prints it. */
  selector: string;
  /** Exactly as kubesec prints it (some upstream rules have an empty reason). */
  reason: string;
  points: number;
  /** `print-rules` metadata only; never affects scoring. */
  advise: number;
  kinds: readonly string[];
  /** Number of matches (kubesec's "containers"); > 0 means the rule matched. */
  predicate: (object: unknown) => number;
}

const WORKLOADS = ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet'] as const;
const SECRET_KINDS = ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob'] as const;
const BINDINGS = ['RoleBinding', 'ClusterRoleBinding'] as const;

/** Where the pod spec is, by kind (kubesec's getSpecSelector). */
export function podSpecPath(object: unknown): string[] {
  const kind = isMap(object) ? object.kind : undefined;
  if (kind === 'Pod') return ['spec'];
  if (kind === 'CronJob') return ['spec', 'jobTemplate', 'spec', 'template', 'spec'];
  return ['spec', 'template', 'spec'];
}

interface FieldCheck {
  /** The field is absent (or of another type): a container may inherit the pod-level value. */
  unset: boolean;
  /** The field is set to a value the rule is looking for. */
  valid: boolean;
}

const UNSET: FieldCheck = { unset: true, valid: false };

/**
 * kubesec's checkSecurityContext: counts containers whose own field is valid, or that leave it
 * unset while the pod-level securityContext has a valid value (only when `podLevel`).
 */
function securityContextCount(object: unknown, podLevel: boolean, check: (holder: unknown) => FieldCheck): number {
  const spec = podSpecPath(object);
  const podValid = podLevel && check(get(object, spec)).valid;
  let n = 0;
  for (const list of CONTAINER_LISTS) {
    const containers = get(object, [...spec, list]);
    const len = count(containers);
    for (let i = 0; i < len; i++) {
      const r = check(element(containers, i));
      if (r.valid || (r.unset && podValid)) n++;
    }
  }
  return n;
}

/** `securityContext.<path>` must be a boolean; valid when it equals `want`. */
function boolField(path: string[], want: boolean) {
  return (holder: unknown): FieldCheck => {
    const v = get(holder, ['securityContext', ...path]);
    return typeof v === 'boolean' ? { unset: false, valid: v === want } : UNSET;
  };
}

/** `securityContext.<field>` must be a number; valid when greater than 10000. */
function highId(field: string) {
  return (holder: unknown): FieldCheck => {
    const v = get(holder, ['securityContext', field]);
    return typeof v === 'number' ? { unset: false, valid: v > 10000 } : UNSET;
  };
}

/** `securityContext.<profile>.type` must be a string; valid when (not) "Unconfined". */
function profileType(profile: 'seccompProfile' | 'appArmorProfile', unconfined: boolean) {
  return (holder: unknown): FieldCheck => {
    const v = get(holder, ['securityContext', profile, 'type']);
    return typeof v === 'string' ? { unset: false, valid: (v === 'Unconfined') === unconfined } : UNSET;
  };
}

/** A pod-spec field that is exactly the boolean `want`. */
function podBool(field: string, want: boolean) {
  return (object: unknown): number => (get(object, [...podSpecPath(object), field]) === want ? 1 : 0);
}

/** Regular containers (init/ephemeral ignored) that have the nested resource key at all. */
function resourceKey(dotted: string) {
  return (object: unknown): number => pluck(get(object, [...podSpecPath(object), 'containers']), dotted).length;
}

/** Substring test on Go's text of every hostPath path in the pod's volumes. */
function hostPathContains(needle: string) {
  return (object: unknown): number =>
    goValue(pluck(get(object, [...podSpecPath(object), 'volumes']), 'hostPath.path')).includes(needle) ? 1 : 0;
}

/** StatefulSet volumeClaimTemplates that have a `spec` (0 means the rule passes). */
function claimTemplates(object: unknown): unknown {
  return get(object, ['spec', 'volumeClaimTemplates']);
}

function secretsAsEnv(object: unknown): number {
  const spec = podSpecPath(object);
  let found = 0;
  // Every container list (kubesec walks containers first; for a count the order does not matter).
  for (const list of CONTAINER_LISTS) {
    const containers = get(object, [...spec, list]);
    const len = count(containers);
    for (let i = 0; i < len; i++) {
      const c = element(containers, i);
      const env = get(c, ['env']);
      let hit = false;
      for (let j = 0, n = count(env); j < n && !hit; j++) {
        if (get(element(env, j), ['valueFrom', 'secretKeyRef']) !== null) hit = true;
      }
      const envFrom = get(c, ['envFrom']);
      for (let j = 0, n = count(envFrom); j < n && !hit; j++) {
        if (get(element(envFrom, j), ['secretRef']) !== null) hit = true;
      }
      if (hit) found++;
    }
  }
  return found;
}

// Reconstructed: upstream lists the pod-level path and the three container lists.
const SECCOMP_SELECTOR =
  '.spec .securityContext .seccompProfile .type | containers[] .securityContext .seccompProfile .type | initContainers[] .securityContext .seccompProfile .type | ephemeralContainers[] .securityContext .seccompProfile .type';
const APPARMOR_SELECTOR =
  '.spec .securityContext .appArmorProfile .type | containers[] .securityContext .appArmorProfile .type | initContainers[] .securityContext .appArmorProfile .type | ephemeralContainers[] .securityContext .appArmorProfile .type';

/** All 30 rules, in kubesec's definition order. */
export const KUBESEC_RULES: readonly KubesecRule[] = [
  {
    id: 'HostNetwork',
    selector: '.spec .hostNetwork == true',
    reason: "Sharing the host's network namespace permits processes in the pod to communicate with processes bound to the host's loopback adapter",
    points: -9,
    advise: 0,
    kinds: WORKLOADS,
    predicate: podBool('hostNetwork', true),
  },
  {
    id: 'HostPID',
    selector: '.spec .hostPID == true',
    reason: "Sharing the host's PID namespace allows visibility of processes on the host, potentially leaking information such as environment variables and configuration",
    points: -9,
    advise: 0,
    kinds: WORKLOADS,
    predicate: podBool('hostPID', true),
  },
  {
    id: 'HostIPC',
    selector: '.spec .hostIPC == true',
    reason: "Sharing the host's IPC namespace allows container processes to communicate with processes on the host",
    points: -9,
    advise: 0,
    kinds: WORKLOADS,
    predicate: podBool('hostIPC', true),
  },
  {
    id: 'ReadOnlyRootFilesystem',
    selector: 'containers[] .securityContext .readOnlyRootFilesystem == true',
    reason: 'An immutable root filesystem can prevent malicious binaries being added to PATH and increase attack cost',
    points: 1,
    advise: 3,
    kinds: WORKLOADS,
    predicate: (o) => securityContextCount(o, false, boolField(['readOnlyRootFilesystem'], true)),
  },
  {
    id: 'RunAsNonRoot',
    selector: '.spec, .spec.containers[] | .securityContext .runAsNonRoot == true',
    reason: 'Force the running image to run as a non-root user to ensure least privilege',
    points: 1,
    advise: 10,
    kinds: WORKLOADS,
    predicate: (o) => securityContextCount(o, true, boolField(['runAsNonRoot'], true)),
  },
  {
    id: 'RunAsUser',
    selector: '.spec, .spec.containers[] | .securityContext .runAsUser -gt 10000',
    reason: "Run as a high-UID user to avoid conflicts with the host's users",
    points: 1,
    advise: 4,
    kinds: WORKLOADS,
    predicate: (o) => securityContextCount(o, true, highId('runAsUser')),
  },
  {
    id: 'RunAsGroup',
    selector: '.spec, .spec.containers[] | .securityContext .runAsGroup -gt 10000',
    reason: "Run as a high-UID group to avoid conflicts with the host's groups",
    points: 1,
    advise: 4,
    kinds: WORKLOADS,
    predicate: (o) => securityContextCount(o, true, highId('runAsGroup')),
  },
  {
    id: 'Privileged',
    selector: 'containers[] .securityContext .privileged == true',
    reason: 'Privileged containers can allow almost completely unrestricted host access',
    points: -30,
    advise: 0,
    kinds: WORKLOADS,
    predicate: (o) => securityContextCount(o, false, boolField(['privileged'], true)),
  },
  {
    id: 'CapSysAdmin',
    selector: 'containers[] .securityContext .capabilities .add == SYS_ADMIN',
    reason: 'CAP_SYS_ADMIN is the most privileged capability and should always be avoided',
    points: -30,
    advise: 0,
    kinds: WORKLOADS,
    predicate: (o) =>
      securityContextCount(o, false, (c) => {
        const v = get(c, ['securityContext', 'capabilities', 'add']);
        return v === null ? UNSET : { unset: false, valid: goValue(v).includes('SYS_ADMIN') };
      }),
  },
  {
    id: 'CapDropAny',
    selector: 'containers[] .securityContext .capabilities .drop',
    reason: 'Reducing kernel capabilities available to a container limits its attack surface',
    points: 1,
    advise: 0,
    kinds: WORKLOADS,
    predicate: (o) =>
      securityContextCount(o, false, (c) => {
        const v = get(c, ['securityContext', 'capabilities', 'drop']);
        if (!Array.isArray(v)) return UNSET;
        return { unset: false, valid: v.length > 0 && !goValue(v).includes('<nil>') };
      }),
  },
  {
    id: 'CapDropAll',
    selector: 'containers[] .securityContext .capabilities .drop | index("ALL")',
    reason: 'Drop all capabilities and add only those required to reduce syscall attack surface',
    points: 1,
    advise: 0,
    kinds: WORKLOADS,
    predicate: (o) =>
      securityContextCount(o, false, (c) => {
        const v = get(c, ['securityContext', 'capabilities', 'drop']);
        return v === null ? UNSET : { unset: false, valid: goValue(v).toUpperCase().includes('ALL') };
      }),
  },
  {
    id: 'DockerSock',
    selector: 'volumes[] .hostPath .path == /var/run/docker.sock',
    reason: 'Mounting the docker.socket leaks information about other containers and can allow container breakout',
    points: -9,
    advise: 0,
    kinds: WORKLOADS,
    predicate: hostPathContains('/var/run/docker.sock'),
  },
  {
    id: 'ProcMount',
    selector: 'volumes[] .hostPath .path == /proc',
    reason: 'Mounting the proc directory from the host system into a container gives access to information about other containers running on the same host and can allow container breakout',
    points: -9,
    advise: 0,
    kinds: WORKLOADS,
    predicate: hostPathContains('/proc'),
  },
  {
    id: 'RequestsCPU',
    selector: 'containers[] .resources .requests .cpu',
    reason: 'Enforcing CPU requests aids a fair balancing of resources across the cluster',
    points: 1,
    advise: 0,
    kinds: WORKLOADS,
    predicate: resourceKey('resources.requests.cpu'),
  },
  {
    id: 'LimitsCPU',
    selector: 'containers[] .resources .limits .cpu',
    reason: 'Enforcing CPU limits prevents DOS via resource exhaustion',
    points: 1,
    advise: 0,
    kinds: WORKLOADS,
    predicate: resourceKey('resources.limits.cpu'),
  },
  {
    id: 'RequestsMemory',
    selector: 'containers[] .resources .requests .memory',
    reason: 'Enforcing memory requests aids a fair balancing of resources across the cluster',
    points: 1,
    advise: 0,
    kinds: WORKLOADS,
    predicate: resourceKey('resources.requests.memory'),
  },
  {
    id: 'LimitsMemory',
    selector: 'containers[] .resources .limits .memory',
    reason: 'Enforcing memory limits prevents DOS via resource exhaustion',
    points: 1,
    advise: 0,
    kinds: WORKLOADS,
    predicate: resourceKey('resources.limits.memory'),
  },
  {
    id: 'ServiceAccountName',
    selector: '.spec .serviceAccountName',
    reason: 'Service accounts restrict Kubernetes API access and should be configured with least privilege',
    points: 3,
    advise: 0,
    kinds: WORKLOADS,
    // Upstream prints the queried value and compares the text with "<nil>"; a map or list
    // value comes back from its (no-op) filters as a list, which never prints "<nil>".
    predicate: (o) => {
      const v = get(o, [...podSpecPath(o), 'serviceAccountName']);
      return v === null || v === '<nil>' ? 0 : 1;
    },
  },
  {
    id: 'HostAliases',
    selector: '.spec .hostAliases',
    reason: "Managing /etc/hosts aliases can prevent the container from modifying the file after a pod's containers have already been started. DNS should be managed by the orchestrator",
    points: -3,
    advise: 0,
    kinds: WORKLOADS,
    predicate: (o) => (goValue(get(o, [...podSpecPath(o), 'hostAliases'])) !== '<nil>' ? 1 : 0),
  },
  {
    id: 'SeccompAny',
    selector: SECCOMP_SELECTOR,
    reason: 'Seccomp profiles set minimum privilege and secure against unknown threats',
    points: 1,
    advise: 0,
    kinds: WORKLOADS,
    predicate: (o) => securityContextCount(o, true, profileType('seccompProfile', false)),
  },
  {
    id: 'SeccompUnconfined',
    selector: SECCOMP_SELECTOR,
    reason: 'Unconfined Seccomp profiles have full system call access',
    points: -1,
    advise: 0,
    kinds: WORKLOADS,
    predicate: (o) => securityContextCount(o, true, profileType('seccompProfile', true)),
  },
  {
    id: 'ApparmorAny',
    selector: APPARMOR_SELECTOR,
    reason: 'Well defined AppArmor policies may provide greater protection from unknown threats. WARNING: NOT PRODUCTION READY',
    points: 3,
    advise: 0,
    kinds: WORKLOADS,
    predicate: (o) => securityContextCount(o, true, profileType('appArmorProfile', false)),
  },
  {
    id: 'ApparmorUnconfined',
    selector: APPARMOR_SELECTOR,
    reason: 'Unconfined AppArmor profiles give the container unrestricted access to the host', // reconstructed
    points: -1,
    advise: 0,
    kinds: WORKLOADS,
    predicate: (o) => securityContextCount(o, true, profileType('appArmorProfile', true)),
  },
  {
    id: 'VolumeClaimAccessModeReadWriteOnce',
    selector: '.spec .volumeClaimTemplates[] .spec .accessModes | index("ReadWriteOnce")',
    reason: '',
    points: 1,
    advise: 0,
    kinds: ['StatefulSet'],
    predicate: (o) => {
      const templates = claimTemplates(o);
      if (pluck(templates, 'spec').length === 0) return 1;
      return goValue(pluck(templates, 'spec.accessModes')).includes('accessModes:[ReadWriteOnce]') ? 1 : 0;
    },
  },
  {
    id: 'VolumeClaimRequestsStorage',
    selector: '.spec .volumeClaimTemplates[] .spec .resources .requests .storage',
    reason: '',
    points: 1,
    advise: 0,
    kinds: ['StatefulSet'],
    predicate: (o) => {
      const templates = claimTemplates(o);
      if (pluck(templates, 'spec').length === 0) return 1;
      return pluck(templates, 'spec.resources.requests.storage').length;
    },
  },
  {
    id: 'AllowPrivilegeEscalation',
    selector: 'containers[] .securityContext .allowPrivilegeEscalation == true',
    reason: 'Ensure a non-root process can not gain more privileges',
    points: -7,
    advise: 0,
    kinds: WORKLOADS,
    predicate: (o) => securityContextCount(o, false, boolField(['allowPrivilegeEscalation'], true)),
  },
  {
    id: 'AutomountServiceAccountToken',
    selector: '.spec .automountServiceAccountToken == false',
    reason: 'Disabling the automounting of Service Account Token reduces the attack surface of the API server',
    points: 1,
    advise: 0,
    kinds: WORKLOADS,
    predicate: podBool('automountServiceAccountToken', false),
  },
  {
    id: 'HostUsers',
    selector: '.spec .hostUsers == false',
    reason: "A user namespace isolates the pod's users from the host's users, so root in a container is not root on the node", // reconstructed
    points: 1,
    advise: 0,
    kinds: WORKLOADS,
    predicate: podBool('hostUsers', false),
  },
  {
    id: 'SecretsAsEnvironmentVariables',
    selector: '.spec .containers[] .env[] .valueFrom .secretKeyRef | .spec .containers[] .envFrom[] .secretRef', // reconstructed
    reason: 'Secrets exposed as environment variables can leak through logs and child processes; mount them as files instead', // reconstructed
    points: -5,
    advise: 0,
    kinds: SECRET_KINDS,
    predicate: secretsAsEnv,
  },
  {
    id: 'BindingsToSystemAnonymous',
    selector: '.subjects[] .name == "system:anonymous"',
    reason: 'Binding a role to system:anonymous grants its permissions to every unauthenticated request', // reconstructed
    points: -30,
    advise: 0,
    kinds: BINDINGS,
    predicate: (o) => (goValue(pluck(get(o, ['subjects']), 'name')).includes('system:anonymous') ? 1 : 0),
  },
];

/** Rules by id. */
export const KUBESEC_RULES_BY_ID: ReadonlyMap<string, KubesecRule> = new Map(KUBESEC_RULES.map((r) => [r.id, r]));
