// Palisade's own rules (rules/*.yaml): each fires on what it describes and stays quiet on the
// ordinary traffic next to it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildRuleset, DEFAULT_RULE_FILES, readRuleFiles, type BuiltRuleset } from './ruleset.js';
import { defaultSources } from './ruleset.js';
import { auditDay, ATTACK_ALERTS, type AuditEvent } from '../perf/audit-corpus.js';

const sources = defaultSources();
let built: BuiltRuleset | undefined;

async function rules(): Promise<BuiltRuleset> {
  if (!built) {
    const { files, errors } = await readRuleFiles(DEFAULT_RULE_FILES);
    assert.deepEqual(errors, []);
    built = buildRuleset(files, { sources });
  }
  return built;
}

async function fired(source: 'syscall' | 'k8s_audit', event: unknown): Promise<string[]> {
  const b = await rules();
  return b.ruleset.match(source, event).map((r) => r.rule.name);
}

test('the default rule files load without errors or warnings', async () => {
  const b = await rules();
  for (const r of b.loaded.results) {
    assert.deepEqual(r.errors.map((e) => e.message), [], r.file);
    assert.deepEqual(r.warnings.map((w) => `${w.code}: ${w.message}`), [], r.file);
  }
  assert.equal(b.ruleset.count('syscall'), 9);
  assert.equal(b.ruleset.count('k8s_audit'), 10);
});

test('k8s_audit: a day of a small cluster raises exactly the attack, nothing from the ordinary traffic', async () => {
  const counts = new Map<string, number>();
  const who = new Set<string>();
  for (const ev of auditDay({ background: 3000 })) {
    for (const name of await fired('k8s_audit', ev)) {
      counts.set(name, (counts.get(name) ?? 0) + 1);
      who.add(ev.user.username);
    }
  }
  assert.deepEqual(Object.fromEntries(counts), Object.fromEntries(ATTACK_ALERTS.map((a) => [a.rule, a.count])));
  assert.deepEqual([...who].sort(), ['dave', 'system:anonymous']);
});

function audit(over: Partial<AuditEvent> & Record<string, unknown>): AuditEvent {
  return {
    kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'RequestResponse', auditID: 'a1b2', stage: 'ResponseComplete',
    requestURI: '/api/v1/namespaces/prod/pods', verb: 'create', user: { username: 'erin', groups: ['system:authenticated'] },
    sourceIPs: ['10.1.2.3'], userAgent: 'kubectl', responseStatus: { metadata: {}, code: 201 },
    requestReceivedTimestamp: '2026-11-22T10:00:00.000000Z', stageTimestamp: '2026-11-22T10:00:00.004000Z',
    annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' }, ...over,
  } as AuditEvent;
}

test('k8s_audit: each rule has its quiet twin', async () => {
  const pod = (securityContext: unknown, volumes: unknown[] = []) => ({ kind: 'Pod', apiVersion: 'v1', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'nginx:1.27', securityContext }], volumes } });
  const cases: Array<[string, AuditEvent, string[]]> = [
    ['privileged pod', audit({ objectRef: { resource: 'pods', namespace: 'prod', apiVersion: 'v1' }, requestObject: pod({ privileged: true }) }), ['Privileged pod created']],
    ['unprivileged pod', audit({ objectRef: { resource: 'pods', namespace: 'prod', apiVersion: 'v1' }, requestObject: pod({ privileged: false }) }), []],
    ['privileged pod denied', audit({ objectRef: { resource: 'pods', namespace: 'prod', apiVersion: 'v1' }, requestObject: pod({ privileged: true }), responseStatus: { metadata: {}, code: 403 } }), []],
    ['emptyDir pod', audit({ objectRef: { resource: 'pods', namespace: 'prod', apiVersion: 'v1' }, requestObject: pod({}, [{ name: 'tmp', emptyDir: {} }]) }), []],
    ['hostPath pod', audit({ objectRef: { resource: 'pods', namespace: 'prod', apiVersion: 'v1' }, requestObject: pod({}, [{ name: 'sock', hostPath: { path: '/var/run/docker.sock' } }]) }), ['Pod with hostPath volume created']],
    ['exec', audit({ verb: 'create', objectRef: { resource: 'pods', namespace: 'prod', name: 'p', subresource: 'exec', apiVersion: 'v1' }, requestURI: '/api/v1/namespaces/prod/pods/p/exec?command=id', responseStatus: { metadata: {}, code: 101 } }), ['Exec or attach into pod']],
    ['exec forbidden', audit({ verb: 'create', objectRef: { resource: 'pods', namespace: 'prod', name: 'p', subresource: 'exec', apiVersion: 'v1' }, responseStatus: { metadata: {}, code: 403 } }), []],
    ['pod logs', audit({ verb: 'get', objectRef: { resource: 'pods', namespace: 'prod', name: 'p', subresource: 'log', apiVersion: 'v1' }, responseStatus: { metadata: {}, code: 200 } }), []],
    ['secret by a person', audit({ verb: 'get', objectRef: { resource: 'secrets', namespace: 'prod', name: 's', apiVersion: 'v1' }, responseStatus: { metadata: {}, code: 200 } }), ['Secret read by a non-system user']],
    ['secret by a controller', audit({ verb: 'get', user: { username: 'system:kube-controller-manager', groups: [] }, objectRef: { resource: 'secrets', namespace: 'prod', name: 's', apiVersion: 'v1' }, responseStatus: { metadata: {}, code: 200 } }), []],
    ['read-only role', audit({ objectRef: { resource: 'roles', namespace: 'prod', apiGroup: 'rbac.authorization.k8s.io', apiVersion: 'v1' }, requestObject: { rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }] } }), []],
    ['write role', audit({ objectRef: { resource: 'roles', namespace: 'prod', apiGroup: 'rbac.authorization.k8s.io', apiVersion: 'v1' }, requestObject: { rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'delete'] }] } }), ['Role or ClusterRole with write privileges created']],
    ['view binding', audit({ objectRef: { resource: 'rolebindings', namespace: 'prod', apiGroup: 'rbac.authorization.k8s.io', apiVersion: 'v1' }, requestObject: { roleRef: { kind: 'ClusterRole', name: 'view' }, subjects: [] } }), []],
    ['anonymous healthz', audit({ verb: 'get', requestURI: '/healthz', user: { username: 'system:anonymous', groups: ['system:unauthenticated'] }, responseStatus: { metadata: {}, code: 200 } }), []],
    ['anonymous forbidden', audit({ verb: 'list', requestURI: '/api/v1/secrets', user: { username: 'system:anonymous', groups: ['system:unauthenticated'] }, responseStatus: { metadata: {}, code: 403 }, annotations: { 'authorization.k8s.io/decision': 'forbid' } }), []],
    ['plain configmap', audit({ objectRef: { resource: 'configmaps', namespace: 'prod', apiVersion: 'v1' }, requestObject: { data: { LOG_LEVEL: 'info' } } }), []],
    ['namespace created', audit({ objectRef: { resource: 'namespaces', name: 'x', apiVersion: 'v1' } }), []],
    ['request received stage', audit({ stage: 'RequestReceived', verb: 'delete', objectRef: { resource: 'namespaces', name: 'x', apiVersion: 'v1' } } as never), []],
  ];
  for (const [what, ev, want] of cases) assert.deepEqual(await fired('k8s_audit', ev), want, what);
});

