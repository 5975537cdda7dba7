import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluatePodSpec, formatPssViolations, LATEST_MINOR } from '../../checks/index.js';
import { podSpecOf, WORKLOAD_KINDS, type KubeObject } from '../../model/index.js';
import { applyJsonPatch, hardeningPatch, type Hardening, type HardeningOptions } from './index.js';

type Json = Record<string, unknown>;

const API_VERSIONS: Record<string, string> = {
  Pod: 'v1', PodTemplate: 'v1', ReplicationController: 'v1',
  Deployment: 'apps/v1', StatefulSet: 'apps/v1', DaemonSet: 'apps/v1', ReplicaSet: 'apps/v1',
  Job: 'batch/v1', CronJob: 'batch/v1',
};

/** A workload of `kind` around a pod spec, shaped as WORKLOAD_KINDS says. */
function workload(kind: string, podSpec: Json, podMeta: Json = {}): Json {
  const template = { metadata: { labels: { app: 'web' }, ...podMeta }, spec: podSpec };
  const base = { apiVersion: API_VERSIONS[kind], kind, metadata: { name: 'web', namespace: 'shop' } };
  switch (kind) {
    case 'Pod': return { ...base, metadata: { ...base.metadata, ...podMeta }, spec: podSpec };
    case 'PodTemplate': return { ...base, template };
    case 'CronJob': return { ...base, spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template } } } };
    default: return { ...base, spec: { replicas: 2, template } };
  }
}

const deployment = (podSpec: Json, podMeta?: Json) => workload('Deployment', podSpec, podMeta);
const nginx = (extra: Json = {}) => ({ name: 'app', image: 'nginx:1.27', ...extra });

/** Applies the patch (strictly), checks idempotence, and returns the mutated object. */
function mutate(obj: unknown, opts?: HardeningOptions): { h: Hardening; out: Json } {
  const before = JSON.stringify(obj);
  const h = hardeningPatch(obj, opts);
  assert.equal(JSON.stringify(obj), before, 'hardeningPatch must not modify its input');
  const out = applyJsonPatch(obj, h.patch) as Json;
  assert.deepEqual(hardeningPatch(out, opts).patch, [], 'hardening the hardened object changes nothing');
  return { h, out };
}

function restrictedProblems(obj: Json): string {
  const pod = podSpecOf(obj as KubeObject);
  assert.ok(pod);
  return formatPssViolations(evaluatePodSpec(pod, { level: 'restricted', minor: LATEST_MINOR }));
}

function podSpecIn(obj: Json): Json {
  return podSpecOf(obj as KubeObject)!.spec;
}

test('a bare Deployment (image only) gets every default, in as few operations as the parents allow', () => {
  const obj = deployment({ containers: [nginx()] });
  assert.notEqual(restrictedProblems(obj), '');
  const { h, out } = mutate(obj);
  assert.deepEqual(h.patch, [
    { op: 'add', path: '/spec/template/spec/securityContext', value: { seccompProfile: { type: 'RuntimeDefault' }, runAsNonRoot: true } },
    { op: 'add', path: '/spec/template/spec/automountServiceAccountToken', value: false },
    { op: 'add', path: '/spec/template/spec/containers/0/securityContext', value: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } },
  ]);
  assert.deepEqual(h.changes, [
    'set spec.template.spec.securityContext.seccompProfile.type=RuntimeDefault',
    'set spec.template.spec.securityContext.runAsNonRoot=true',
    'set spec.template.spec.automountServiceAccountToken=false',
    'container "app": set securityContext.allowPrivilegeEscalation=false',
    'container "app": set securityContext.capabilities.drop=["ALL"]',
  ]);
  assert.deepEqual(h.skipped, []);
  assert.equal(restrictedProblems(out), '', 'the mutated Deployment passes PSS restricted');
});

