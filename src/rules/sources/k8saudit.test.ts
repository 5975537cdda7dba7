import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FieldError } from '../types.js';
import { createK8sAuditSource } from './index.js';

const source = createK8sAuditSource();
const x = (field: string, event: unknown, arg?: string) => source.bind(field, arg).extract(event);

const base = {
  kind: 'Event',
  apiVersion: 'audit.k8s.io/v1',
  level: 'RequestResponse',
  stage: 'ResponseComplete',
  user: { username: 'alice', groups: ['system:authenticated', 'devs'] },
  sourceIPs: ['10.0.0.5'],
  userAgent: 'kubectl/v1.29.0',
  requestReceivedTimestamp: '2024-05-01T10:00:00.000000Z',
  stageTimestamp: '2024-05-01T10:00:00.123456789Z',
  annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': 'RBAC: allowed by ClusterRoleBinding "admins"' },
};

const createPod = {
  ...base,
  auditID: 'a1',
  verb: 'create',
  requestURI: '/api/v1/namespaces/default/pods?fieldManager=kubectl-client-side-apply',
  objectRef: { resource: 'pods', namespace: 'default', name: 'evil', apiVersion: 'v1' },
  responseStatus: { metadata: {}, code: 201 },
  requestObject: {
    kind: 'Pod',
    apiVersion: 'v1',
    metadata: { name: 'evil', namespace: 'default' },
    spec: {
      hostNetwork: true,
      hostPID: false,
      securityContext: { runAsUser: 1000, supplementalGroups: [5, 6] },
      volumes: [
        { name: 'root', hostPath: { path: '/etc/kubernetes', type: 'Directory' } },
        { name: 'cache', emptyDir: {} },
        { name: 'flex', flexVolume: { driver: 'example/lvm' } },
      ],
      initContainers: [{ name: 'init', image: 'busybox:1.36', command: ['sh', '-c', 'true'], securityContext: { privileged: true } }],
      containers: [
        {
          name: 'app',
          image: 'registry.example.com:5000/team/app:1.2@sha256:abc',
          args: ['--port', '8080'],
          ports: [{ containerPort: 8080 }, { containerPort: 9090, hostPort: 19090 }],
          securityContext: { privileged: true, runAsUser: 0, capabilities: { add: ['NET_ADMIN', 'SYS_TIME'] } },
        },
        { name: 'sidecar', image: 'nginx', securityContext: { readOnlyRootFilesystem: true } },
        { name: 'plain', image: 'docker.io/library/redis@sha256:def' },
      ],
    },
  },
  responseObject: { kind: 'Pod', metadata: { name: 'evil', namespace: 'default' } },
};

test('basic ka.* fields of a pod creation', () => {
  assert.equal(x('ka.auditid', createPod), 'a1');
  assert.equal(x('ka.stage', createPod), 'ResponseComplete');
  assert.equal(x('ka.verb', createPod), 'create');
  assert.equal(x('ka.user.name', createPod), 'alice');
  assert.deepEqual(x('ka.user.groups', createPod), ['system:authenticated', 'devs']);
  assert.equal(x('ka.auth.decision', createPod), 'allow');
  assert.equal(x('ka.auth.reason', createPod), 'RBAC: allowed by ClusterRoleBinding "admins"');
  assert.equal(x('ka.target.resource', createPod), 'pods');
  assert.equal(x('ka.target.namespace', createPod), 'default');
  assert.equal(x('ka.target.subresource', createPod), undefined);
  assert.equal(x('ka.target.pod.name', createPod), 'evil');
  assert.equal(x('ka.resp.name', createPod), 'evil');
  assert.equal(x('ka.useragent', createPod), 'kubectl/v1.29.0');
  assert.equal(x('ka.impuser.name', createPod), undefined);
});

test('non-string JSON values become compact JSON text', () => {
  assert.equal(x('ka.response.code', createPod), '201');
  assert.equal(x('ka.req.pod.host_network', createPod), 'true');
  assert.equal(x('ka.req.container.host_network', createPod), 'true');
  assert.equal(x('ka.req.pod.host_pid', createPod), 'false');
  assert.equal(x('ka.req.pod.host_ipc', createPod), undefined);
  assert.equal(x('ka.req.pod.run_as_user', createPod), '1000');
  assert.deepEqual(x('ka.req.pod.supplemental_groups', createPod), ['5', '6']);
  assert.deepEqual(x('ka.req.pod.containers.add_capabilities', createPod), ['["NET_ADMIN","SYS_TIME"]']);
});

