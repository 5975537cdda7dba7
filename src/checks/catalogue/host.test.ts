import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normaliseHostPath } from './host.js';
import type { CheckParams } from './types.js';
import { brief, findingsOf, lineOf, pod, type Brief } from './testkit.js';

const scan = (ids: string | string[], text: string, params: Partial<CheckParams> = {}): Brief[] => findingsOf(text, ids, params).map(brief);

const SENSITIVE = 'host/sensitive-hostpath';
const ALIASES = 'host/host-aliases';

test('normaliseHostPath: slashes, dots and backsteps', () => {
  assert.equal(normaliseHostPath('/etc/'), '/etc');
  assert.equal(normaliseHostPath('//var//run/./docker.sock'), '/var/run/docker.sock');
  assert.equal(normaliseHostPath('/var/run/../../etc/kubernetes/'), '/etc/kubernetes');
  assert.equal(normaliseHostPath('/'), '/');
  assert.equal(normaliseHostPath('///'), '/');
  assert.equal(normaliseHostPath('/..'), '/');
});

test('sensitive-hostpath: runtime sockets, sensitive directories, mount modes', () => {
  const text = pod(`  initContainers:
  - name: setup
    image: x
    volumeMounts:
    - {name: pods, mountPath: /pods}
  containers:
  - name: app
    image: x
    volumeMounts:
    - {name: docker, mountPath: /var/run/docker.sock, readOnly: true}
    - {name: etc, mountPath: /host/etc, readOnly: true}
    - {name: root, mountPath: /host, readOnly: true}
  - name: agent
    image: x
    volumeMounts:
    - {name: logs, mountPath: /logs, readOnly: true}
    - {name: logs, mountPath: /logs2}
  volumes:
  - name: docker
    hostPath: {path: /var/run/docker.sock, type: Socket}
  - name: etc
    hostPath: {path: /etc/}
  - name: pods
    hostPath: {path: /var/lib/kubelet/pods}
  - name: varlib
    hostPath: {path: /var/lib}
  - name: data
    hostPath: {path: /srv/data}
  - name: etcd
    hostPath: {path: /etcd}
  - name: crio
    hostPath: {path: "//run//crio/./crio.sock"}
  - name: root
    hostPath: {path: /}
  - name: pipe
    hostPath: {path: '\\\\.\\pipe\\docker_engine'}
  - name: logs
    hostPath: {path: /var/log}
  - name: broken
    hostPath: {}
  - name: alsobroken
    hostPath: /etc
`);
  const path = (i: number) => `spec.volumes[${i}].hostPath.path`;
  assert.deepEqual(scan(SENSITIVE, text), [
    {
      check: SENSITIVE, severity: 'critical', path: path(0), line: lineOf(text, 'path: /var/run/docker.sock'),
      message: 'volume "docker" mounts host path "/var/run/docker.sock", the container runtime socket; mounted read-only by container "app"',
    },
    {
      check: SENSITIVE, severity: 'high', path: path(1), line: lineOf(text, 'path: /etc/'),
      message: 'volume "etc" mounts host path "/etc/" (/etc), a sensitive host path; mounted read-only by container "app"',
    },
    {
      check: SENSITIVE, severity: 'critical', path: path(2), line: lineOf(text, 'path: /var/lib/kubelet/pods'),
      message: 'volume "pods" mounts host path "/var/lib/kubelet/pods", a path under sensitive /var/lib/kubelet; mounted read-write by init container "setup"',
    },
    {
      check: SENSITIVE, severity: 'high', path: path(3), line: lineOf(text, 'path: /var/lib}'),
      message: 'volume "varlib" mounts host path "/var/lib", a directory holding sensitive /var/lib/kubelet, /var/lib/docker, /var/lib/containerd, …; not mounted by any container',
    },
    {
      check: SENSITIVE, severity: 'critical', path: path(6), line: lineOf(text, 'crio.sock'),
      message: 'volume "crio" mounts host path "//run//crio/./crio.sock" (/run/crio/crio.sock), the container runtime socket; not mounted by any container',
    },
    {
      check: SENSITIVE, severity: 'critical', path: path(7), line: lineOf(text, 'path: /}'),
      message: 'volume "root" mounts host path "/", the node\'s root filesystem, runtime socket included; mounted read-only by container "app"',
    },
    {
      check: SENSITIVE, severity: 'critical', path: path(8), line: lineOf(text, 'docker_engine'),
      message: 'volume "pipe" mounts host path "\\\\\\\\.\\\\pipe\\\\docker_engine", the container runtime named pipe; not mounted by any container',
    },
    {
      check: SENSITIVE, severity: 'critical', path: path(9), line: lineOf(text, 'path: /var/log'),
      message: 'volume "logs" mounts host path "/var/log", a sensitive host path; mounted read-write by container "agent"',
    },
  ]);
});

