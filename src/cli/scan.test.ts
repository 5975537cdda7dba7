// End-to-end: the real `palisade` binary on real files, as a user runs it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = join(root, 'bin', 'palisade.js');
let dir: string;

function run(args: string[], opts: { input?: string | Buffer; cwd?: string; env?: Record<string, string> } = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: opts.cwd ?? dir,
    input: opts.input,
    encoding: 'utf8',
    timeout: 120_000,
    maxBuffer: 64 << 20,
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
  });
  assert.equal(r.signal, null, `palisade was killed (${r.signal}): it hung or crashed`);
  // Never a stack trace on the terminal.
  assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+/);
  assert.doesNotMatch(r.stdout, /\n\s+at .+:\d+:\d+/);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function json(args: string[], opts?: { input?: string | Buffer; cwd?: string; env?: Record<string, string> }) {
  const r = run([...args, '--format', 'json'], opts);
  return { ...r, report: JSON.parse(r.stdout) };
}

const PRIVILEGED = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: web
spec:
  template:
    spec:
      containers:
      - name: app
        image: nginx
        securityContext:
          privileged: true
`;

const HARDENED_POD = `apiVersion: v1
kind: Pod
metadata: {name: ok, namespace: web}
spec:
  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
  containers:
  - name: app
    image: nginx
    securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
