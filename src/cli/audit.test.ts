/**
 * `palisade audit …` as a user runs it: the day's log ingested, the four questions asked
 * (who, what, when, where), the webhook server started from the CLI and killed with -9.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { postJson } from '../server/https-post.js';
import { writeTestCertificate } from '../server/test-tls.js';
import { spawnServe } from '../server/spawn-serve.js';
import { openStore } from '../store/index.js';

const root = new URL('../../', import.meta.url).pathname;
const bin = join(root, 'bin', 'palisade.js');
const dayLog = join(root, 'examples', 'audit', 'cluster-day.jsonl');
const dayLines = readFileSync(dayLog, 'utf8').trim().split('\n');

function palisade(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', input, env: { ...process.env, PALISADE_DB: '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'palisade-audit-cli-'));
const db = join(dir, 'day.db');
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

test('ingest the day: alerts on stdout, a summary line on stderr; ingesting again stores nothing twice', () => {
  const r = palisade(['audit', 'ingest', '--db', db, dayLog]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /1455 events read, 1455 stored, 0 duplicates, 0 rejected, 12 alerts/);
  assert.equal(r.stdout.trim().split('\n').length, 12);
  assert.match(r.stdout, /Warning cluster-admin bound \(user=dave binding=ops-helper-admin/);
  const again = palisade(['audit', 'ingest', '--db', db, dayLog]);
  assert.match(again.stderr, /1455 events read, 0 stored, 1455 duplicates, 0 rejected, 0 alerts/);
  assert.equal(again.stdout, '');
});

test('who stole what: the stolen credential read Secrets in prod at 02:14', () => {
  const r = palisade(['audit', 'query', '--db', db, '--user', 'dave', '--resource', 'secrets']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.match(lines[0], /^TIME\s+USER\s+VERB\s+RESOURCE\s+NAMESPACE\s+NAME\s+CODE\s+SOURCEIP$/);
  assert.equal(lines.length, 4);
  assert.match(lines[1], /^2026-11-22T02:14:10\.\d{6}Z\s+dave\s+list\s+secrets\s+prod\s+200\s+203\.0\.113\.77$/);
  assert.match(lines[2], /02:14:31.*dave\s+get\s+secrets\s+prod\s+payments-db/);
  assert.match(lines[3], /02:14:40.*stripe-api-key/);
});

test('when and where: everything from the attacker\'s address in the night, as CSV and as JSON lines', () => {
  const csv = palisade(['audit', 'query', '--db', db, '--source-ip', '203.0.113.77', '--since', '2026-11-22T02:00:00Z', '--until', '2026-11-22T03:00:00Z', '--format', 'csv']);
  const rows = csv.stdout.trim().split('\n');
  assert.equal(rows[0], 'time,user,verb,resource,namespace,name,code,decision,sourceIP,userAgent,auditID,stage');
  assert.equal(rows.length, 1 + 15); // 5 probes, the allowed anonymous list, 9 steps of dave
  const json = palisade(['audit', 'query', '--db', db, '--denied', '--user', 'system:anonymous', '--format', 'json']);
  const events = json.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(events.length, 5);
  assert.ok(events.every((e) => e.responseStatus.code === 403 && e.kind === 'Event'));
});

test('who-touched: the ClusterRoleBinding, the namespace, the pod (exec included), oldest first', () => {
  const crb = palisade(['audit', 'who-touched', '--db', db, 'clusterrolebinding/ops-helper-admin']);
  assert.equal(crb.code, 0, crb.stderr);
  assert.match(crb.stdout.trim().split('\n')[1], /02:19:20.*dave\s+create\s+clusterrolebindings/);
  const ns = palisade(['audit', 'who-touched', '--db', db, 'ns/logging']);
  assert.match(ns.stdout, /02:24:51.*dave\s+delete\s+namespaces\s+logging/);
  const pod = palisade(['audit', 'who-touched', '--db', db, 'pod/debug-tools', '-n', 'prod']);
  const lines = pod.stdout.trim().split('\n').slice(1);
  assert.equal(lines.length, 2);
  assert.match(lines[0], /02:16:02.*dave\s+create\s+pods\s+prod\s+debug-tools\s+201/);
  assert.match(lines[1], /02:17:44.*dave\s+create\s+pods\/exec\s+prod\s+debug-tools\s+101/);
  const bad = palisade(['audit', 'who-touched', '--db', db, 'debug-tools']);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr, 'palisade: expected KIND/NAME (e.g. deployment/web, clusterrolebinding/admins), got "debug-tools"\n');
});

test('summary and alerts', () => {
  const s = palisade(['audit', 'summary', '--db', db, '--format', 'json']);
  const summary = JSON.parse(s.stdout);
  assert.equal(summary.events, 1455);
  assert.ok(summary.anonymous >= 6);
  assert.ok(summary.deniedByUser.some((c: { key: string; count: number }) => c.key === 'system:anonymous' && c.count === 5));
  assert.equal(summary.alertsByRule.reduce((n: number, c: { count: number }) => n + c.count, 0), 12);
  const text = palisade(['audit', 'summary', '--db', db]);
  assert.match(text.stdout, /Anomalies:\n.*requests from unauthenticated users/);
  assert.match(text.stdout, /system:anonymous was denied 5 times \(probing\?\)/);
  const alerts = palisade(['audit', 'alerts', '--db', db, '--format', 'json']);
  const list = alerts.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(list.length, 12);
  assert.deepEqual(Object.keys(list[0]).sort(), ['hostname', 'output', 'output_fields', 'priority', 'rule', 'source', 'tags', 'time']);
  const one = palisade(['audit', 'alerts', '--db', db, '--rule', 'Namespace deleted']);
  assert.match(one.stdout, /Namespace deleted/);
  assert.equal(one.stdout.trim().split('\n').length, 2);
});

test('bad input: a truncated last line, a line that is not JSON, a gzip that ends early, an event without auditID or time', () => {
  const messy = join(dir, 'messy.log');
  writeFileSync(messy, [
    dayLines[0],
    'this is not json',
    '{"kind":"Event","stage":"ResponseComplete","verb":"get","requestURI":"/version","stageTimestamp":"2026-11-22T05:00:00Z"}',
    '{"kind":"Event","auditID":"no-time","verb":"get"}',
    dayLines[1],
    dayLines[2].slice(0, 50),
  ].join('\n'));
  const gz = join(dir, 'rotated.log.gz');
  writeFileSync(gz, gzipSync(Buffer.from(dayLines.slice(3, 400).join('\n'))).subarray(0, 5000));
  const messyDb = join(dir, 'messy.db');
  const r = palisade(['audit', 'ingest', '--db', messyDb, '--no-stdout', messy, gz, join(dir, 'missing.log')]);
  assert.equal(r.code, 2); // an input could not be read
  const err = r.stderr.split('\n');
  assert.ok(err.includes(`palisade: ${messy}:2: invalid JSON: Unexpected token 'h', "this is not json" is not valid JSON`) || err.some((l) => l.startsWith(`palisade: ${messy}:2: invalid JSON`)), r.stderr);
  assert.ok(err.some((l) => /messy\.log:3: audit event has no auditID: stored as sha256:/.test(l)), r.stderr);
  assert.ok(err.some((l) => /messy\.log:4: can't read stageTimestamp/.test(l)), r.stderr);
  assert.ok(err.some((l) => /messy\.log:6: invalid JSON/.test(l)), r.stderr);
  assert.ok(err.some((l) => /rotated\.log\.gz:\d+: gzip data ends early/.test(l)), r.stderr);
  assert.ok(err.includes(`palisade: ${join(dir, 'missing.log')}: cannot read (no such file)`), r.stderr);
  const stored = Number(/(\d+) stored/.exec(r.stderr)?.[1]);
  assert.ok(stored > 3, r.stderr); // the good lines, and what the gzip held before it broke
  assert.ok(!/\n\s+at /.test(r.stderr), 'no stack trace');
});

test('bad flags and an unreachable database are one line each', () => {
  assert.equal(palisade(['audit', 'query', '--db', db, '--since', 'yesterday']).stderr, 'palisade: --since: expected a duration (30m, 2h, 7d) or an RFC 3339 time (2026-11-22T02:00:00Z), got "yesterday"\n');
  const pg = palisade(['audit', 'query', '--db', 'postgres://u:hunter2@127.0.0.1:1/x']);
  assert.equal(pg.code, 2);
  assert.equal(pg.stderr.trim().split('\n').length, 1);
  assert.ok(!pg.stderr.includes('hunter2'), 'the password is never printed');
  const serve = palisade(['audit', 'serve', '--db', db]);
  assert.equal(serve.stderr, 'palisade: HTTPS needs --tls-cert and --tls-key (or --insecure for plain HTTP on a test machine)\n');
});

test('webhook-config prints the kubeconfig for the API server', () => {
  const r = palisade(['audit', 'webhook-config', '--url', 'https://palisade.palisade.svc:8443/audit']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /server: https:\/\/palisade\.palisade\.svc:8443\/audit/);
  assert.match(r.stdout, /current-context: palisade-audit/);
});

test('audit serve: an acknowledged batch survives kill -9', async () => {
  const tls = await writeTestCertificate(dir);
  const serveDb = join(dir, 'serve.db');
  const server = await spawnServe(['audit', 'serve', '--tls-cert', tls.certFile, '--tls-key', tls.keyFile, '--db', serveDb, '--no-stdout']);
  try {
    const body = `{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":[${dayLines.slice(0, 300).join(',')}]}`;
    const answer = await postJson(`${server.url}/audit`, body, { ca: tls.cert });
    assert.equal(answer.status, 200);
    assert.deepEqual(JSON.parse(answer.body), { stored: 300, duplicates: 0, rejected: 0 });
  } finally {
    await server.stop('SIGKILL');
  }
  const store = await openStore(serveDb);
  try {
    assert.equal((await store.stats()).events, 300);
  } finally {
    await store.close();
  }
});

test('prune: retention by size deletes the oldest events and their alerts; by age everything before the cut', () => {
  const pruneDb = join(dir, 'prune.db');
  assert.equal(palisade(['audit', 'ingest', '--db', pruneDb, '--no-stdout', dayLog]).code, 0);
  const bySize = palisade(['audit', 'prune', '--db', pruneDb, '--retain-size', '200KB']);
  assert.equal(bySize.code, 0, bySize.stderr);
  const deleted = Number(/palisade: (\d+) events and (\d+) alerts deleted/.exec(bySize.stderr)?.[1]);
  assert.ok(deleted > 1000 && deleted < 1455, bySize.stderr);
  const left = JSON.parse(palisade(['audit', 'summary', '--db', pruneDb, '--format', 'json']).stdout);
  assert.equal(left.events, 1455 - deleted);
  assert.ok(left.first > Date.parse('2026-11-22T12:00:00Z') * 1000, 'the oldest went first');
  assert.equal(left.alertsByRule.length, 0, 'the night\'s alerts went with their events');
  const byAge = palisade(['audit', 'prune', '--db', pruneDb, '--retain-age', '1h']); // the day is in the past: all of it is older
  assert.match(byAge.stderr, new RegExp(`palisade: ${1455 - deleted} events and 0 alerts deleted`));
  assert.equal(palisade(['audit', 'prune', '--db', pruneDb]).stderr, 'palisade: prune: give --retain-age, --retain-size or both\n');
});
