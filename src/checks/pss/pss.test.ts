import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseYamlText, podSpecOf } from '../../model/index.js';
import { controlsFor, evaluatePodSpec, formatPssViolations, parsePssVersion, pssFindings, LATEST_MINOR } from './index.js';

function pod(spec: string, annotations = ''): string {
  return `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: ns\n${annotations}spec:\n${spec}`;
}

function evaluate(text: string, level: 'baseline' | 'restricted', version = 'latest') {
  const r = parseYamlText(text, 'p.yaml').resources[0];
  return evaluatePodSpec(podSpecOf(r.object)!, { level, minor: parsePssVersion(version)! });
}

const HARDENED = `  securityContext:
    runAsNonRoot: true
    seccompProfile: {type: RuntimeDefault}
  containers:
  - name: app
    image: nginx
    securityContext:
      allowPrivilegeEscalation: false
      capabilities: {drop: [ALL]}
`;

test('versions: latest, v1.N, newer than known, and junk', () => {
  assert.equal(parsePssVersion('latest'), LATEST_MINOR);
  assert.equal(parsePssVersion('v1.0'), 0);
  assert.equal(parsePssVersion('v1.25'), 25);
  assert.equal(parsePssVersion('v1.99'), LATEST_MINOR);
  assert.equal(parsePssVersion('1.25'), undefined);
  assert.equal(parsePssVersion('v2.0'), undefined);
});

test('control sets: restricted replaces the baseline controls it overrides, by version', () => {
  const ids = (level: 'baseline' | 'restricted', minor: number) => controlsFor({ level, minor }).map((c) => c.id).sort();
  assert.equal(ids('baseline', 33).length, 11);
  assert.equal(ids('baseline', 34).length, 12); // + hostProbesAndHostLifecycle
  const r18 = ids('restricted', 18);
  assert.ok(r18.includes('seccompProfile_baseline') && !r18.includes('seccompProfile_restricted'));
  const r21 = ids('restricted', 21);
  assert.ok(r21.includes('capabilities_baseline') && !r21.includes('capabilities_restricted'));
  const r35 = ids('restricted', 35);
  assert.ok(!r35.includes('procMount') && r35.includes('procMount_restricted'));
  assert.ok(!r35.includes('hostPathVolumes') && !r35.includes('capabilities_baseline') && !r35.includes('seccompProfile_baseline'));
  assert.ok(!ids('restricted', 7).includes('allowPrivilegeEscalation'));
});

test('a hardened pod passes restricted', () => {
  assert.deepEqual(evaluate(pod(HARDENED), 'restricted'), []);
});

test('messages follow the admission plugin: reason (detail)', () => {
  const results = evaluate(pod(`  containers:
  - name: app
    image: nginx
    securityContext:
      privileged: true
      capabilities: {add: [SYS_ADMIN, NET_RAW, CHOWN]}
    ports: [{containerPort: 80, hostPort: 8080}]
  hostNetwork: true
  hostPID: true
`), 'baseline');
  assert.equal(formatPssViolations(results),
    'non-default capabilities (container "app" must not include "SYS_ADMIN", "NET_RAW" in securityContext.capabilities.add), ' +
    'host namespaces (hostNetwork=true, hostPID=true), ' +
    'hostPort (container "app" uses hostPort 8080), ' +
    'privileged (container "app" must not set securityContext.privileged=true)');
});

test('values of the wrong type are shown as JSON and never pass as the scalar they wrap', () => {
  // A nested list is not the capability it holds, a mapping is not a port: pod-security-admission's
  // decoder would reject both, so they are reported, and shown as written.
  const results = evaluate(pod(`  containers:
  - name: app
    image: nginx
    securityContext:
      capabilities: {add: [[CHOWN], {name: SYS_ADMIN}]}
    ports: [{containerPort: 80, hostPort: {port: 8080}}]
`), 'baseline');
  assert.equal(formatPssViolations(results),
    'non-default capabilities (container "app" must not include "[\\"CHOWN\\"]", "{\\"name\\":\\"SYS_ADMIN\\"}" in securityContext.capabilities.add), ' +
    'hostPort (container "app" uses hostPort {"port":8080})');
  const restricted = evaluate(pod(`  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
  containers:
  - name: app
    image: nginx
    securityContext:
      allowPrivilegeEscalation: false
      capabilities: {drop: [ALL], add: [[NET_BIND_SERVICE]]}
`), 'restricted');
  // A nested ["NET_BIND_SERVICE"] is not NET_BIND_SERVICE, the one capability restricted allows.
  assert.equal(formatPssViolations(restricted),
    'unrestricted capabilities (container "app" must not include "[\\"NET_BIND_SERVICE\\"]" in securityContext.capabilities.add)');
});