`;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'palisade-cli-'));
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

test('README quick start: scanning examples/ shows findings with file:line and exits 1', () => {
  const r = run(['scan', 'examples/'], { cwd: root });
  assert.equal(r.code, 1);
  assert.match(r.stdout, /examples\/insecure\/web-deployment\.yaml:\d+/);
  assert.match(r.stdout, /privileged \(container "pg-dump" must not set securityContext\.privileged=true\)/);
  assert.match(r.stdout, /\d+ findings \(.*critical.*\), \d+ resources scanned/);
  assert.doesNotMatch(r.stdout, /\u001b\[/, 'no colour when stdout is not a terminal');
});

test('JSON output follows the contract', () => {
  writeFileSync(join(dir, 'deploy.yaml'), PRIVILEGED);
  const { code, report } = json(['scan', 'deploy.yaml']);
  assert.equal(code, 1);
  assert.deepEqual(Object.keys(report), ['version', 'findings', 'summary', 'errors', 'warnings']);
  assert.equal(report.version, 1);
  const priv = report.findings.find((f: { check: string }) => f.check === 'pss/baseline/privileged');
  assert.deepEqual(Object.keys(priv).slice(0, 11), ['check', 'severity', 'title', 'message', 'resource', 'path', 'line', 'remediation', 'stride', 'refs', 'suppressed']);
  assert.deepEqual(priv.resource, { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'web', name: 'api', file: 'deploy.yaml', line: 1 });
  assert.equal(priv.path, 'spec.template.spec.containers[0].securityContext.privileged');
  assert.equal(priv.line, 13);
  assert.equal(priv.severity, 'critical');
  assert.equal(report.summary.resources, 1);
  assert.equal(report.summary.findings, report.findings.length);
  assert.equal(report.summary.bySeverity.critical, 1);
});

test('--profile baseline reports only PSS baseline controls', () => {
  writeFileSync(join(dir, 'deploy.yaml'), PRIVILEGED);
  const { report } = json(['scan', 'deploy.yaml', '--profile', 'baseline']);
  assert.deepEqual(report.findings.map((f: { check: string }) => f.check), ['pss/baseline/privileged']);
});

test('--fail-on decides the exit code', () => {
  const pss = ['--profile', 'restricted'];
  writeFileSync(join(dir, 'deploy.yaml'), PRIVILEGED);
  assert.equal(run(['scan', 'deploy.yaml', '--fail-on', 'none', ...pss]).code, 0);
  assert.equal(run(['scan', 'deploy.yaml', '--fail-on', 'critical', ...pss]).code, 1);
  writeFileSync(join(dir, 'medium.yaml'), HARDENED_POD.replace('drop: [ALL]', 'drop: [NET_RAW]'));
  assert.equal(run(['scan', 'medium.yaml', ...pss]).code, 0, 'a medium finding does not fail the default (high)');
  assert.equal(run(['scan', 'medium.yaml', '--fail-on', 'medium', ...pss]).code, 1);
  writeFileSync(join(dir, 'ok.yaml'), HARDENED_POD);
  assert.equal(run(['scan', 'ok.yaml', '--fail-on', 'low', ...pss]).code, 0);
});

test('stdin, --output and every format', () => {
  const out = join(dir, 'report.sarif');
  const r = run(['scan', '-', '--format', 'sarif', '--output', out], { input: PRIVILEGED });
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  const sarif = JSON.parse(readFileSync(out, 'utf8'));
  assert.equal(sarif.version, '2.1.0');
  const result = sarif.runs[0].results.find((x: { ruleId: string }) => x.ruleId === 'pss/baseline/privileged');
  assert.equal(result.locations[0].physicalLocation.artifactLocation.uri, '%3Cstdin%3E');
  assert.equal(result.locations[0].physicalLocation.region.startLine, 13);
  const junit = run(['scan', '-', '--format', 'junit'], { input: PRIVILEGED });
  assert.match(junit.stdout, /^<\?xml version="1.0" encoding="UTF-8"\?>/);
  assert.match(junit.stdout, /<testcase [^>]*name="pss\/baseline\/privileged"/);
});

test('invalid YAML in one document: file:line error, the rest still scanned, exit 2', () => {
  writeFileSync(join(dir, 'mixed.yaml'), `${PRIVILEGED}---\napiVersion: v1\nkind: Pod\nmetadata: {name: bad\n---\n${HARDENED_POD}`);
  const { code, report, stderr } = json(['scan', 'mixed.yaml']);
  assert.equal(code, 2);
  assert.equal(report.summary.resources, 2);
  assert.ok(report.findings.some((f: { check: string }) => f.check === 'pss/baseline/privileged'));
  assert.equal(report.errors.length, 1);
  assert.equal(report.errors[0].file, 'mixed.yaml');
  assert.ok(report.errors[0].line >= 17 && report.errors[0].line <= 18, `error line ${report.errors[0].line}`);
  assert.match(stderr, /^palisade: mixed\.yaml:1[78]: invalid YAML: .+$/m);
});

test('an empty file gives a clean result', () => {
  writeFileSync(join(dir, 'empty.yaml'), '');
  const { code, report } = json(['scan', 'empty.yaml']);
  assert.equal(code, 0);
  assert.deepEqual(report.errors, []);
  assert.equal(report.summary.resources, 0);
});

test('binary garbage is refused with one line', () => {
  const garbage = Buffer.alloc(4096);
  for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919) % 256;
  writeFileSync(join(dir, 'garbage.yaml'), garbage);
  writeFileSync(join(dir, 'ok.yaml'), HARDENED_POD);
  const { code, report } = json(['scan', 'garbage.yaml', 'ok.yaml']);
  assert.equal(code, 2);
  assert.equal(report.summary.resources, 1);
  assert.deepEqual(report.errors, [{ file: 'garbage.yaml', message: 'binary data, not YAML or JSON; skipped' }]);
});

test('a 50 MB single-line JSON document is scanned', () => {
  const item = JSON.parse(JSON.stringify({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'web', annotations: { note: 'x'.repeat(400) } },
    spec: { securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [{ name: 'app', image: 'nginx', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }] },
  }));
  const count = 80_000;
  const items = Array.from({ length: count }, (_, i) => ({ ...item, metadata: { ...item.metadata, name: `p${i}` } }));
  // One bad pod in the middle: its finding must point at line 1 (the only line).
  items[40_000] = { ...items[40_000], spec: { ...items[40_000].spec, hostPID: true } };
  const text = JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
  assert.ok(text.length > 50_000_000, `${text.length} bytes`);
  writeFileSync(join(dir, 'big.json'), text);
  const { code, report } = json(['scan', 'big.json', '--profile', 'baseline']);
  assert.equal(code, 1);
  assert.equal(report.summary.resources, count);
  assert.deepEqual(report.findings.map((f: { message: string; line: number; resource: { name: string } }) => [f.resource.name, f.message, f.line]),
    [['p40000', 'host namespaces (hostPID=true)', 1]]);
});

test('a YAML alias bomb is refused', () => {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 10; i++) {
    const p = String.fromCharCode(96 + i);
    lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [*${p},*${p},*${p},*${p},*${p},*${p},*${p},*${p},*${p}]`);
  }
  writeFileSync(join(dir, 'bomb.yaml'), lines.join('\n'));
  const { code, report } = json(['scan', 'bomb.yaml']);
  assert.equal(code, 2);
  assert.equal(report.errors.length, 1);
  assert.match(report.errors[0].message, /alias/i);
});

