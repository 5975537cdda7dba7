// `palisade audit policy …` end to end: a program built here around registerAuditPolicy the way
// src/cli/index.ts builds `palisade` (exit codes, one-line errors), run in a child process.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dist = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const script = `
import { Command, CommanderError } from ${JSON.stringify(import.meta.resolve('commander'))};
import { registerAuditPolicy } from ${JSON.stringify(pathToFileURL(join(dist, 'cli', 'audit-policy.js')).href)};
import { UsageError } from ${JSON.stringify(pathToFileURL(join(dist, 'cli', 'errors.js')).href)};
const program = new Command();
let code = 0;
program.name('palisade').exitOverride().configureOutput({
  writeErr: (s) => process.stderr.write(s),
  outputError: (s, write) => write('palisade: ' + s.replace(/^error: /, '').trim() + '\\n'),
});
registerAuditPolicy(program.command('audit'), (c) => { code = c; });
try {
  await program.parseAsync(process.argv.slice(1), { from: 'user' });
} catch (err) {
  if (err instanceof CommanderError) code = err.exitCode === 0 ? 0 : 2;
  else if (err instanceof UsageError) { process.stderr.write('palisade: ' + err.message + '\\n'); code = 2; }
  else throw err;
}
process.exitCode = code;
`;

let dir: string;

function run(args: string[], input?: string) {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, '--', 'audit', 'policy', ...args], {
    cwd: dir, input, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' },
  });
  assert.equal(r.signal, null);
  assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+/, 'no stack trace');
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: None
    users: ["system:kube-proxy"]
    verbs: ["watch"]
    resources:
      - group: ""
        resources: ["endpoints", "services"]
  - level: None
    nonResourceURLs: ["/healthz*", "/version"]
  - level: Metadata
    resources:
      - group: ""
        resources: ["secrets", "configmaps", "serviceaccounts/token"]
      - group: authentication.k8s.io
        resources: ["tokenreviews"]
  - level: Request
    userGroups: ["system:nodes"]
    verbs: ["update", "patch"]
    resources:
      - group: ""
        resources: ["nodes/status", "pods/status"]
    omitStages: ["ResponseStarted"]
  - level: Metadata
    resources:
      - group: ""
        resources: ["pods/log"]
  - level: RequestResponse
    resources:
      - group: ""
      - group: apps
  - level: Metadata
`;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'palisade-audit-policy-cli-'));
  writeFileSync(join(dir, 'policy.yaml'), POLICY);
  writeFileSync(join(dir, 'invalid.yaml'), 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: Everything\n');
  writeFileSync(join(dir, 'notyaml.yaml'), 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [\n');
});

after(() => rmSync(dir, { recursive: true, force: true }));

const explain = (...args: string[]) => run(['explain', '--policy', 'policy.yaml', ...args]);

test('explain --format json prints level, omitStages and rule first', () => {
  const cases: Array<[string[], unknown]> = [
    [['--user', 'system:kube-proxy', '--verb', 'watch', '--resource', 'endpoints'], { level: 'None', omitStages: ['RequestReceived'], rule: 0, line: 5, omitManagedFields: false }],
    [['--user', 'alice', '--verb', 'get', '--resource', 'secrets', '--namespace', 'default', '--name', 'db'], { level: 'Metadata', omitStages: ['RequestReceived'], rule: 2, line: 13, omitManagedFields: false }],
    [['--user', 'alice', '--verb', 'create', '--resource', 'deployments', '--api-group', 'apps', '--namespace', 'default'], { level: 'RequestResponse', omitStages: ['RequestReceived'], rule: 5, line: 30, omitManagedFields: false }],
    [['--verb', 'get', '--path', '/healthz/etcd'], { level: 'None', omitStages: ['RequestReceived'], rule: 1, line: 11, omitManagedFields: false }],
    [['--user', 'node-1', '--group', 'system:nodes', '--group', 'system:authenticated', '--verb', 'patch', '--resource', 'pods/status', '--namespace', 'x', '--name', 'p'],
      { level: 'Request', omitStages: ['RequestReceived', 'ResponseStarted'], rule: 3, line: 19, omitManagedFields: false }],
    [['--user', 'alice', '--verb', 'get', '--resource', 'pods/log', '--namespace', 'x', '--name', 'p'], { level: 'Metadata', omitStages: ['RequestReceived'], rule: 4, line: 26, omitManagedFields: false }],
    [['--user', 'alice', '--verb', 'get', '--resource', 'pods', '--subresource', 'log', '--namespace', 'x', '--name', 'p'], { level: 'Metadata', omitStages: ['RequestReceived'], rule: 4, line: 26, omitManagedFields: false }],
  ];
  for (const [args, want] of cases) {
    const r = explain(...args, '--format', 'json');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.deepEqual(JSON.parse(r.stdout), want, args.join(' '));
    assert.match(r.stdout, /^\{"level":"[A-Za-z]+","omitStages":\[[^\]]*\],"rule":\d+,/);
  }
});

test('explain: without --user the request failed authentication, so user and group rules do not match', () => {
  const r = explain('--verb', 'patch', '--resource', 'pods/status', '--namespace', 'x', '--name', 'p', '--format', 'json');
  assert.deepEqual(JSON.parse(r.stdout), { level: 'RequestResponse', omitStages: ['RequestReceived'], rule: 5, line: 30, omitManagedFields: false });
});

test('explain in text: the level, the stages and the rule with its line', () => {
  const r = explain('--user', 'alice', '--verb', 'get', '--resource', 'secrets', '--namespace', 'default');
  assert.equal(r.code, 0);
  assert.equal(r.stdout, [
    'level:             Metadata',
    'omitStages:        RequestReceived',
    'omitManagedFields: false',
    'rule:              rules[2] at policy.yaml:13 (core secrets,configmaps,serviceaccounts/token + authentication.k8s.io tokenreviews)',
    '',
  ].join('\n'));
  writeFileSync(join(dir, 'narrow.yaml'), 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n  verbs: [delete]\n');
  const none = run(['explain', '--policy', 'narrow.yaml', '--verb', 'get', '--path', '/metrics']);
  assert.equal(none.stdout, 'level:             None\nomitStages:        (none)\nomitManagedFields: false\nrule:              none matches: the default level None applies\n');
  assert.deepEqual(JSON.parse(run(['explain', '--policy', 'narrow.yaml', '--verb', 'get', '--path', '/metrics', '--format', 'json']).stdout),
    { level: 'None', omitStages: [], rule: null, line: null, omitManagedFields: false });
});

test('explain: wrong flags and bad policies are one line and exit 2', () => {
  const cases: Array<[string[], RegExp]> = [
    [['explain', '--policy', 'policy.yaml', '--verb', 'get'], /^palisade: say what is requested: --resource RESOURCE/],
    [['explain', '--policy', 'policy.yaml', '--verb', 'get', '--resource', 'pods', '--path', '/x'], /^palisade: give --resource .* or --path .*, not both/],
    [['explain', '--policy', 'policy.yaml', '--verb', 'get', '--resource', 'pods/log', '--subresource', 'exec'], /already names a subresource/],
    [['explain', '--policy', 'policy.yaml', '--verb', 'get', '--resource', 'a/b/c'], /is not a resource/],
    [['explain', '--policy', 'policy.yaml', '--verb', 'get', '--path', '/x', '--namespace', 'y'], /^palisade: --namespace applies to resource requests/],
    [['explain', '--policy', 'policy.yaml', '--verb', 'get', '--path', 'healthz'], /is not a URL path/],
    [['explain', '--policy', 'policy.yaml', '--verb', 'get', '--group', 'g', '--path', '/x'], /^palisade: --group needs --user/],
    [['explain', '--policy', 'policy.yaml', '--resource', 'pods'], /^palisade: required option '--verb <verb>' not specified/],
    [['explain', '--policy', 'missing.yaml', '--verb', 'get', '--path', '/x'], /^palisade: missing\.yaml: cannot read policy: no such file or directory$/],
    [['explain', '--policy', 'invalid.yaml', '--verb', 'get', '--path', '/x'], /^palisade: invalid\.yaml:4: rules\[0\]\.level: Unsupported value: "Everything": supported values: "None", "Metadata", "Request", "RequestResponse"$/],
    [['explain', '--policy', 'notyaml.yaml', '--verb', 'get', '--path', '/x'], /^palisade: notyaml\.yaml:\d+: invalid YAML: /],
  ];
  for (const [args, want] of cases) {
    const r = run(args);
    assert.equal(r.code, 2, args.join(' '));
    assert.equal(r.stdout, '');
    assert.match(r.stderr.trimEnd().split('\n')[0], want);
  }
});

test('lint: findings through the scan reporters, --fail-on, errors exit 2', () => {
  writeFileSync(join(dir, 'leaky.yaml'), 'apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [RequestReceived]\nrules:\n- level: RequestResponse\n');
  const table = run(['lint', 'leaky.yaml']);
  assert.equal(table.code, 1);
  assert.match(table.stdout, /^Policy leaky\.yaml {2}\(leaky\.yaml:1\)\n/);
  assert.match(table.stdout, /high\s+audit-policy-sensitive-payload\s+leaky\.yaml:5/);
  const json = run(['lint', 'leaky.yaml', '--format', 'json']);
  const report = JSON.parse(json.stdout);
  assert.equal(report.version, 1);
  assert.deepEqual([...new Set(report.findings.map((f: { check: string }) => f.check))], ['audit-policy-sensitive-payload', 'audit-policy-noisy-endpoint']);
  assert.equal(report.findings[0].resource.kind, 'Policy');
  assert.equal(report.findings[0].line, 5);
  const sarif = JSON.parse(run(['lint', 'leaky.yaml', '--format', 'sarif']).stdout);
  assert.equal(sarif.version, '2.1.0');
  assert.equal(sarif.runs[0].results[0].locations[0].physicalLocation.region.startLine, 5);
  assert.match(run(['lint', 'leaky.yaml', '--format', 'junit']).stdout, /^<\?xml/);
  assert.equal(run(['lint', 'leaky.yaml', '--fail-on', 'critical']).code, 0);
  assert.equal(run(['lint', 'policy.yaml', '--fail-on', 'medium']).code, 0, 'only low findings (noisy watches and Events)');
  assert.equal(run(['lint', 'policy.yaml', '--fail-on', 'low']).code, 1);
  const broken = run(['lint', 'policy.yaml', 'missing.yaml', '--format', 'json']);
  assert.equal(broken.code, 2);
  assert.equal(broken.stderr, 'palisade: missing.yaml: cannot read policy: no such file or directory\n');
  const invalid = run(['lint', 'invalid.yaml', '--format', 'json']);
  assert.equal(invalid.code, 1);
  assert.deepEqual(JSON.parse(invalid.stdout).findings.map((f: { check: string; line: number }) => [f.check, f.line]), [['audit-policy-invalid', 4]]);
});

test('simulate: a row per rule, malformed lines on stderr with file:line, exit 2 only for unreadable inputs', () => {
  const ev = (id: string, verb: string, extra: object) => JSON.stringify({
    kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'RequestResponse', auditID: id, stage: 'ResponseComplete', verb,
    user: { username: 'alice', groups: ['system:authenticated'] }, requestReceivedTimestamp: '2026-01-02T00:00:00.000000Z', stageTimestamp: '2026-01-02T06:00:00.000000Z', ...extra,
  });
  writeFileSync(join(dir, 'audit.log'), [
    ev('1', 'get', { requestURI: '/healthz' }),
    'oops',
    ev('2', 'get', { requestURI: '/api/v1/namespaces/d/secrets/s', objectRef: { resource: 'secrets', namespace: 'd', name: 's' }, responseObject: { kind: 'Secret', data: { a: 'b' } } }),
  ].join('\n') + '\n');
  const table = run(['simulate', '--policy', 'policy.yaml', 'audit.log']);
  assert.equal(table.code, 0);
  assert.equal(table.stderr, `palisade: audit.log:2: invalid JSON: Unexpected token 'o', "oops" is not valid JSON\n`);
  assert.match(table.stdout, /^rules\[1\]\s+11\s+None\s+1\s+0\s/m);
  assert.match(table.stdout, /^rules\[2\]\s+13\s+Metadata\s+1\s+1\s/m);
  assert.match(table.stdout, /^Log: audit\.log: 2 events \(1 malformed skipped\), 2026-01-02T00:00:00\.000Z to 2026-01-02T06:00:00\.000Z \(6\.0 h\)$/m);
  const json = JSON.parse(run(['simulate', '--policy', 'policy.yaml', '--format', 'json', '-'], JSON.stringify({ kind: 'EventList', items: [] })).stdout);
  assert.equal(json.events, 0);
  assert.equal(json.rules.length, 7);
  const missing = run(['simulate', '--policy', 'policy.yaml', 'audit.log', 'nope.log']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /palisade: nope\.log: cannot read: no such file or directory\n$/);
  assert.equal(run(['simulate', '--policy', 'invalid.yaml', 'audit.log']).code, 2);
});