test('findings carry the check id, the field path and the line of the field', () => {
  const text = `apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: web}
spec:
  template:
    spec:
      containers:
      - name: app
        image: nginx
        securityContext:
          allowPrivilegeEscalation: true
          capabilities: {drop: [ALL]}
      - name: sidecar
        image: envoy
      securityContext:
        runAsNonRoot: true
        seccompProfile: {type: RuntimeDefault}
`;
  const r = parseYamlText(text, 'deploy.yaml').resources[0];
  const findings = pssFindings(r, { level: 'restricted', minor: LATEST_MINOR });
  assert.deepEqual(findings.map((f) => [f.check, f.path, f.line]), [
    ['pss/restricted/allowPrivilegeEscalation', 'spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation', 11],
    ['pss/restricted/allowPrivilegeEscalation', 'spec.template.spec.containers[1].securityContext.allowPrivilegeEscalation', 13],
    ['pss/restricted/capabilities_restricted', 'spec.template.spec.containers[1].securityContext.capabilities.drop', 13],
  ]);
  assert.equal(findings[0].message, 'allowPrivilegeEscalation != false (container "app" must set securityContext.allowPrivilegeEscalation=false)');
  assert.equal(findings[0].severity, 'high');
  assert.deepEqual(findings[0].resource, { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'web', name: 'api', file: 'deploy.yaml', line: 1 });
});

test('the one-line summary groups containers the way the admission plugin does', () => {
  const r = evaluate(pod(`  containers: [{name: a, image: x}, {name: b, image: y}]\n`), 'restricted');
  assert.equal(formatPssViolations(r.filter((x) => x.control.id === 'allowPrivilegeEscalation')),
    'allowPrivilegeEscalation != false (containers "a", "b" must set securityContext.allowPrivilegeEscalation=false)');
});

test('runAsNonRoot: pod-level true covers containers, explicit false anywhere fails', () => {
  const msgs = (spec: string) => evaluate(pod(spec), 'restricted').filter((r) => r.control.id === 'runAsNonRoot').flatMap((r) => r.violations.map((v) => v.detail));
  const base = `    image: x\n    securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}\n`;
  assert.deepEqual(msgs(`  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}\n  containers:\n  - name: a\n${base}`), []);
  assert.deepEqual(msgs(`  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}\n  containers:\n  - name: a\n    image: x\n    securityContext: {runAsNonRoot: false}\n`),
    ['container "a" must not set securityContext.runAsNonRoot=false']);
  assert.deepEqual(msgs(`  securityContext: {runAsNonRoot: false}\n  containers:\n  - name: a\n    image: x\n    securityContext: {runAsNonRoot: true}\n`),
    ['pod must not set securityContext.runAsNonRoot=false']);
  assert.deepEqual(msgs(`  containers:\n  - name: a\n${base}`), ['pod or container "a" must set securityContext.runAsNonRoot=true']);
});

test('hostUsers: false relaxes runAsNonRoot, runAsUser and baseline procMount from v1.35 only', () => {
  const spec = `  hostUsers: false
  securityContext: {seccompProfile: {type: RuntimeDefault}, runAsUser: 0}
  containers:
  - name: a
    image: x
    securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}, procMount: Unmasked}
`;
  const ids = (level: 'baseline' | 'restricted', v: string) => evaluate(pod(spec), level, v).map((r) => r.control.id).sort();
  assert.deepEqual(ids('baseline', 'v1.34'), ['procMount']);
  assert.deepEqual(ids('baseline', 'v1.35'), []);
  assert.deepEqual(ids('restricted', 'v1.34'), ['procMount', 'runAsNonRoot', 'runAsUser']);
  assert.deepEqual(ids('restricted', 'v1.35'), ['procMount_restricted']);
});

test('Windows pods skip the Linux-only restricted controls from v1.25', () => {
  const spec = `  os: {name: windows}\n  securityContext: {runAsNonRoot: true}\n  containers:\n  - name: a\n    image: x\n`;
  assert.deepEqual(evaluate(pod(spec), 'restricted', 'v1.25'), []);
  assert.deepEqual(evaluate(pod(spec), 'restricted', 'v1.24').map((r) => r.control.id).sort(),
    ['allowPrivilegeEscalation', 'capabilities_restricted', 'seccompProfile_restricted']);
});