test('nesting 10,000 levels deep is refused', () => {
  writeFileSync(join(dir, 'deep.yaml'), `kind: Pod\nspec: ${'['.repeat(10000)}${']'.repeat(10000)}\n`);
  writeFileSync(join(dir, 'deep.json'), `{"kind":"Pod","spec":${'{"a":'.repeat(10000)}1${'}'.repeat(10000)}}`);
  const { code, report } = json(['scan', 'deep.yaml', 'deep.json']);
  assert.equal(code, 2);
  assert.equal(report.errors.length, 2);
  for (const e of report.errors) assert.match(e.message, /nests/);
});

test('a missing or unreadable file is an error; the other inputs are still scanned', () => {
  writeFileSync(join(dir, 'ok.yaml'), HARDENED_POD);
  symlinkSync(join(dir, 'nowhere.yaml'), join(dir, 'dangling.yaml'));
  const targets = ['missing.yaml', 'dangling.yaml', 'ok.yaml'];
  if (process.getuid?.() !== 0) {
    writeFileSync(join(dir, 'secret.yaml'), HARDENED_POD);
    chmodSync(join(dir, 'secret.yaml'), 0o000);
    targets.push('secret.yaml');
  }
  const { code, report } = json(['scan', ...targets]);
  assert.equal(code, 2);
  assert.equal(report.summary.resources, 1);
  assert.deepEqual(report.errors.slice(0, 2), [
    { file: 'missing.yaml', message: 'no such file or directory' },
    { file: 'dangling.yaml', message: 'no such file or directory' },
  ]);
  if (targets.includes('secret.yaml')) assert.equal(report.errors[2].message, 'permission denied');
});

test('a directory loop through a symlink is walked once, with a warning', () => {
  const tree = join(dir, 'tree');
  mkdirSync(join(tree, 'a', 'b'), { recursive: true });
  writeFileSync(join(tree, 'a', 'b', 'pod.yaml'), HARDENED_POD);
  writeFileSync(join(tree, 'a', 'notes.txt'), 'not a manifest');
  symlinkSync(join(tree, 'a'), join(tree, 'a', 'b', 'loop'));
  const { code, report } = json(['scan', 'tree']);
  assert.equal(code, 0);
  assert.equal(report.summary.resources, 1);
  assert.equal(report.warnings.length, 1);
  assert.match(report.warnings[0], /loop/);
});

