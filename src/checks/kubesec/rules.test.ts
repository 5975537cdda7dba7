import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KUBESEC_RULES } from './rules.js';
import { kubesecScan } from './index.js';
import type { KubesecRuleRef, KubesecResult } from './score.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const fixtures = resolve(root, 'test-fixtures', 'kubesec');

const W = ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet'];
const SECCOMP = '.spec .securityContext .seccompProfile .type | containers[] .securityContext .seccompProfile .type | initContainers[] .securityContext .seccompProfile .type | ephemeralContainers[] .securityContext .seccompProfile .type';
const APPARMOR = '.spec .securityContext .appArmorProfile .type | containers[] .securityContext .appArmorProfile .type | initContainers[] .securityContext .appArmorProfile .type | ephemeralContainers[] .securityContext .appArmorProfile .type';

/** The rule table as kubesec prints it (id, selector, reason, points) plus kinds and advise. */
const TABLE: Array<KubesecRuleRef & { kinds: string[]; advise: number }> = [
  { id: 'HostNetwork', selector: '.spec .hostNetwork == true', reason: "Sharing the host's network namespace permits processes in the pod to communicate with processes bound to the host's loopback adapter", points: -9, kinds: W, advise: 0 },
  { id: 'HostPID', selector: '.spec .hostPID == true', reason: "Sharing the host's PID namespace allows visibility of processes on the host, potentially leaking information such as environment variables and configuration", points: -9, kinds: W, advise: 0 },
  { id: 'HostIPC', selector: '.spec .hostIPC == true', reason: "Sharing the host's IPC namespace allows container processes to communicate with processes on the host", points: -9, kinds: W, advise: 0 },
  { id: 'ReadOnlyRootFilesystem', selector: 'containers[] .securityContext .readOnlyRootFilesystem == true', reason: 'An immutable root filesystem can prevent malicious binaries being added to PATH and increase attack cost', points: 1, kinds: W, advise: 3 },
  { id: 'RunAsNonRoot', selector: '.spec, .spec.containers[] | .securityContext .runAsNonRoot == true', reason: 'Force the running image to run as a non-root user to ensure least privilege', points: 1, kinds: W, advise: 10 },
  { id: 'RunAsUser', selector: '.spec, .spec.containers[] | .securityContext .runAsUser -gt 10000', reason: "Run as a high-UID user to avoid conflicts with the host's users", points: 1, kinds: W, advise: 4 },
  { id: 'RunAsGroup', selector: '.spec, .spec.containers[] | .securityContext .runAsGroup -gt 10000', reason: "Run as a high-UID group to avoid conflicts with the host's groups", points: 1, kinds: W, advise: 4 },
  { id: 'Privileged', selector: 'containers[] .securityContext .privileged == true', reason: 'Privileged containers can allow almost completely unrestricted host access', points: -30, kinds: W, advise: 0 },
  { id: 'CapSysAdmin', selector: 'containers[] .securityContext .capabilities .add == SYS_ADMIN', reason: 'CAP_SYS_ADMIN is the most privileged capability and should always be avoided', points: -30, kinds: W, advise: 0 },
  { id: 'CapDropAny', selector: 'containers[] .securityContext .capabilities .drop', reason: 'Reducing kernel capabilities available to a container limits its attack surface', points: 1, kinds: W, advise: 0 },
  { id: 'CapDropAll', selector: 'containers[] .securityContext .capabilities .drop | index("ALL")', reason: 'Drop all capabilities and add only those required to reduce syscall attack surface', points: 1, kinds: W, advise: 0 },
  { id: 'DockerSock', selector: 'volumes[] .hostPath .path == /var/run/docker.sock', reason: 'Mounting the docker.socket leaks information about other containers and can allow container breakout', points: -9, kinds: W, advise: 0 },
  { id: 'ProcMount', selector: 'volumes[] .hostPath .path == /proc', reason: 'Mounting the proc directory from the host system into a container gives access to information about other containers running on the same host and can allow container breakout', points: -9, kinds: W, advise: 0 },
  { id: 'RequestsCPU', selector: 'containers[] .resources .requests .cpu', reason: 'Enforcing CPU requests aids a fair balancing of resources across the cluster', points: 1, kinds: W, advise: 0 },
  { id: 'LimitsCPU', selector: 'containers[] .resources .limits .cpu', reason: 'Enforcing CPU limits prevents DOS via resource exhaustion', points: 1, kinds: W, advise: 0 },
  { id: 'RequestsMemory', selector: 'containers[] .resources .requests .memory', reason: 'Enforcing memory requests aids a fair balancing of resources across the cluster', points: 1, kinds: W, advise: 0 },
  { id: 'LimitsMemory', selector: 'containers[] .resources .limits .memory', reason: 'Enforcing memory limits prevents DOS via resource exhaustion', points: 1, kinds: W, advise: 0 },
  { id: 'ServiceAccountName', selector: '.spec .serviceAccountName', reason: 'Service accounts restrict Kubernetes API access and should be configured with least privilege', points: 3, kinds: W, advise: 0 },
  { id: 'HostAliases', selector: '.spec .hostAliases', reason: "Managing /etc/hosts aliases can prevent the container from modifying the file after a pod's containers have already been started. DNS should be managed by the orchestrator", points: -3, kinds: W, advise: 0 },
  { id: 'SeccompAny', selector: SECCOMP, reason: 'Seccomp profiles set minimum privilege and secure against unknown threats', points: 1, kinds: W, advise: 0 },
  { id: 'SeccompUnconfined', selector: SECCOMP, reason: 'Unconfined Seccomp profiles have full system call access', points: -1, kinds: W, advise: 0 },
  { id: 'ApparmorAny', selector: APPARMOR, reason: 'Well defined AppArmor policies may provide greater protection from unknown threats. WARNING: NOT PRODUCTION READY', points: 3, kinds: W, advise: 0 },
  { id: 'ApparmorUnconfined', selector: APPARMOR, reason: 'Unconfined AppArmor profiles give the container unrestricted access to the host', points: -1, kinds: W, advise: 0 },
  { id: 'VolumeClaimAccessModeReadWriteOnce', selector: '.spec .volumeClaimTemplates[] .spec .accessModes | index("ReadWriteOnce")', reason: '', points: 1, kinds: ['StatefulSet'], advise: 0 },
  { id: 'VolumeClaimRequestsStorage', selector: '.spec .volumeClaimTemplates[] .spec .resources .requests .storage', reason: '', points: 1, kinds: ['StatefulSet'], advise: 0 },
  { id: 'AllowPrivilegeEscalation', selector: 'containers[] .securityContext .allowPrivilegeEscalation == true', reason: 'Ensure a non-root process can not gain more privileges', points: -7, kinds: W, advise: 0 },
  { id: 'AutomountServiceAccountToken', selector: '.spec .automountServiceAccountToken == false', reason: 'Disabling the automounting of Service Account Token reduces the attack surface of the API server', points: 1, kinds: W, advise: 0 },
  { id: 'HostUsers', selector: '.spec .hostUsers == false', reason: "A user namespace isolates the pod's users from the host's users, so root in a container is not root on the node", points: 1, kinds: W, advise: 0 },
  { id: 'SecretsAsEnvironmentVariables', selector: '.spec .containers[] .env[] .valueFrom .secretKeyRef | .spec .containers[] .envFrom[] .secretRef', reason: 'Secrets exposed as environment variables can leak through logs and child processes; mount them as files instead', points: -5, kinds: [...W, 'ReplicaSet', 'Job', 'CronJob'], advise: 0 },
  { id: 'BindingsToSystemAnonymous', selector: '.subjects[] .name == "system:anonymous"', reason: 'Binding a role to system:anonymous grants its permissions to every unauthenticated request', points: -30, kinds: ['RoleBinding', 'ClusterRoleBinding'], advise: 0 },
];