test('container lists, images and repositories (split on ":" then "@")', () => {
  assert.deepEqual(x('ka.req.pod.containers.name', createPod), ['app', 'sidecar', 'plain']);
  assert.deepEqual(x('ka.req.pod.containers.image', createPod), ['registry.example.com:5000/team/app:1.2@sha256:abc', 'nginx', 'docker.io/library/redis@sha256:def']);
  assert.deepEqual(x('ka.req.pod.containers.image.repository', createPod), ['registry.example.com', 'nginx', 'docker.io/library/redis']);
  assert.equal(x('ka.req.container.image', createPod), 'registry.example.com:5000/team/app:1.2@sha256:abc');
  assert.equal(x('ka.req.container.image.repository', createPod), 'registry.example.com');
  assert.deepEqual(x('ka.req.pod.initContainers.image', createPod), ['busybox:1.36']);
  assert.deepEqual(x('ka.req.pod.initContainers.command', createPod), ['sh -c true']);
  assert.deepEqual(x('ka.req.pod.containers.args', createPod), ['--port 8080']);
  assert.equal(x('ka.req.pod.ephemeralContainers.image', createPod), undefined);
});

test('index argument selects one container and makes the field scalar', () => {
  const b = source.bind('ka.req.pod.containers.image', '1');
  assert.equal(b.list, false);
  assert.equal(b.text, 'ka.req.pod.containers.image[1]');
  assert.equal(b.extract(createPod), 'nginx');
  assert.equal(x('ka.req.pod.containers.image', createPod, '7'), undefined);
  assert.equal(source.bind('ka.req.pod.containers.image').list, true);
  assert.equal(x('ka.req.pod.containers.privileged', createPod, '0'), 'true');
  assert.equal(x('ka.req.pod.containers.privileged', createPod, '1'), undefined);
});

test('privileged-style lists skip containers without the key; any-container privileged flag', () => {
  assert.deepEqual(x('ka.req.pod.containers.privileged', createPod), ['true']);
  assert.deepEqual(x('ka.req.pod.containers.read_only_fs', createPod), ['true']);
  assert.deepEqual(x('ka.req.pod.initContainers.privileged', createPod), ['true']);
  assert.equal(x('ka.req.pod.containers.allow_privilege_escalation', createPod), undefined, 'empty list is not extracted');
  assert.equal(x('ka.req.container.privileged', createPod), 'true');
  const unprivileged = structuredClone(createPod);
  unprivileged.requestObject.spec.containers[0].securityContext!.privileged = false;
  assert.equal(x('ka.req.container.privileged', unprivileged), 'false');
});

test('effective run-as user/group: container, else pod, else "0"', () => {
  assert.deepEqual(x('ka.req.pod.containers.eff_run_as_user', createPod), ['0', '1000', '1000']);
  assert.deepEqual(x('ka.req.pod.containers.eff_run_as_group', createPod), ['0', '0', '0']);
  assert.equal(x('ka.req.pod.containers.eff_run_as_user', createPod, '2'), '1000');
});

test('host ports: hostPort else containerPort', () => {
  assert.deepEqual(x('ka.req.pod.containers.host_port', createPod), ['8080', '19090']);
});

test('volumes: hostpath list, prefix key with *, flexvolume, volume types', () => {
  assert.deepEqual(x('ka.req.pod.volumes.hostpath', createPod), ['/etc/kubernetes']);
  assert.equal(x('ka.req.volume.hostpath', createPod, '/etc/kubernetes'), 'true');
  assert.equal(x('ka.req.volume.hostpath', createPod, '/etc'), 'false');
  assert.equal(x('ka.req.volume.hostpath', createPod, '/etc*'), 'true');
  assert.equal(x('ka.req.volume.hostpath', createPod, '/var*'), 'false');
  assert.deepEqual(x('ka.req.pod.volumes.flexvolume_driver', createPod), ['example/lvm']);
  assert.deepEqual(x('ka.req.pod.volumes.volume_type', createPod), ['hostPath', 'emptyDir', 'flexVolume']);
});

const exec = {
  ...base,
  auditID: 'a2',
  verb: 'create',
  requestURI: '/api/v1/namespaces/default/pods/web-0/exec?command=%2Fbin%2Fbash&command=-i&container=web&stdin=true&tty=true',
  objectRef: { resource: 'pods', namespace: 'default', name: 'web-0', subresource: 'exec', apiVersion: 'v1' },
  responseStatus: { metadata: {}, code: 101 },
  responseObject: { metadata: { name: 'web-0' } },
};