test('sysctls: the safe list grows by version', () => {
  const spec = (name: string) => `  securityContext:\n    sysctls: [{name: ${name}, value: "1"}]\n  containers: [{name: a, image: x}]\n`;
  const denied = (name: string, v: string) => evaluate(pod(spec(name)), 'baseline', v).length > 0;
  assert.equal(denied('net.ipv4.ip_local_reserved_ports', 'v1.26'), true);
  assert.equal(denied('net.ipv4.ip_local_reserved_ports', 'v1.27'), false);
  assert.equal(denied('net.ipv4.tcp_keepalive_time', 'v1.28'), true);
  assert.equal(denied('net.ipv4.tcp_keepalive_time', 'v1.29'), false);
  assert.equal(denied('net.ipv4.tcp_rmem', 'v1.32'), false);
  assert.equal(denied('net.ipv4.tcp_notsent_lowat', 'v1.36'), true);
  assert.equal(denied('net.ipv4.tcp_notsent_lowat', 'v1.37'), false);
  assert.equal(denied('kernel.msgmax', 'latest'), true);
});

test('AppArmor: annotation and field forms', () => {
  const ann = `  annotations:\n    container.apparmor.security.beta.kubernetes.io/a: unconfined\n`;
  const r = evaluate(pod(`  containers: [{name: a, image: x}]\n`, ann), 'baseline');
  assert.equal(formatPssViolations(r), 'forbidden AppArmor profile (container.apparmor.security.beta.kubernetes.io/a="unconfined")');
  const f = evaluate(pod(`  containers: [{name: a, image: x, securityContext: {appArmorProfile: {type: Unconfined}}}]\n`), 'baseline');
  assert.equal(f[0].violations[0].detail, 'container "a" must not set securityContext.appArmorProfile.type="Unconfined"');
  assert.deepEqual(evaluate(pod(`  containers: [{name: a, image: x, securityContext: {appArmorProfile: {type: Localhost, localhostProfile: p}}}]\n`), 'baseline'), []);
});

test('SELinux: container_engine_t is allowed from v1.31, user and role never', () => {
  const spec = (opts: string) => `  containers: [{name: a, image: x, securityContext: {seLinuxOptions: ${opts}}}]\n`;
  assert.equal(evaluate(pod(spec('{type: container_engine_t}')), 'baseline', 'v1.30').length, 1);
  assert.equal(evaluate(pod(spec('{type: container_engine_t}')), 'baseline', 'v1.31').length, 0);
  assert.equal(evaluate(pod(spec('{user: system_u}')), 'baseline')[0].violations[0].detail,
    'container "a" set forbidden securityContext.seLinuxOptions: user may not be set');
});

test('restricted volumes: name-only volumes are defaulted emptyDirs; unknown sources are denied', () => {
  const spec = (vol: string) => `${HARDENED}  volumes: [${vol}]\n`;
  assert.deepEqual(evaluate(pod(spec('{name: scratch}')), 'restricted'), []);
  assert.deepEqual(evaluate(pod(spec('{name: c, configMap: {name: x}}')), 'restricted'), []);
  assert.equal(evaluate(pod(spec('{name: n, nfs: {server: s, path: /}}')), 'restricted')[0].violations[0].detail,
    'volume "n" uses restricted volume type "nfs"');
  assert.equal(evaluate(pod(spec('{name: z, somethingNew: {}}')), 'restricted')[0].violations[0].detail,
    'volume "z" uses restricted volume type "unknown"');
});

test('host probes and lifecycle hooks (v1.34+)', () => {
  const spec = `  containers:\n  - name: a\n    image: x\n    readinessProbe: {tcpSocket: {host: 10.0.0.1, port: 80}}\n    lifecycle: {preStop: {httpGet: {host: metadata.internal, port: 80}}}\n`;
  assert.deepEqual(evaluate(pod(spec), 'baseline', 'v1.33'), []);
  const r = evaluate(pod(spec), 'baseline', 'v1.34');
  assert.deepEqual(r[0].violations.map((v) => v.detail), [
    'container "a" uses readinessProbe.tcpSocket.host "10.0.0.1"',
    'container "a" uses lifecycle.preStop.httpGet.host "metadata.internal"',
  ]);
});

test('seccomp: annotations before v1.19, fields after', () => {
  const ann = `  annotations:\n    seccomp.security.alpha.kubernetes.io/pod: unconfined\n`;
  const r = evaluate(pod(`  containers: [{name: a, image: x}]\n`, ann), 'baseline', 'v1.18');
  assert.equal(formatPssViolations(r), 'seccompProfile (forbidden annotation seccomp.security.alpha.kubernetes.io/pod="unconfined")');
  assert.deepEqual(evaluate(pod(`  containers: [{name: a, image: x}]\n`, ann), 'baseline', 'v1.19'), []);
});