test('bad flags: one line, exit 2', () => {
  const r1 = run(['scan', '--format', 'xml', 'x.yaml']);
  assert.equal(r1.code, 2);
  assert.match(r1.stderr, /^palisade: option '-f, --format <format>' argument 'xml' is invalid/m);
  const r2 = run(['scan', '--pss-version', 'v9', 'x.yaml']);
  assert.equal(r2.code, 2);
  assert.equal(r2.stderr, 'palisade: --pss-version: "v9" is not a version (use v1.0 … v1.37 or latest)\n');
  const r3 = run(['scan', '--no-such-flag']);
  assert.equal(r3.code, 2);
  const r4 = run(['scan', '--config', 'nope.yaml', 'x.yaml']);
  assert.equal(r4.code, 2);
  assert.match(r4.stderr, /nope\.yaml/);
});

test('suppression by annotation and by config (with expiry) is counted, never dropped', () => {
  const sub = join(dir, 'supp');
  mkdirSync(sub, { recursive: true });
  writeFileSync(join(sub, 'deploy.yaml'), PRIVILEGED.replace('  namespace: web\n', '  namespace: web\n  annotations:\n    palisade.dev/ignore: "pss/baseline/privileged"\n    palisade.dev/ignore-reason: "node debugger, approved in SEC-42"\n'));
  writeFileSync(join(sub, '.palisade.yaml'), `ignore:
  - check: "pss/restricted/*"
    kind: Deployment
    reason: legacy
    expires: 2999-01-01
  - check: pss/baseline/hostNamespaces
    expires: 2000-01-01
`);
  const { code, report } = json(['scan', 'deploy.yaml', '--profile', 'restricted'], { cwd: sub });
  assert.equal(code, 0, 'everything is suppressed, so nothing fails');
  assert.equal(report.summary.findings, 0);
  assert.equal(report.summary.suppressed, report.findings.length);
  const priv = report.findings.find((f: { check: string }) => f.check === 'pss/baseline/privileged');
  assert.deepEqual(priv.suppression, { kind: 'annotation', reason: 'node debugger, approved in SEC-42' });
  const ape = report.findings.find((f: { check: string }) => f.check === 'pss/restricted/allowPrivilegeEscalation');
  assert.deepEqual(ape.suppression, { kind: 'config', reason: 'legacy' });
  assert.match(report.warnings.join('\n'), /\.palisade\.yaml:6: ignore for pss\/baseline\/hostNamespaces expired on 2000-01-01/);
});

test('--jobs spreads a large input over worker threads with the same result', () => {
  const docs: string[] = [];
  for (let i = 0; i < 3000; i++) docs.push((i % 10 === 0 ? PRIVILEGED : HARDENED_POD).replace(/name: (api|ok)/, `name: r${i}`));
  writeFileSync(join(dir, 'many.yaml'), docs.join('---\n'));
  const one = json(['scan', 'many.yaml', '--jobs', '1']);
  // Start the workers after the first 64 KB so that this small input really uses them.
  const two = json(['scan', 'many.yaml', '--jobs', '2'], { env: { PALISADE_INLINE_BYTES: '65536' } });
  assert.equal(one.report.summary.resources, 3000);
  assert.deepEqual(two.report, one.report);
});

test('--jobs: an ignore annotation suppresses cross-resource findings about its own resource, in workers too', () => {
  const docs: string[] = [];
  for (let i = 0; i < 2000; i++) {
    const ignored = i % 3 === 0 ? ', annotations: {palisade.dev/ignore: serviceaccount/default-service-account}' : '';
    docs.push(HARDENED_POD.replace('{name: ok, namespace: web}', `{name: r${i}, namespace: web${ignored}}`));
  }
  writeFileSync(join(dir, 'ignored.yaml'), docs.join('---\n'));
  const one = json(['scan', 'ignored.yaml', '--jobs', '1', '--checks', 'serviceaccount/default-service-account']);
  const two = json(['scan', 'ignored.yaml', '--jobs', '2', '--checks', 'serviceaccount/default-service-account'], { env: { PALISADE_INLINE_BYTES: '65536' } });
  assert.deepEqual(two.report, one.report);
  const found = one.report.findings.filter((f: { check: string }) => f.check === 'serviceaccount/default-service-account');
  assert.equal(found.length, 2000);
  const suppressed = found.filter((f: { suppressed: boolean }) => f.suppressed).map((f: { resource: { name: string } }) => Number(f.resource.name.slice(1)));
  assert.deepEqual(suppressed, Array.from({ length: 667 }, (_, k) => 3 * k));
});