test('every workload kind: paths relative to the object as sent, and the result passes restricted', () => {
  for (const kind of Object.keys(WORKLOAD_KINDS)) {
    const obj = workload(kind, { initContainers: [{ name: 'setup', image: 'busybox' }], containers: [nginx(), { name: 'sidecar', image: 'envoy' }] });
    const { h, out } = mutate(obj);
    const prefix = { Pod: '/spec', PodTemplate: '/template/spec', CronJob: '/spec/jobTemplate/spec/template/spec' }[kind] ?? '/spec/template/spec';
    assert.deepEqual(h.patch.map((op) => op.path), [
      `${prefix}/securityContext`,
      `${prefix}/automountServiceAccountToken`,
      `${prefix}/initContainers/0/securityContext`,
      `${prefix}/containers/0/securityContext`,
      `${prefix}/containers/1/securityContext`,
    ], kind);
    assert.equal(restrictedProblems(out), '', kind);
    assert.ok(h.changes.includes('init container "setup": set securityContext.allowPrivilegeEscalation=false'), kind);
  }
});

test('not a workload, or no pod spec: an empty patch, never an exception', () => {
  const empty = { patch: [], changes: [], skipped: [] };
  const inputs: unknown[] = [
    null, undefined, 42, 'Deployment', [], {}, { kind: 'Deployment' },
    { apiVersion: 'v1', kind: 'ConfigMap', data: { a: 'b' } },
    { apiVersion: 'example.com/v1', kind: 'Deployment', spec: { template: { spec: { containers: [nginx()] } } } },
    { apiVersion: 'apps/v1', kind: 'Deployment', spec: 'nope' },
    { apiVersion: 'apps/v1', kind: 'Deployment', spec: { template: { metadata: {} } } },
    { apiVersion: 'batch/v1', kind: 'CronJob', spec: { jobTemplate: null } },
    { apiVersion: 'v1', kind: 'Pod', spec: [] },
  ];
  for (const input of inputs) assert.deepEqual(hardeningPatch(input), empty, JSON.stringify(input));
});

test('values the user set are never overwritten', () => {
  const obj = deployment({
    securityContext: { runAsNonRoot: false, seccompProfile: { type: 'Localhost', localhostProfile: 'profiles/app.json' } },
    automountServiceAccountToken: true,
    containers: [nginx({ securityContext: { allowPrivilegeEscalation: true, capabilities: { add: ['NET_ADMIN'], drop: ['NET_RAW'] } } })],
  });
  const { h, out } = mutate(obj);
  assert.deepEqual(h.patch, [{ op: 'add', path: '/spec/template/spec/containers/0/securityContext/capabilities/drop/-', value: 'ALL' }]);
  assert.deepEqual(h.changes, ['container "app": added "ALL" to securityContext.capabilities.drop ["NET_RAW"]']);
  const spec = podSpecIn(out);
  assert.deepEqual(spec.securityContext, { runAsNonRoot: false, seccompProfile: { type: 'Localhost', localhostProfile: 'profiles/app.json' } });
  assert.equal(spec.automountServiceAccountToken, true);
  assert.deepEqual((spec.containers as Json[])[0].securityContext, {
    allowPrivilegeEscalation: true, capabilities: { add: ['NET_ADMIN'], drop: ['NET_RAW', 'ALL'] },
  });
  // The validator, not the mutation, reports what the user chose.
  assert.match(restrictedProblems(out), /allowPrivilegeEscalation != false.*must not include "NET_ADMIN".*runAsNonRoot != true/);
});

test('fields are added inside an existing securityContext; null counts as unset', () => {
  const obj = workload('Pod', {
    securityContext: { fsGroup: 2000 },
    containers: [nginx({ securityContext: { readOnlyRootFilesystem: true } }), nginx({ name: 'b', securityContext: { capabilities: { add: ['NET_BIND_SERVICE'] } } }), nginx({ name: 'c', securityContext: null })],
  });
  const { h, out } = mutate(obj);
  assert.deepEqual(h.patch, [
    { op: 'add', path: '/spec/securityContext/seccompProfile', value: { type: 'RuntimeDefault' } },
    { op: 'add', path: '/spec/securityContext/runAsNonRoot', value: true },
    { op: 'add', path: '/spec/automountServiceAccountToken', value: false },
    { op: 'add', path: '/spec/containers/0/securityContext/allowPrivilegeEscalation', value: false },
    { op: 'add', path: '/spec/containers/0/securityContext/capabilities', value: { drop: ['ALL'] } },
    { op: 'add', path: '/spec/containers/1/securityContext/allowPrivilegeEscalation', value: false },
    { op: 'add', path: '/spec/containers/1/securityContext/capabilities/drop', value: ['ALL'] },
    { op: 'add', path: '/spec/containers/2/securityContext', value: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } },
  ]);
  assert.deepEqual((podSpecIn(out).containers as Json[])[1].securityContext, { capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] }, allowPrivilegeEscalation: false });
  assert.equal(restrictedProblems(out), '');
});