const BY_ID = new Map(TABLE.map((r) => [r.id, r]));

/** kubesec's advise order for the positive rules (points desc, then selector). */
const ADVISE_ORDER = [
  'ApparmorAny', 'ServiceAccountName',
  'AutomountServiceAccountToken', 'HostUsers', 'SeccompAny',
  'VolumeClaimAccessModeReadWriteOnce', 'VolumeClaimRequestsStorage',
  'RunAsGroup', 'RunAsNonRoot', 'RunAsUser',
  'LimitsCPU', 'LimitsMemory', 'RequestsCPU', 'RequestsMemory',
  'CapDropAny', 'CapDropAll', 'ReadOnlyRootFilesystem',
];

function refs(ids: string[]): KubesecRuleRef[] {
  return ids.map((id) => {
    const r = BY_ID.get(id);
    assert.ok(r, `unknown rule ${id}`);
    return { id: r.id, selector: r.selector, reason: r.reason, points: r.points };
  });
}

/** The positive rules of `kind` that are not in `passed`, in kubesec's order. */
function adviseFor(kind: string, passed: string[]): string[] {
  return ADVISE_ORDER.filter((id) => BY_ID.get(id)!.kinds.includes(kind) && !passed.includes(id));
}

async function scanOne(rel: string): Promise<KubesecResult> {
  const { results, errors } = await kubesecScan([rel], { cwd: fixtures });
  assert.deepEqual(errors, []);
  assert.equal(results.length, 1);
  return results[0];
}

