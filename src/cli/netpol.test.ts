// End-to-end: `palisade netpol …` as a user runs it, on files, directories and stdin.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = join(root, 'bin', 'palisade.js');
let dir: string;

function run(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [bin, 'netpol', ...args], { cwd: dir, input, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
  assert.equal(r.signal, null, 'palisade hung or crashed');
  assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+/, 'no stack trace');
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** 1-based line of the first line containing `needle` (after `after`, when given). */
function lineOf(text: string, needle: string, after?: string): number {
  const start = after ? text.indexOf(after) : 0;
  const at = text.indexOf(needle, start);
  assert.ok(at >= 0, `fixture has no ${needle}`);
  return text.slice(0, at).split('\n').length;
}

const WORLD = `apiVersion: v1
kind: Namespace
metadata:
  name: prod
  labels: {env: prod}
---
apiVersion: v1
kind: Pod
metadata: {name: frontend, namespace: prod, labels: {app: frontend}}
spec: {containers: [{name: c, image: nginx}]}
status: {podIP: 10.1.0.5}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: backend, namespace: prod}
spec:
  template:
    metadata: {labels: {app: backend}}
    spec: {containers: [{name: c, image: api, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: dev, labels: {app: client}}
spec: {containers: [{name: c, image: curl}]}
`;

const POLICIES = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: prod}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: backend-from-frontend, namespace: prod}
spec:
  podSelector: {matchLabels: {app: backend}}
  ingress:
  - from:
    - podSelector: {matchLabels: {app: frontend}}
    ports:
    - port: http
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: frontend-egress, namespace: prod}
spec:
  podSelector: {matchLabels: {app: frontend}}
  policyTypes: [Egress]
  egress:
  - to:
    - podSelector: {matchLabels: {app: backend}}
  - to:
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}
      podSelector: {matchLabels: {k8s-app: kube-dns}}
    ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: frontend-public, namespace: prod}
spec:
  podSelector: {matchLabels: {app: frontend}}
  ingress:
  - from:
    - ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}
    ports: [{port: 443}]
  - from:
    - namespaceSelector: {}
    ports: [{port: 80}]