test('seccomp: containers that chose a profile keep it; the pod profile is added unless the pod or every container chose one', () => {
  const unconfined = { securityContext: { seccompProfile: { type: 'Unconfined' } } };
  const some = mutate(deployment({ containers: [nginx(unconfined), nginx({ name: 'b' })] }));
  assert.ok(some.h.changes.includes('set spec.template.spec.securityContext.seccompProfile.type=RuntimeDefault'));
  assert.deepEqual((podSpecIn(some.out).containers as Json[])[0].securityContext, { ...unconfined.securityContext, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
  assert.match(restrictedProblems(some.out), /^seccompProfile \(container "app" must not set securityContext.seccompProfile.type to "Unconfined"\)$/);

  const all = mutate(deployment({ containers: [nginx(unconfined), nginx({ name: 'b', securityContext: { seccompProfile: { type: 'RuntimeDefault' } } })] }));
  assert.ok(!all.h.changes.some((c) => c.includes('seccompProfile')));
  assert.deepEqual(podSpecIn(all.out).securityContext, { runAsNonRoot: true });

  // The pre-1.19 annotations are a choice too (the API server rejects a field that disagrees with them).
  const podAnnotation = mutate(deployment({ containers: [nginx()] }, { annotations: { 'seccomp.security.alpha.kubernetes.io/pod': 'unconfined' } }));
  assert.ok(!podAnnotation.h.changes.some((c) => c.includes('seccompProfile')));
  const containerAnnotation = mutate(deployment({ containers: [nginx()] }, { annotations: { 'container.seccomp.security.alpha.kubernetes.io/app': 'runtime/default' } }));
  assert.ok(!containerAnnotation.h.changes.some((c) => c.includes('seccompProfile')));
});

test('allowPrivilegeEscalation is not set where the API server would reject it: privileged or CAP_SYS_ADMIN', () => {
  const { h, out } = mutate(deployment({
    containers: [
      nginx({ securityContext: { privileged: true } }),
      nginx({ name: 'admin', securityContext: { capabilities: { add: ['CAP_SYS_ADMIN'] } } }),
      nginx({ name: 'admin2', securityContext: { capabilities: { add: ['SYS_ADMIN'] } } }),
      nginx({ name: 'plain', securityContext: { privileged: false } }),
    ],
  }));
  assert.deepEqual(h.skipped, [
    'container "app": securityContext.allowPrivilegeEscalation not set: the container is privileged (the API server rejects allowPrivilegeEscalation=false with privileged=true)',
    'container "admin": securityContext.allowPrivilegeEscalation not set: the container adds CAP_SYS_ADMIN (the API server rejects allowPrivilegeEscalation=false with CAP_SYS_ADMIN)',
    'container "admin2": securityContext.allowPrivilegeEscalation not set: the container adds SYS_ADMIN (the API server rejects allowPrivilegeEscalation=false with CAP_SYS_ADMIN)',
  ]);
  const containers = podSpecIn(out).containers as { securityContext: Json }[];
  assert.deepEqual(containers.map((c) => c.securityContext.allowPrivilegeEscalation), [undefined, undefined, undefined, false]);
  assert.deepEqual(containers.map((c) => (c.securityContext.capabilities as Json).drop), [['ALL'], ['ALL'], ['ALL'], ['ALL']]);
  assert.deepEqual((containers[1].securityContext.capabilities as Json).add, ['CAP_SYS_ADMIN'], 'adds are kept');
});

test('runAsNonRoot: skipped for a container known to run as root, set for the containers that inherit it', () => {
  const uid0 = mutate(deployment({ containers: [nginx({ securityContext: { runAsUser: 0 } }), nginx({ name: 'b' })] }));
  assert.ok(!uid0.h.changes.some((c) => c.includes('runAsNonRoot')));
  assert.deepEqual(uid0.h.skipped, ['spec.template.spec.securityContext.runAsNonRoot not set: container "app" (runAsUser=0) runs as root, which the kubelet refuses to start under runAsNonRoot=true']);

  const podUid0 = mutate(deployment({ securityContext: { runAsUser: 0 }, containers: [nginx(), nginx({ name: 'b', securityContext: { runAsUser: 1000 } })] }));
  assert.match(podUid0.h.skipped.join('\n'), /: container "app" \(runAsUser=0\) runs as root/);
  const two = mutate(deployment({ securityContext: { runAsUser: 0 }, initContainers: [nginx({ name: 'init' })], containers: [nginx()] }));
  assert.match(two.h.skipped.join('\n'), /: init container "init" \(runAsUser=0\), container "app" \(runAsUser=0\) run as root,/);

  // A container that says runAsNonRoot: false does not inherit the pod's value, so it does not block it.
  const explicitRoot = mutate(deployment({ containers: [nginx({ securityContext: { runAsNonRoot: false, runAsUser: 0 } }), nginx({ name: 'b' })] }));
  assert.ok(explicitRoot.h.changes.includes('set spec.template.spec.securityContext.runAsNonRoot=true'));
  assert.equal((podSpecIn(explicitRoot.out).containers as { securityContext: Json }[])[0].securityContext.runAsNonRoot, false);

  const everyContainer = mutate(deployment({ containers: [nginx({ securityContext: { runAsNonRoot: true } }), nginx({ name: 'b', securityContext: { runAsNonRoot: false } })] }));
  assert.ok(!everyContainer.h.changes.some((c) => c.includes('runAsNonRoot')));
  assert.deepEqual(everyContainer.h.skipped, []);

  const userns = mutate(deployment({ hostUsers: false, containers: [nginx()] }));
  assert.match(userns.h.skipped.join('\n'), /runAsNonRoot not set: the pod has its own user namespace/);
  assert.equal(restrictedProblems(userns.out), '', 'restricted does not ask for runAsNonRoot in a user namespace');
  assert.deepEqual(hardeningPatch(deployment({ hostUsers: false, containers: [nginx({ securityContext: { runAsNonRoot: true } })] })).skipped, [], 'nothing to skip when no container would inherit it');

  const admin = mutate(deployment({ os: { name: 'windows' }, securityContext: { windowsOptions: { runAsUserName: 'ContainerAdministrator' } }, containers: [nginx()] }));
  assert.match(admin.h.skipped.join('\n'), /runAsNonRoot not set: container "app" \(runAsUserName=ContainerAdministrator\) runs as root/);
});

test('Windows pods get neither seccomp nor the container Linux fields; runAsNonRoot and the token still apply', () => {
  const { h, out } = mutate(deployment({ os: { name: 'windows' }, containers: [{ name: 'iis', image: 'mcr.microsoft.com/windows/servercore/iis' }] }));
  assert.deepEqual(h.patch, [
    { op: 'add', path: '/spec/template/spec/securityContext', value: { runAsNonRoot: true } },
    { op: 'add', path: '/spec/template/spec/automountServiceAccountToken', value: false },
  ]);
  assert.deepEqual(h.skipped, ['seccompProfile, allowPrivilegeEscalation, capabilities not set: Windows pod (spec.os.name: windows), where the API server forbids these Linux fields']);
  assert.equal(restrictedProblems(out), '');
  assert.deepEqual(hardeningPatch(deployment({ os: { name: 'windows' }, containers: [nginx()] }), { runAsNonRoot: false, automountToken: false, seccomp: false }).skipped,
    ['allowPrivilegeEscalation, capabilities not set: Windows pod (spec.os.name: windows), where the API server forbids these Linux fields']);
});

test('automountServiceAccountToken: only for the default service account with no sign of token use', () => {
  const token = (spec: Json) => mutate(deployment({ containers: [nginx()], ...spec })).h;
  const set = 'set spec.template.spec.automountServiceAccountToken=false';
  assert.ok(token({ serviceAccountName: 'default' }).changes.includes(set));
  assert.ok(token({ serviceAccountName: '' }).changes.includes(set));
  assert.deepEqual(token({ serviceAccountName: 'builder' }).skipped,
    ['spec.template.spec.automountServiceAccountToken not set: the pod runs as service account "builder", which is taken to need its token']);
  assert.match(token({ serviceAccount: 'legacy' }).skipped.join(), /service account "legacy"/);
  assert.deepEqual(token({ volumes: [{ name: 'kube-api', projected: { sources: [{ serviceAccountToken: { path: 'token', audience: 'vault' } }] } }] }).skipped,
    ['spec.template.spec.automountServiceAccountToken not set: volume "kube-api" projects a service account token']);
  assert.ok(token({ volumes: [{ name: 'cfg', projected: { sources: [{ configMap: { name: 'x' } }] } }] }).changes.includes(set));
  const mounted = mutate(deployment({ containers: [nginx({ volumeMounts: [{ name: 't', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount/' }] })] })).h;
  assert.deepEqual(mounted.skipped, ['spec.template.spec.automountServiceAccountToken not set: container "app" mounts /var/run/secrets/kubernetes.io/serviceaccount']);
  assert.ok(!token({ automountServiceAccountToken: false }).changes.includes(set));
});

test('each default can be turned off', () => {
  const obj = deployment({ containers: [nginx()] });
  const only = (opts: HardeningOptions) => hardeningPatch(obj, opts).changes;
  const off = { seccomp: false, allowPrivilegeEscalation: false, dropAll: false, runAsNonRoot: false, automountToken: false };
  assert.deepEqual(hardeningPatch(obj, off), { patch: [], changes: [], skipped: [] });
  assert.deepEqual(only({ ...off, seccomp: true }), ['set spec.template.spec.securityContext.seccompProfile.type=RuntimeDefault']);
  assert.deepEqual(only({ ...off, runAsNonRoot: true }), ['set spec.template.spec.securityContext.runAsNonRoot=true']);
  assert.deepEqual(only({ ...off, automountToken: true }), ['set spec.template.spec.automountServiceAccountToken=false']);
  assert.deepEqual(only({ ...off, allowPrivilegeEscalation: true }), ['container "app": set securityContext.allowPrivilegeEscalation=false']);
  assert.deepEqual(only({ ...off, dropAll: true }), ['container "app": set securityContext.capabilities.drop=["ALL"]']);
});

test('a malformed field is left alone and reported, and the rest of the patch still applies', () => {
  const { h } = mutate(deployment({
    securityContext: 'oops',
    containers: [nginx({ securityContext: ['x'] }), nginx({ name: 'b', securityContext: { capabilities: 'all' } }), nginx({ name: 'c', securityContext: { capabilities: { drop: 'ALL' } } })],
  }));
  assert.deepEqual(h.changes, [
    'set spec.template.spec.automountServiceAccountToken=false',
    'container "b": set securityContext.allowPrivilegeEscalation=false',
    'container "c": set securityContext.allowPrivilegeEscalation=false',
  ]);
  assert.deepEqual(h.skipped, [
    'spec.template.spec.securityContext.seccompProfile not set: spec.template.spec.securityContext is not an object',
    'spec.template.spec.securityContext.runAsNonRoot not set: spec.template.spec.securityContext is not an object',
    'container "app": securityContext.allowPrivilegeEscalation not set: spec.template.spec.containers[0].securityContext is not an object',
    'container "app": securityContext.capabilities.drop not set: spec.template.spec.containers[0].securityContext is not an object',
    'container "b": securityContext.capabilities.drop not set: spec.template.spec.containers[1].securityContext.capabilities is not an object',
    'container "c": "ALL" not added: securityContext.capabilities.drop is not a list',
  ]);
});

test('unnamed and ephemeral containers are hardened and named by position and list', () => {
  const { h } = mutate(workload('Pod', { containers: [{ image: 'nginx' }], ephemeralContainers: [{ name: 'debug', image: 'busybox' }] }));
  assert.ok(h.changes.includes('unnamed container containers[0]: set securityContext.allowPrivilegeEscalation=false'));
  assert.ok(h.changes.includes('ephemeral container "debug": set securityContext.capabilities.drop=["ALL"]'));
  assert.ok(h.patch.some((op) => op.path === '/spec/ephemeralContainers/0/securityContext'));
});