test('sensitive-hostpath: a directory that holds a runtime socket is critical even read-only', () => {
  const text = pod(`  containers:
  - name: app
    image: x
    volumeMounts: [{name: run, mountPath: /run, readOnly: true}]
  volumes:
  - name: run
    hostPath: {path: /run/containerd}
`);
  assert.deepEqual(scan(SENSITIVE, text).map((f) => [f.severity, f.message]), [
    ['critical', 'volume "run" mounts host path "/run/containerd", a directory holding the container runtime socket /run/containerd/containerd.sock; mounted read-only by container "app"'],
  ]);
});

test('sensitive-hostpath: params.sensitiveHostPaths replaces the directory list; sockets stay critical', () => {
  const text = pod(`  containers: [{name: app, image: x}]
  volumes:
  - {name: secrets, hostPath: {path: /opt/secrets/app}}
  - {name: etc, hostPath: {path: /etc}}
  - {name: sock, hostPath: {path: /custom/place/containerd.sock}}
`);
  assert.deepEqual(scan(SENSITIVE, text, { sensitiveHostPaths: ['/opt/secrets/', 42 as unknown as string, ''] }).map((f) => [f.path, f.severity]), [
    ['spec.volumes[0].hostPath.path', 'high'],
    ['spec.volumes[2].hostPath.path', 'critical'],
  ]);
  // A broken params value is not a crash.
  assert.equal(scan(SENSITIVE, text, { sensitiveHostPaths: 'oops' as unknown as string[] }).length, 1);
});

test('sensitive-hostpath: no hostPath, harmless hostPath, and a Deployment path', () => {
  assert.deepEqual(scan(SENSITIVE, pod(`  containers: [{name: app, image: x}]
  volumes:
  - {name: tmp, emptyDir: {}}
  - {name: data, hostPath: {path: /srv/app-data}}
`)), []);
  const text = `apiVersion: batch/v1
kind: CronJob
metadata: {name: c}
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers: [{name: app, image: x, volumeMounts: [{name: d, mountPath: /d}]}]
          volumes: [{name: d, hostPath: {path: /var/run/docker.sock}}]
`;
  assert.deepEqual(scan(SENSITIVE, text).map((f) => [f.path, f.line]), [['spec.jobTemplate.spec.template.spec.volumes[0].hostPath.path', 10]]);
});

test('host-aliases: entries are listed; none or empty is fine', () => {
  const text = pod(`  containers: [{name: app, image: x}]
  hostAliases:
  - ip: 10.0.0.1
    hostnames: [foo.local, bar.local]
  - ip: 10.0.0.2
    hostnames: [registry.example.com]
`);
  assert.deepEqual(scan(ALIASES, text), [{
    check: ALIASES, severity: 'low', path: 'spec.hostAliases', line: lineOf(text, 'hostAliases:'),
    message: 'pod spec.hostAliases overrides DNS in /etc/hosts for 3 names: 10.0.0.1 foo.local bar.local, 10.0.0.2 registry.example.com',
  }]);
  assert.deepEqual(scan(ALIASES, pod(`  containers: [{name: app, image: x}]\n  hostAliases: []\n`)), []);
  assert.deepEqual(scan(ALIASES, pod(`  containers: [{name: app, image: x}]\n  hostAliases: {ip: 1.2.3.4}\n`)), []);
  assert.deepEqual(scan(ALIASES, pod(`  containers: [{name: app, image: x}]\n  hostAliases: [42, {hostnames: x}]\n`)).map((f) => f.message), [
    'pod spec.hostAliases overrides DNS in /etc/hosts for 0 names: ? (no hostnames)',
  ]);
});