test('exec: uri params (first value, decoded), subresource, no target pod name', () => {
  assert.equal(x('ka.uri.param', exec, 'command'), '/bin/bash');
  assert.equal(x('ka.uri.param', exec, 'container'), 'web');
  assert.equal(x('ka.uri.param', exec, 'nope'), undefined);
  assert.equal(x('ka.target.subresource', exec), 'exec');
  assert.equal(x('ka.target.pod.name', exec), undefined);
  assert.equal(x('ka.resp.name', exec), 'web-0');
});

const crb = {
  ...base,
  auditID: 'a3',
  verb: 'create',
  requestURI: '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
  objectRef: { resource: 'clusterrolebindings', name: 'admins', apiGroup: 'rbac.authorization.k8s.io', apiVersion: 'v1' },
  responseStatus: { metadata: {}, code: 201 },
  requestObject: {
    kind: 'ClusterRoleBinding',
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
    subjects: [
      { kind: 'User', name: 'bob', apiGroup: 'rbac.authorization.k8s.io' },
      { kind: 'Group', name: 'ops', apiGroup: 'rbac.authorization.k8s.io' },
      { kind: 'ServiceAccount', name: 'deployer', namespace: 'ci' },
    ],
  },
};

test('cluster role binding subjects', () => {
  assert.equal(x('ka.req.binding.role', crb), 'cluster-admin');
  assert.deepEqual(x('ka.req.binding.subjects', crb), [
    '{"kind":"User","name":"bob","apiGroup":"rbac.authorization.k8s.io"}',
    '{"kind":"Group","name":"ops","apiGroup":"rbac.authorization.k8s.io"}',
    '{"kind":"ServiceAccount","name":"deployer","namespace":"ci"}',
  ]);
  assert.deepEqual(x('ka.req.binding.subjects.user_names', crb), ['bob']);
  assert.deepEqual(x('ka.req.binding.subjects.group_names', crb), ['ops']);
  assert.deepEqual(x('ka.req.binding.subjects.serviceaccount_names', crb), ['deployer']);
  assert.deepEqual(x('ka.req.binding.subjects.serviceaccount_ns_names', crb), ['ci:deployer']);
  assert.equal(x('ka.req.binding.subject.has_name', crb, 'anything'), 'true');
  const noUsers = structuredClone(crb);
  noUsers.requestObject.subjects = [];
  assert.equal(x('ka.req.binding.subjects.user_names', noUsers), undefined);
  assert.equal(x('ka.req.binding.subjects', noUsers), undefined);
});

const role = {
  ...base,
  auditID: 'a4',
  verb: 'create',
  objectRef: { resource: 'clusterroles', name: 'reader' },
  requestObject: {
    kind: 'ClusterRole',
    rules: [
      { apiGroups: [''], resources: ['pods', 'secrets'], verbs: ['get', 'list'] },
      { nonResourceURLs: ['/healthz'], verbs: ['*'] },
    ],
  },
};

test('role rules: flattened lists, index picks one rule', () => {
  assert.deepEqual(x('ka.req.role.rules.verbs', role), ['get', 'list', '*']);
  assert.deepEqual(x('ka.req.role.rules.resources', role), ['pods', 'secrets']);
  assert.deepEqual(x('ka.req.role.rules.apiGroups', role), ['']);
  assert.deepEqual(x('ka.req.role.rules.nonResourceURLs', role), ['/healthz']);
  const b = source.bind('ka.req.role.rules.verbs', '1');
  assert.equal(b.list, true, 'one rule still has several verbs');
  assert.deepEqual(b.extract(role), ['*']);
  assert.equal((x('ka.req.role.rules', role) as string[]).length, 2);
});

const configmap = {
  ...base,
  auditID: 'a5',
  verb: 'create',
  objectRef: { resource: 'configmaps', namespace: 'default', name: 'creds' },
  requestObject: { kind: 'ConfigMap', data: { 'aws_access_key_id': 'AKIA…', n: '1' } },
};

test('configmap name and data, json plugin fields', () => {
  assert.equal(x('ka.req.configmap.name', configmap), 'creds');
  assert.equal(x('ka.req.configmap.obj', configmap), '{"aws_access_key_id":"AKIA…","n":"1"}');
  assert.equal(x('jevt.value', configmap, '/requestObject/data/n'), '1');
  assert.equal(x('jevt.value', configmap, '/objectRef'), '{"resource":"configmaps","namespace":"default","name":"creds"}');
  assert.equal(x('jevt.value', configmap, '/stage'), 'ResponseComplete');
  assert.equal(x('json.value', configmap, '/missing'), undefined);
  assert.equal(x('jevt.rawtime', configmap), '1714557600123456789');
  assert.equal(x('jevt.obj', configmap), JSON.stringify(configmap, null, 2));
  assert.equal(source.timeNs(configmap), 1714557600123456789n);
  assert.equal(source.eventType(configmap), undefined);
});