test('--jobs: stdin streams (YAML documents and a kubectl JSON List) give the same result in parallel', () => {
  const docs: string[] = [];
  for (let i = 0; i < 2000; i++) docs.push((i % 10 === 0 ? PRIVILEGED : HARDENED_POD).replace(/name: (api|ok)/, `name: r${i}`));
  const yamlText = docs.join('---\n');
  const env = { PALISADE_INLINE_BYTES: '65536' };
  const y1 = json(['scan', '-', '--jobs', '1'], { input: yamlText });
  const y2 = json(['scan', '-', '--jobs', '2'], { input: yamlText, env });
  assert.equal(y1.report.summary.resources, 2000);
  assert.deepEqual(y2.report, y1.report);

  const items = Array.from({ length: 1500 }, (_, i) => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: `p${i}`, namespace: 'web' },
    spec: { hostPID: i % 100 === 0, containers: [{ name: 'app', image: 'nginx', securityContext: { privileged: i % 7 === 0 } }] },
  }));
  const listText = JSON.stringify({ apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } }, null, 4);
  const j1 = json(['scan', '-', '--jobs', '1', '--profile', 'baseline'], { input: listText });
  const j2 = json(['scan', '-', '--jobs', '2', '--profile', 'baseline'], { input: listText, env });
  assert.equal(j1.report.summary.resources, 1500);
  assert.deepEqual(j2.report, j1.report);
  // Lines point into the List: the first privileged container of item 7.
  const lines = listText.split('\n');
  const f = j1.report.findings.find((x: { resource: { name: string }; check: string }) => x.resource.name === 'p7' && x.check === 'pss/baseline/privileged');
  assert.equal(lines[f.line - 1].trim(), '"privileged": true');
});

test('--checks and --skip-checks select checks by id or glob; profiles choose the default set', () => {
  writeFileSync(join(dir, 'deploy.yaml'), PRIVILEGED);
  const ids = (args: string[]): string[] => [...new Set<string>(json(['scan', 'deploy.yaml', ...args]).report.findings.map((f: { check: string }) => f.check))].sort();
  assert.deepEqual(ids(['--checks', 'pss/baseline/*']), ['pss/baseline/privileged']);
  assert.deepEqual(ids(['--checks', 'securitycontext/readonly-root-filesystem']), ['securitycontext/readonly-root-filesystem']);
  const cks = ids([]);
  assert.ok(cks.includes('pss/baseline/privileged') && cks.includes('securitycontext/readonly-root-filesystem'));
  assert.ok(!ids(['--skip-checks', 'pss/*']).some((id: string) => id.startsWith('pss/')));
  assert.ok(!ids(['--profile', 'restricted']).includes('securitycontext/readonly-root-filesystem'));
});

test('palisade checks list: table, JSON and Markdown', () => {
  const table = run(['checks', 'list']);
  assert.equal(table.code, 0);
  assert.match(table.stdout, /^pss\/baseline\/privileged\s+critical\s+on\s+E\s+Privileged container$/m);
  assert.match(table.stdout, /securitycontext\/readonly-root-filesystem\s+medium\s+on\s+TE\s+/);
  const list = JSON.parse(run(['checks', 'list', '--format', 'json']).stdout);
  const ro = list.find((c: { id: string }) => c.id === 'securitycontext/readonly-root-filesystem');
  assert.deepEqual(ro.stride, ['T', 'E']);
  assert.ok(ro.references.includes('Trivy KSV-0014'));
  assert.match(run(['checks', 'list', '--format', 'markdown']).stdout, /^# Palisade checks/);
});