test('the 30 rules: ids, selectors, reasons, points, kinds and advise weights as kubesec has them', () => {
  assert.equal(KUBESEC_RULES.length, 30);
  assert.equal(new Set(KUBESEC_RULES.map((r) => r.id)).size, 30);
  assert.deepEqual(
    KUBESEC_RULES.map((r) => ({ id: r.id, selector: r.selector, reason: r.reason, points: r.points, kinds: [...r.kinds], advise: r.advise })),
    TABLE,
  );
});

test('advise order: bigger points first, then selector text (byte order)', () => {
  const positive = TABLE.filter((r) => r.points >= 0);
  const sorted = [...positive].sort((a, b) => (a.points !== b.points ? b.points - a.points : a.selector < b.selector ? -1 : 1));
  assert.deepEqual(sorted.map((r) => r.id), ADVISE_ORDER);
});

interface Case {
  file: string;
  object: string;
  kind: string;
  score: number;
  critical?: string[];
  passed?: string[];
  /** Defaults to every positive rule of the kind that did not pass. */
  advise?: string[];
}

/** One fixture per rule: each triggers its rule, and the whole scoring is checked. */
const CASES: Record<string, Case> = {
  HostNetwork: { file: 'host-network.yaml', object: 'Pod/net-sharer.default', kind: 'Pod', score: -9, critical: ['HostNetwork'] },
  HostPID: { file: 'host-pid.yaml', object: 'Deployment/pid-peeker.tools', kind: 'Deployment', score: -9, critical: ['HostPID'] },
  HostIPC: { file: 'host-ipc.yaml', object: 'DaemonSet/shm-reader.default', kind: 'DaemonSet', score: -9, critical: ['HostIPC'] },
  ReadOnlyRootFilesystem: { file: 'read-only-root-filesystem.yaml', object: 'Deployment/mixed-rootfs.default', kind: 'Deployment', score: 1, passed: ['ReadOnlyRootFilesystem'] },
  RunAsNonRoot: { file: 'run-as-non-root.yaml', object: 'Pod/inherits-non-root.apps', kind: 'Pod', score: 1, passed: ['RunAsNonRoot'] },
  RunAsUser: { file: 'run-as-user.yaml', object: 'Deployment/high-uid.default', kind: 'Deployment', score: 1, passed: ['RunAsUser'] },
  RunAsGroup: { file: 'run-as-group.yaml', object: 'Pod/group-ids.default', kind: 'Pod', score: 1, passed: ['RunAsGroup'] },
  Privileged: {
    file: 'privileged.yaml', object: 'StatefulSet/db.data', kind: 'StatefulSet', score: -28,
    critical: ['Privileged'], passed: ['VolumeClaimAccessModeReadWriteOnce', 'VolumeClaimRequestsStorage'],
  },
  CapSysAdmin: { file: 'cap-sys-admin.yaml', object: 'Pod/mounter.default', kind: 'Pod', score: -30, critical: ['CapSysAdmin'] },
  CapDropAny: { file: 'cap-drop-any.yaml', object: 'Pod/drops-net-raw.default', kind: 'Pod', score: 1, passed: ['CapDropAny'] },
  CapDropAll: { file: 'cap-drop-all.yaml', object: 'Pod/drops-everything.default', kind: 'Pod', score: 2, passed: ['CapDropAny', 'CapDropAll'] },
  DockerSock: { file: 'docker-sock.yaml', object: 'DaemonSet/image-gc.kube-system', kind: 'DaemonSet', score: -9, critical: ['DockerSock'] },
  ProcMount: { file: 'proc-mount.yaml', object: 'Pod/kernel-tuner.default', kind: 'Pod', score: -9, critical: ['ProcMount'] },
  RequestsCPU: { file: 'requests-cpu.yaml', object: 'Deployment/cpu-request.default', kind: 'Deployment', score: 1, passed: ['RequestsCPU'] },
  LimitsCPU: { file: 'limits-cpu.yaml', object: 'Pod/cpu-limit.default', kind: 'Pod', score: 1, passed: ['LimitsCPU'] },
  RequestsMemory: { file: 'requests-memory.yaml', object: 'Pod/memory-request.default', kind: 'Pod', score: 1, passed: ['RequestsMemory'] },
  LimitsMemory: { file: 'limits-memory.yaml', object: 'DaemonSet/memory-limit.default', kind: 'DaemonSet', score: 1, passed: ['LimitsMemory'] },
  ServiceAccountName: { file: 'service-account-name.yaml', object: 'Pod/named-sa.default', kind: 'Pod', score: 3, passed: ['ServiceAccountName'] },
  HostAliases: { file: 'host-aliases.yaml', object: 'Deployment/pinned-hosts.default', kind: 'Deployment', score: -3, critical: ['HostAliases'] },
  SeccompAny: { file: 'seccomp-any.yaml', object: 'Pod/seccomp-default.default', kind: 'Pod', score: 1, passed: ['SeccompAny'] },
  SeccompUnconfined: { file: 'seccomp-unconfined.yaml', object: 'Deployment/seccomp-off.default', kind: 'Deployment', score: -1, critical: ['SeccompUnconfined'] },
  ApparmorAny: { file: 'apparmor-any.yaml', object: 'Pod/apparmor-init.default', kind: 'Pod', score: 3, passed: ['ApparmorAny'] },
  ApparmorUnconfined: { file: 'apparmor-unconfined.yaml', object: 'Pod/apparmor-debug.default', kind: 'Pod', score: -1, critical: ['ApparmorUnconfined'] },
  VolumeClaimAccessModeReadWriteOnce: { file: 'volume-claim-rwo.yaml', object: 'StatefulSet/queue.default', kind: 'StatefulSet', score: 1, passed: ['VolumeClaimAccessModeReadWriteOnce'] },
  VolumeClaimRequestsStorage: { file: 'volume-claim-storage.yaml', object: 'StatefulSet/shared-cache.default', kind: 'StatefulSet', score: 1, passed: ['VolumeClaimRequestsStorage'] },
  AllowPrivilegeEscalation: { file: 'allow-privilege-escalation.yaml', object: 'Deployment/setuid-tool.ci', kind: 'Deployment', score: -7, critical: ['AllowPrivilegeEscalation'] },
  AutomountServiceAccountToken: { file: 'automount-service-account-token.yaml', object: 'Pod/no-token.default', kind: 'Pod', score: 1, passed: ['AutomountServiceAccountToken'] },
  HostUsers: { file: 'host-users.yaml', object: 'Pod/userns.default', kind: 'Pod', score: 1, passed: ['HostUsers'] },
  SecretsAsEnvironmentVariables: {
    file: 'secrets-as-environment-variables.yaml', object: 'CronJob/nightly-report.reporting', kind: 'CronJob', score: -5,
    critical: ['SecretsAsEnvironmentVariables'], advise: [],
  },
  BindingsToSystemAnonymous: {
    file: 'bindings-to-system-anonymous.yaml', object: 'ClusterRoleBinding/public-read.default', kind: 'ClusterRoleBinding', score: -30,
    critical: ['BindingsToSystemAnonymous'], advise: [],
  },
};

test('there is a fixture case for every rule', () => {
  assert.deepEqual(Object.keys(CASES).sort(), KUBESEC_RULES.map((r) => r.id).sort());
});

for (const [id, c] of Object.entries(CASES)) {
  test(`rule ${id}: ${c.file}`, async () => {
    const r = await scanOne(`rules/${c.file}`);
    const passed = c.passed ?? [];
    const expected: KubesecResult = {
      object: c.object,
      valid: true,
      fileName: `rules/${c.file}`,
      message: `${c.score >= 0 ? 'Passed' : 'Failed'} with a score of ${c.score} points`,
      score: c.score,
      scoring: {},
    };
    if (c.critical?.length) expected.scoring.critical = refs(c.critical);
    if (passed.length) expected.scoring.passed = refs(passed);
    const advise = c.advise ?? adviseFor(c.kind, passed);
    if (advise.length) expected.scoring.advise = refs(advise);
    assert.deepEqual(r, expected);
    // The rule under test is where it should be.
    const list = BY_ID.get(id)!.points < 0 ? r.scoring.critical : r.scoring.passed;
    assert.ok(list?.some((e) => e.id === id));
  });
}