test('JSON pointer escapes ~1 and ~0, and array indexes', () => {
  const ev = { ...configmap, annotations: { 'a/b': 'slash', 'c~d': 'tilde' } };
  assert.equal(x('jevt.value', ev, '/annotations/a~1b'), 'slash');
  assert.equal(x('jevt.value', ev, '/annotations/c~0d'), 'tilde');
  assert.equal(x('jevt.value', createPod, '/requestObject/spec/containers/1/name'), 'sidecar');
  assert.equal(x('jevt.value', createPod, '/requestObject/spec/containers/length'), undefined);
  assert.equal(x('jevt.value', createPod, '/constructor'), undefined, 'inherited members are not JSON members');
  assert.equal(x('jevt.value', createPod, '/__proto__'), undefined);
  assert.equal(x('jevt.value', { constructor: 'own' }, '/constructor'), 'own');
});

const anonymous = {
  ...base,
  auditID: 'a6',
  user: { username: 'system:anonymous', groups: ['system:unauthenticated'] },
  verb: 'get',
  requestURI: '/api/v1/secrets',
  objectRef: { resource: 'secrets' },
  responseStatus: { metadata: {}, status: 'Failure', reason: 'Forbidden', code: 403 },
  annotations: { 'authorization.k8s.io/decision': 'forbid', 'authorization.k8s.io/reason': '', cluster_name: 'prod' },
};

test('anonymous forbidden request', () => {
  assert.equal(x('ka.user.name', anonymous), 'system:anonymous');
  assert.equal(x('ka.auth.decision', anonymous), 'forbid');
  assert.equal(x('ka.auth.reason', anonymous), '');
  assert.equal(x('ka.response.reason', anonymous), 'Forbidden');
  assert.equal(x('ka.response.code', anonymous), '403');
  assert.equal(x('ka.cluster.name', anonymous), 'prod');
  assert.equal(x('ka.target.name', anonymous), undefined);
});

test('events without auditID yield no ka.* field, but json fields still work', () => {
  const { auditID: _drop, ...noId } = createPod;
  for (const def of source.fields) {
    if (!def.name.startsWith('ka.')) continue;
    const arg = def.arg === 'required' ? 'x' : undefined;
    assert.equal(source.bind(def.name, arg).extract(noId), undefined, def.name);
  }
  assert.equal(x('jevt.value', noId, '/verb'), 'create');
});

test('null JSON values are the text "null" (fastjson marshals them)', () => {
  const ev = { ...exec, objectRef: { ...exec.objectRef, subresource: null } };
  assert.equal(x('ka.target.subresource', ev), 'null');
});

test('service type and ports', () => {
  const svc = { ...base, auditID: 'a7', requestObject: { kind: 'Service', spec: { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] } } };
  assert.equal(x('ka.req.service.type', svc), 'NodePort');
  assert.deepEqual(x('ka.req.service.ports', svc), ['[{"port":80,"nodePort":30080}]']);
});

test('bind errors use libsinsp wording', () => {
  assert.throws(() => source.bind('ka.nope'), (e: unknown) => e instanceof FieldError && e.message === 'filter_check called with nonexistent field ka.nope');
  assert.throws(() => source.bind('ka.uri.param'), /ka\.uri\.param requires an argument but none provided/);
  assert.throws(() => source.bind('ka.verb', 'x'), /ka\.verb does not allow nor require an argument but one is provided: x/);
  assert.throws(() => source.bind('ka.req.pod.containers.image', 'a'), /invalid index argument not composed only by digits: a/);
  assert.throws(() => source.bind('ka.req.pod.containers.image', '01'), /invalid index argument starting with 0: 01/);
  assert.throws(() => source.bind('jevt.value'), /requires an argument/);
});

test('every field binds and extracts without throwing on odd input', () => {
  const odd = [createPod, exec, crb, role, configmap, anonymous, { auditID: 1, requestObject: { spec: { containers: 'x', volumes: [null, 3] } } }, { auditID: 'z', requestObject: [] }, null, 42, 'str'];
  for (const def of source.fields) {
    const args = def.arg === 'required' ? ['x', '/a'] : def.arg === 'optional' ? [undefined, '0', '3'] : [undefined];
    for (const arg of args) {
      const b = source.bind(def.name, arg);
      for (const ev of odd) {
        const v = b.extract(ev);
        assert.ok(v === undefined || typeof v === 'string' || (Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === 'string')), `${b.text}: ${String(v)}`);
      }
    }
  }
});
