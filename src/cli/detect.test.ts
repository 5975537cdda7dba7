// End-to-end: `palisade rules …` and `palisade detect` as a user runs them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { ATTACK_ALERTS } from '../perf/audit-corpus.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = join(root, 'bin', 'palisade.js');
const dayLog = join(root, 'examples', 'audit', 'cluster-day.jsonl');
let dir: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'palisade-detect-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], input?: string | Buffer) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, input, encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20, env: { ...process.env, NO_COLOR: '1', FALCO_HOSTNAME: 'test-host' } });
  assert.equal(r.signal, null, 'palisade hung or crashed');
  assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+/, 'no stack trace');
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('rules validate: the defaults and an upstream-style file are Ok; JSON has counts', () => {
  const ok = run(['rules', 'validate']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /palisade_syscall_rules\.yaml: Ok/);
  assert.match(ok.stdout, /19 rules, 12 macros, 19 lists/);
  const j = JSON.parse(run(['rules', 'validate', '--format', 'json']).stdout);
  assert.deepEqual(j.counts, { rules: 19, macros: 12, lists: 19, errors: 0, warnings: 0 });
  assert.equal(j.results.length, 2);
  assert.equal(j.results[0].successful, true);
});

test('rules validate: a syntax error names the file, the line, the item and what was expected; exit 1', () => {
  const file = join(dir, 'bad.yaml');
  writeFileSync(file, '- macro: ok\n  condition: proc.name = sh\n\n- rule: broken\n  desc: d\n  condition: proc.name = sh and\n  output: x\n  priority: WARNING\n');
  const r = run(['rules', 'validate', file]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /bad\.yaml:\d+:\d+: rule 'broken' LOAD_ERR_COMPILE_CONDITION/);
  const missing = run(['rules', 'validate', join(dir, 'nope.yaml')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /nope\.yaml: cannot read rules file \(no such file\)/);
});

test('rules list shows the rules with priority, source and tags', () => {
  const r = run(['rules', 'list']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /Terminal shell in container\s+Notice\s+syscall\s+yes/);
  assert.match(r.stdout, /Exec or attach into pod\s+Notice\s+k8s_audit\s+yes/);
  const j = JSON.parse(run(['rules', 'list', '--format', 'json']).stdout);
  assert.equal(j.length, 19);
});

test('detect: the audit day raises the attack alerts in Falco JSON', () => {
  const r = run(['detect', dayLog, '--format', 'json']);
  assert.equal(r.code, 0, r.stderr);
  const alerts = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  const counts: Record<string, number> = {};
  for (const a of alerts) counts[a.rule] = (counts[a.rule] ?? 0) + 1;
  assert.deepEqual(counts, Object.fromEntries(ATTACK_ALERTS.map((a) => [a.rule, a.count])));
  const exec = alerts.find((a) => a.rule === 'Exec or attach into pod');
  assert.deepEqual(Object.keys(exec).sort(), ['hostname', 'output', 'output_fields', 'priority', 'rule', 'source', 'tags', 'time']);
  assert.equal(exec.hostname, 'test-host');
  assert.equal(exec.priority, 'Notice');
  assert.equal(exec.source, 'k8s_audit');
  assert.equal(exec.time, '2026-11-22T02:17:44.042107000Z');
  assert.equal(exec.output_fields['ka.uri.param[command]'], 'sh');
  assert.match(exec.output, /^2026-11-22T02:17:44\.042107000\+0000: Notice Exec or attach into a pod \(user=dave pod=debug-tools namespace=prod action=exec command=sh container=shell\)$/);
  assert.match(r.stderr, /1455 events, 12 alerts/);
});

test('detect: stdin, gzip, --min-priority, --rule-matching first and --output-file', () => {
  const text = readFileSync(dayLog);
  const errOnly = run(['detect', '-', '--min-priority', 'error'], text);
  assert.equal(errOnly.stdout.trim().split('\n').length, 1);
  assert.match(errOnly.stdout, /Error Anonymous request allowed/);
  const gz = join(dir, 'day.jsonl.gz');
  writeFileSync(gz, gzipSync(text));
  const out = join(dir, 'alerts.json');
  const r = run(['detect', gz, '--source', 'k8s_audit', '--no-stdout', '--output-file', out, '--format', 'json', '--rule-matching', 'first']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  const lines = readFileSync(out, 'utf8').trim().split('\n');
  // With rule_matching first the privileged hostPath pod raises one alert, not two (and the wildcard role one).
  assert.equal(lines.length, 10);
});

test('detect: malformed event lines are counted and reported with their line; detection goes on', () => {
  const good = readFileSync(dayLog, 'utf8').split('\n').filter((l) => l.includes('"dave"')).slice(0, 2);
  const file = join(dir, 'mixed.jsonl');
  writeFileSync(file, [good[0], '{"kind": "Event", "auditID": ', 'not json at all', '{"kind": 0}', good[1], ''].join('\n'));
  const r = run(['detect', file, '--source', 'k8s_audit']);
  assert.equal(r.code, 0);
  assert.match(r.stderr, /mixed\.jsonl:2: /);
  assert.match(r.stderr, /mixed\.jsonl:3: /);
  assert.match(r.stderr, /mixed\.jsonl:4: .*not recognized as a k8s audit event/);
  assert.match(r.stderr, /2 events, 2 alerts .*3 malformed events skipped/);
  assert.equal(r.stdout.trim().split('\n').length, 2);
});

test('detect: syscall JSON lines with the default rules; a broken rules file stops before running', () => {
  const events = [
    { 'evt.type': 'execve', 'evt.rawtime': '1795305600000000000', 'proc.name': 'bash', 'proc.pname': 'runc', 'proc.cmdline': 'bash', 'proc.tty': 34816, 'container.id': 'abc123', 'container.image.repository': 'nginx', 'user.name': 'root' },
    { 'evt.type': 'openat', 'evt.rawtime': '1795305600000001000', 'proc.name': 'nginx', 'fd.name': '/var/log/nginx/access.log', 'evt.is_open_write': true, 'container.id': 'abc123' },
  ].map((e) => JSON.stringify(e)).join('\n');
  const r = run(['detect', '-'], events);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^2026-11-22T00:00:00\.000000000\+0000: Notice A shell was spawned in a container with an attached terminal \(user=root shell=bash parent=runc/m);
  assert.match(r.stdout, /Warning Unexpected process in an nginx container/);
  assert.match(r.stderr, /2 events, 2 alerts/);
  const bad = join(dir, 'bad-rules.yaml');
  writeFileSync(bad, '- rule: x\n  desc: d\n  condition: evt.type = open and\n  output: o\n  priority: WARNING\n');
  const stopped = run(['detect', '-r', bad, '-'], events);
  assert.equal(stopped.code, 1);
  assert.match(stopped.stderr, /bad-rules\.yaml:\d+:\d+: rule 'x'/);
  assert.match(stopped.stderr, /rules did not load; nothing was run/);
  assert.equal(stopped.stdout, '');
});

test('detect: usage errors are one line and exit 2', () => {
  const r = run(['detect', '--min-priority', 'loud', '-'], '');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown priority "loud"/);
  const missing = run(['detect', join(dir, 'absent.jsonl')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /absent\.jsonl: cannot read \(no such file\)/);
});

test('detect: a gzip audit log is recognised as audit events without --source', () => {
  const gz = join(dir, 'auto.jsonl.gz');
  writeFileSync(gz, gzipSync(readFileSync(dayLog)));
  const r = run(['detect', gz, '--format', 'json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim().split('\n').length, 12);
  assert.match(r.stderr, /1455 events, 12 alerts/);
});