`;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'palisade-netpol-'));
  mkdirSync(join(dir, 'cluster'));
  writeFileSync(join(dir, 'cluster', 'world.yaml'), WORLD);
  writeFileSync(join(dir, 'cluster', 'policies.yaml'), POLICIES);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('matrix --format json: the contract, from → to, over a directory', () => {
  const r = run(['matrix', 'cluster', '--port', '8080/TCP', '--format', 'json']);
  assert.equal(r.code, 0, r.stderr);
  const m = JSON.parse(r.stdout);
  assert.equal(m.port, '8080/TCP');
  assert.deepEqual(m.pods, ['prod/frontend', 'prod/backend', 'dev/client']);
  // backend admits frontend on its named port http (8080); frontend's egress allows backend.
  assert.deepEqual(m.allowed, {
    'prod/frontend': { 'prod/frontend': true, 'prod/backend': true, 'dev/client': false },
    'prod/backend': { 'prod/frontend': false, 'prod/backend': false, 'dev/client': false },
    'dev/client': { 'prod/frontend': false, 'prod/backend': false, 'dev/client': true },
  });
  assert.match(m.note, /cannot block access to itself/);
  // On 80 the namespaceSelector {} rule lets dev/client into frontend; http is 8080, so not backend.
  const m80 = JSON.parse(run(['matrix', 'cluster', '--format', 'json']).stdout);
  assert.equal(m80.port, '80/TCP');
  assert.equal(m80.allowed['dev/client']['prod/frontend'], true);
  assert.equal(m80.allowed['prod/frontend']['prod/backend'], false);
});

test('matrix: -n shows one namespace, table and html formats, stdin', () => {
  const j = JSON.parse(run(['matrix', 'cluster', '-n', 'prod', '--port', '8080/tcp', '--format', 'json']).stdout);
  assert.deepEqual(j.pods, ['prod/frontend', 'prod/backend']);
  const t = run(['matrix', 'cluster', '--port', '8080']);
  assert.equal(t.code, 0);
  assert.match(t.stdout, /^8080\/TCP: rows connect to columns/);
  assert.match(t.stdout, /prod\/frontend +X +X +\.\n/);
  const h = run(['matrix', 'cluster', '--format', 'html']);
  assert.match(h.stdout, /^<!doctype html>/);
  assert.match(h.stdout, /title="dev\/client → prod\/frontend 80\/TCP: allowed"/);
  const s = run(['matrix', '-', '--port', '8080/TCP', '--format', 'json'], WORLD + '---\n' + POLICIES);
  assert.equal(s.code, 0, s.stderr);
  assert.deepEqual(JSON.parse(s.stdout).allowed, JSON.parse(run(['matrix', 'cluster', '--port', '8080/TCP', '--format', 'json']).stdout).allowed);
});

test('explain: the policy and rule on each side with file:line; exit 0 allowed, 1 denied', () => {
  const ok = run(['explain', 'cluster', '--from', 'prod/frontend', '--to', 'prod/backend', '--port', '8080/TCP']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /^prod\/frontend -> prod\/backend on 8080\/TCP: ALLOWED/);
  const egressLine = lineOf(POLICIES, 'egress:', 'frontend-egress') + 1;
  assert.ok(ok.stdout.includes(`prod/frontend-egress (cluster/policies.yaml:${lineOf(POLICIES, 'apiVersion', 'backend-from-frontend')}): allows`), ok.stdout);
  assert.ok(ok.stdout.includes(`egress[0] (cluster/policies.yaml:${egressLine}): allows: to[0] pods app=backend in namespace prod; all ports`), ok.stdout);
  const ingressLine = lineOf(POLICIES, '- from:', 'backend-from-frontend');
  assert.ok(ok.stdout.includes(`ingress[0] (cluster/policies.yaml:${ingressLine}): allows: from[0] pods app=frontend in namespace prod; ports[0] http (8080/TCP)`), ok.stdout);

  const no = run(['explain', 'cluster', '--from', 'dev/client', '--to', 'prod/backend', '--port', '8080/TCP', '--format', 'json']);
  assert.equal(no.code, 1);
  const v = JSON.parse(no.stdout);
  assert.equal(v.allowed, false);
  assert.deepEqual([v.egress.isolated, v.egress.allowed, v.ingress.isolated, v.ingress.allowed], [false, true, true, false]);
  assert.deepEqual(v.ingress.policies.map((p: { policy: string; file: string; allows: boolean }) => [p.policy, p.file, p.allows]), [
    ['prod/default-deny', 'cluster/policies.yaml', false],
    ['prod/backend-from-frontend', 'cluster/policies.yaml', false],
  ]);
  assert.equal(v.ingress.policies[1].line, lineOf(POLICIES, 'apiVersion', 'policyTypes: [Ingress, Egress]'));
  assert.equal(v.ingress.policies[1].rules[0].peer, null);
  assert.equal(v.ingress.policies[1].rules[0].port, 'ports[0]');
});

test('explain: IP addresses (a pod by its IP, or outside), unknown pods are a one-line error', () => {
  const pub = run(['explain', 'cluster', '--from', '203.0.113.10', '--to', 'prod/frontend', '--port', '443']);
  assert.equal(pub.code, 0, pub.stdout);
  assert.match(pub.stdout, /egress: not evaluated \(the source is an address outside the cluster's pods\)/);
  assert.match(pub.stdout, /from\[0\] ipBlock 0\.0\.0\.0\/0 except 10\.0\.0\.0\/8/);
  const inner = run(['explain', 'cluster', '--from', '10.9.9.9', '--to', 'prod/frontend', '--port', '443']);
  assert.equal(inner.code, 1);
  const byIp = run(['explain', 'cluster', '--from', '10.1.0.5', '--to', 'prod/backend', '--port', '8080']);
  assert.match(byIp.stdout, /^prod\/frontend -> prod\/backend/);
  const bad = run(['explain', 'cluster', '--from', 'prod/nope', '--to', 'frontend']);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr.trim(), 'palisade: --from: no pod or workload "prod/nope" in the input; --to: "frontend" is not NAMESPACE/POD or an IP address (did you mean prod/frontend?)');
  const port = run(['explain', 'cluster', '--from', 'prod/frontend', '--to', 'prod/backend', '--port', '70000']);
  assert.equal(port.code, 2);
  assert.equal(port.stderr.trim(), 'palisade: --port: port 70000 is out of range (1 to 65535)');
});

test('exposure: outside addresses (internet), every namespace, not isolated; --cluster-cidr', () => {
  const r = run(['exposure', 'cluster', '--format', 'json']);
  assert.equal(r.code, 0, r.stderr);
  const e = JSON.parse(r.stdout);
  assert.deepEqual(e.pods.map((p: { pod: string; external: boolean; internet: boolean; allNamespaces: boolean }) => [p.pod, p.external, p.internet, p.allNamespaces]), [
    ['prod/frontend', true, true, true],
    ['dev/client', true, true, true],
  ]);
  const fe = e.pods[0].exposures;
  assert.deepEqual(fe.map((x: { kind: string; ports: string; rule: string }) => [x.kind, x.ports, x.rule]), [['ip-block', '443/TCP', 'ingress[0]'], ['all-namespaces', '80/TCP', 'ingress[1]']]);
  assert.equal(fe[0].ranges, '0.0.0.0-9.255.255.255, 11.0.0.0-255.255.255.255');
  assert.equal(fe[0].line, lineOf(POLICIES, '- from:', 'frontend-public'));
  assert.deepEqual(e.pods[1].exposures.map((x: { kind: string }) => x.kind), ['not-isolated']);
  const t = run(['exposure', 'cluster', '-n', 'prod']);
  assert.match(t.stdout, /^prod\/frontend: reachable from internet and every namespace\n/);
  assert.match(t.stdout, /1 of 2 pods exposed/);
  // Everything but 10/8 minus the cluster's ranges is still public.
  const c = JSON.parse(run(['exposure', 'cluster', '--cluster-cidr', '0.0.0.0/1,128.0.0.0/1', '--format', 'json']).stdout);
  assert.deepEqual(c.pods[0].exposures.map((x: { kind: string }) => x.kind), ['all-namespaces']);
  assert.equal(run(['exposure', 'cluster', '--cluster-cidr', '10.0.0.0/33']).code, 2);
});

test('check: findings with file:line through the reporters, --fail-on', () => {
  const r = run(['check', 'cluster', '--format', 'json', '--fail-on', 'none']);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  const got = report.findings.map((f: { check: string; resource: { file: string }; line: number; severity: string }) => `${f.resource.file}:${f.line} ${f.check} ${f.severity}`);
  const client = lineOf(WORLD, 'metadata: {name: client');
  // prod has a default deny both ways, so no no-default-deny for it; frontend may reach
  // kube-dns on UDP and TCP 53, backend (egress-isolated by the default deny) may not.
  assert.deepEqual(got, [
    `cluster/policies.yaml:${lineOf(POLICIES, 'namespaceSelector: {}')} netpol/all-namespaces medium`,
    `cluster/world.yaml:${lineOf(WORLD, 'metadata: {labels: {app: backend}}')} netpol/egress-without-dns medium`,
    `cluster/world.yaml:${client} netpol/no-default-deny medium`,
    `cluster/world.yaml:${client} netpol/pod-not-isolated medium`,
  ]);
  const failing = run(['check', 'cluster', '--fail-on', 'medium']);
  assert.equal(failing.code, 1, failing.stderr);
  const sarif = JSON.parse(run(['check', 'cluster', '--format', 'sarif', '--fail-on', 'none']).stdout);
  assert.equal(sarif.version, '2.1.0');
  assert.ok(sarif.runs[0].tool.driver.rules.some((r: { id: string }) => r.id === 'netpol/egress-without-dns'));
  const table = run(['check', 'cluster', '--fail-on', 'none']).stdout;
  assert.match(table, /netpol\/egress-without-dns/);
});

test('bad input: clear findings with file:line, never a crash, the rest still evaluated', () => {
  const bad = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: broken, namespace: prod}
spec:
  podSelector:
    matchExpressions:
    - {key: app, operator: Equals, values: [x]}
    - {key: tier, operator: In, values: []}
  ingress:
  - from:
    - ipBlock: {cidr: 10.0.0.0/33}
    - ipBlock: {cidr: 10.0.0.0/16, except: [10.1.0.0/24]}
    ports:
    - port: 0
    - port: 80
      endPort: 70
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: prod}
spec: {podSelector: {}, policyTypes: [Ingress]}
---
apiVersion: v1
kind: Pod
metadata: {name: odd, namespace: dev}
spec: {containers: [{name: c, image: i, ports: [{containerPort: 70000}]}]}
---
this: is: not: yaml
`;
  mkdirSync(join(dir, 'bad'), { recursive: true });
  writeFileSync(join(dir, 'bad', 'bad.yaml'), bad);
  writeFileSync(join(dir, 'bad', 'world.yaml'), WORLD);
  const r = run(['check', 'bad', '--format', 'json', '--fail-on', 'none']);
  assert.equal(r.code, 2, 'unreadable YAML makes the result incomplete');
  const report = JSON.parse(r.stdout);
  const invalid = report.findings.filter((f: { check: string }) => f.check === 'netpol/invalid-policy').map((f: { line: number; message: string }) => `${f.line} ${f.message.replace(/ — .*/, '')}`);
  assert.deepEqual(invalid, [
    `7 podSelector: matchExpressions[0].operator "Equals" is not a valid operator (In, NotIn, Exists or DoesNotExist)`,
    `8 podSelector: matchExpressions[1]: operator In needs at least one value`,
    `11 ipBlock.cidr "10.0.0.0/33" is not a CIDR (prefix length must be 0 to 32)`,
    `12 ipBlock.except[0] 10.1.0.0/24 is not a strict subset of cidr 10.0.0.0/16`,
    `14 port 0 is out of range (1 to 65535)`,
    `16 endPort 70 is below port 80`,
  ]);
  assert.ok(report.findings.some((f: { check: string; line: number }) => f.check === 'netpol/invalid-pod-port' && f.line === 26));
  assert.deepEqual(report.errors.map((e: { file: string; line: number }) => `${e.file}:${e.line}`), ['bad/bad.yaml:28']);
  // The valid default deny still isolates prod; the broken policy is not in force.
  const m = run(['matrix', 'bad', '--format', 'json']);
  assert.equal(m.code, 2);
  assert.equal(JSON.parse(m.stdout).allowed['dev/client']['prod/frontend'], false);
  assert.match(m.stderr, /palisade: warning: bad\/bad\.yaml:7: NetworkPolicy prod\/broken: podSelector: matchExpressions\[0\]\.operator "Equals"/);
  assert.match(m.stderr, /palisade: bad\/bad\.yaml:28: invalid YAML/);
});