function sys(over: Record<string, unknown>): Record<string, unknown> {
  return {
    'evt.num': 10, 'evt.rawtime': '1795305600000000000', 'evt.type': 'execve', 'proc.name': 'java', 'proc.pname': 'tini', 'proc.cmdline': 'java -jar app.jar',
    'proc.tty': 0, 'proc.vpid': 7, 'user.name': 'app', 'container.id': '0123456789ab', 'container.image.repository': 'registry.example.com/shop/api',
    'container.privileged': false, ...over,
  };
}

test('syscall: each rule fires on what it describes and not on its ordinary twin', async () => {
  const open = (name: string, write: boolean, extra: Record<string, unknown> = {}) => sys({
    'evt.type': 'openat', 'fd.name': name, 'fd.directory': name.slice(0, name.lastIndexOf('/')) || '/', 'fd.typechar': 'f', 'fd.num': 5,
    'evt.is_open_write': write, 'evt.is_open_read': !write, ...extra,
  });
  const cases: Array<[string, Record<string, unknown>, string[]]> = [
    ['interactive shell', sys({ 'proc.name': 'bash', 'proc.tty': 34816 }), ['Terminal shell in container']],
    ['shell without tty', sys({ 'proc.name': 'sh', 'proc.tty': 0 }), []],
    ['shell on the host', sys({ 'proc.name': 'bash', 'proc.tty': 34816, 'container.id': 'host' }), []],
    ['apt-get', sys({ 'proc.name': 'apt-get', 'proc.cmdline': 'apt-get install nmap' }), ['Package management process in container']],
    ['write /usr/bin', open('/usr/bin/kubectl', true, { 'proc.name': 'curl' }), ['Write below binary directory']],
    ['dpkg writes /usr/bin', open('/usr/bin/kubectl', true, { 'proc.name': 'dpkg' }), []],
    ['read /usr/bin', open('/usr/bin/kubectl', false), []],
    ['write /etc/passwd', open('/etc/passwd', true, { 'proc.name': 'python3' }), ['Write below etc']],
    ['read /etc/shadow', open('/etc/shadow', false, { 'proc.name': 'cat' }), ['Read sensitive file']],
    ['sshd reads /etc/shadow', open('/etc/shadow', false, { 'proc.name': 'sshd' }), []],
    ['token read', open('/var/run/secrets/kubernetes.io/serviceaccount/token', false, { 'proc.name': 'curl' }), ['Read sensitive file']],
    ['curl in nginx', sys({ 'proc.name': 'curl', 'container.image.repository': 'docker.io/library/nginx' }), ['Unexpected process in nginx container']],
    ['nginx in nginx', sys({ 'proc.name': 'nginx', 'container.image.repository': 'docker.io/library/nginx' }), []],
    ['sudo', sys({ 'proc.name': 'sudo' }), ['Sudo in container']],
    ['privileged start', sys({ 'proc.vpid': 1, 'container.privileged': true }), ['Privileged container started']],
    ['unprivileged start', sys({ 'proc.vpid': 1 }), []],
    ['connect out', sys({ 'evt.type': 'connect', 'fd.typechar': '4', 'fd.sip': '198.51.100.7', 'fd.sport': 4444 }), ['Outbound connection to disallowed destination']],
    ['connect https', sys({ 'evt.type': 'connect', 'fd.typechar': '4', 'fd.sip': '198.51.100.7', 'fd.sport': 443 }), []],
    ['connect in cluster', sys({ 'evt.type': 'connect', 'fd.typechar': '4', 'fd.sip': '10.96.0.10', 'fd.sport': 8080 }), []],
    ['ordinary exec', sys({}), []],
  ];
  for (const [what, ev, want] of cases) assert.deepEqual(await fired('syscall', ev), want, what);
});