test('duplicates: the last definition wins and is reported', () => {
  mkdirSync(join(dir, 'dup'), { recursive: true });
  writeFileSync(join(dir, 'dup', 'a.yaml'), WORLD + '---\n' + POLICIES);
  writeFileSync(join(dir, 'dup', 'b.yaml'), `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: frontend-public, namespace: prod}
spec: {podSelector: {matchLabels: {app: frontend}}, ingress: [{}]}
`);
  const r = run(['check', 'dup', '--format', 'json', '--fail-on', 'none']);
  const dup = JSON.parse(r.stdout).findings.filter((f: { check: string }) => f.check === 'netpol/duplicate-object');
  assert.equal(dup.length, 1);
  assert.equal(dup[0].resource.file, 'dup/b.yaml');
  assert.match(dup[0].message, new RegExp(`first at dup/a\\.yaml:${WORLD.split('\n').length + lineOf(POLICIES, 'metadata: {name: frontend-public') - 2}\\)`));
  // 8443 was admitted by no rule of the first definition; ingress: [{}] admits it.
  const m = JSON.parse(run(['matrix', 'dup', '--port', '8443', '--format', 'json']).stdout);
  assert.equal(m.allowed['dev/client']['prod/frontend'], true, 'ingress: [{}] from b.yaml replaced the first definition');
  const before = JSON.parse(run(['matrix', 'cluster', '--port', '8443', '--format', 'json']).stdout);
  assert.equal(before.allowed['dev/client']['prod/frontend'], false);
});
