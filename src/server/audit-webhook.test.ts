/**
 * The audit webhook over real HTTPS on loopback, into a real SQLite store, with Palisade's
 * k8s_audit rules: what the API server's webhook backend would see.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditReceiver, ingestFiles, Ingestor } from '../audit/index.js';
import { buildRuleset, DEFAULT_RULE_FILES, defaultSources, readRuleFiles, type Alert } from '../rules/index.js';
import { openStore, type Store } from '../store/index.js';
import { interceptInsert } from '../store/intercept.js';
import { buildServer } from './app.js';
import { listen } from './listen.js';
import { postJson } from './https-post.js';
import { testCertificate } from './test-tls.js';
import { ATTACK_ALERTS } from '../perf/audit-corpus.js';

const root = new URL('../../', import.meta.url).pathname;
const dayLog = join(root, 'examples', 'audit', 'cluster-day.jsonl');
const dayLines = readFileSync(dayLog, 'utf8').trim().split('\n');

async function rules() {
  const { files } = await readRuleFiles(DEFAULT_RULE_FILES);
  const sources = defaultSources();
  return { built: buildRuleset(files, { sources }), source: sources.k8s_audit };
}

function collectingSink(into: Alert[]) {
  return { write: (a: Alert) => void into.push(a), close: async () => {}, stats: () => ({ sent: into.length, dropped: 0, failed: 0 }) };
}

function eventList(lines: readonly string[]): string {
  return `{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":[${lines.join(',')}]}`;
}

async function startServer(store: Store, opts: { bodyLimit?: number; maxPending?: number; alerts?: Alert[]; problems?: string[] } = {}) {
  const tls = await testCertificate();
  const r = await rules();
  const ingestor = new Ingestor({ store, ...r, sinks: [collectingSink(opts.alerts ?? [])] });
  const receiver = new AuditReceiver(ingestor, { report: (m) => opts.problems?.push(m), ...(opts.maxPending ? { maxPendingEvents: opts.maxPending } : {}) });
  const app = buildServer({ tls, audit: receiver, ...(opts.bodyLimit ? { bodyLimit: opts.bodyLimit } : {}) });
  const url = await listen(app, '127.0.0.1', 0, true);
  return { url: `${url}/audit`, base: url, ca: tls.cert, app, receiver };
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'palisade-webhook-'));
}

test('a day of audit log through the webhook and through the file path: same events, same alerts', async () => {
  const dir = tempDir();
  const viaHook = await openStore(join(dir, 'hook.db'));
  const viaFile = await openStore(join(dir, 'file.db'));
  const hookAlerts: Alert[] = [];
  const fileAlerts: Alert[] = [];
  const server = await startServer(viaHook, { alerts: hookAlerts });
  try {
    for (let i = 0; i < dayLines.length; i += 100) {
      const answer = await postJson(server.url, eventList(dayLines.slice(i, i + 100)), { ca: server.ca });
      assert.equal(answer.status, 200, answer.body);
    }
    const r = await rules();
    const stats = await ingestFiles([dayLog], new Ingestor({ store: viaFile, ...r, sinks: [collectingSink(fileAlerts)] }), { report: (m) => assert.fail(m) });
    assert.equal(stats.stored, dayLines.length);

    const all = { limit: 100_000 };
    const a = await viaHook.queryEvents(all);
    const b = await viaFile.queryEvents(all);
    assert.equal(a.length, dayLines.length);
    assert.deepEqual(a.map(({ id: _, ...rest }) => rest), b.map(({ id: _, ...rest }) => rest));

    const expected = ATTACK_ALERTS.reduce((n, x) => n + x.count, 0);
    assert.equal(hookAlerts.length, expected);
    assert.deepEqual(hookAlerts.map((x) => x.output).sort(), fileAlerts.map((x) => x.output).sort());
    const storedAlerts = await viaHook.queryAlerts({ limit: 1000 });
    for (const { rule, count } of ATTACK_ALERTS) assert.equal(storedAlerts.filter((x) => x.rule === rule).length, count, rule);

    // The API server resends a batch it did not see acknowledged: nothing is stored or raised twice.
    const again = await postJson(server.url, eventList(dayLines.slice(0, 100)), { ca: server.ca });
    assert.deepEqual(JSON.parse(again.body), { stored: 0, duplicates: 100, rejected: 0 });
    assert.equal((await viaHook.stats()).events, dayLines.length);
    assert.equal(hookAlerts.length, expected);
  } finally {
    await server.app.close();
    await viaHook.close();
    await viaFile.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad bodies get a 4xx with a reason and the server goes on', async () => {
  const dir = tempDir();
  const store = await openStore(join(dir, 'a.db'));
  const problems: string[] = [];
  const server = await startServer(store, { bodyLimit: 64 * 1024, problems });
  try {
    const bad = await postJson(server.url, '{"kind":"EventList","items":[{"auditID":', { ca: server.ca });
    assert.equal(bad.status, 400);
    assert.match(JSON.parse(bad.body).error, /JSON/i);

    const notAudit = await postJson(server.url, '{"kind":"Pod","apiVersion":"v1"}', { ca: server.ca });
    assert.deepEqual([notAudit.status, JSON.parse(notAudit.body)], [400, { error: 'expected kind EventList or Event, got "Pod"' }]);
    const wrongVersion = await postJson(server.url, '{"kind":"EventList","apiVersion":"audit.k8s.io/v2","items":[]}', { ca: server.ca });
    assert.equal(wrongVersion.status, 400);
    const array = await postJson(server.url, '[1,2]', { ca: server.ca });
    assert.equal(array.status, 400);

    const big = await postJson(server.url, eventList(dayLines.slice(0, 200)), { ca: server.ca });
    assert.equal(big.status, 413);

    // One bad event inside a batch is reported; the rest of the batch is stored and acknowledged.
    const mixed = [dayLines[0], '{"kind":"Event","auditID":"no-time","verb":"get"}', dayLines[1]];
    const answer = await postJson(server.url, eventList(mixed), { ca: server.ca });
    assert.equal(answer.status, 200);
    assert.deepEqual(JSON.parse(answer.body), { stored: 2, duplicates: 0, rejected: 1 });
    assert.ok(problems.some((p) => /item 1: audit event has no stageTimestamp/.test(p)), problems.join('\n'));

    const health = await fetch(`${server.base.replace('https', 'http')}/healthz`).catch(() => undefined);
    assert.equal(health, undefined, 'plain HTTP is not served when TLS is on');
    const missing = await postJson(`${server.base}/nope`, '{}', { ca: server.ca });
    assert.equal(missing.status, 404);
  } finally {
    await server.app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('over capacity the receiver answers 429 so the API server backs off; a failing store gets 503, never 2xx', async () => {
  const dir = tempDir();
  const real = await openStore(join(dir, 'a.db'));
  // The real store behind a gate: inserts wait until the test opens it, so requests pile up.
  let open!: () => void;
  const gate = new Promise<void>((resolve) => { open = resolve; });
  const gated = interceptInsert(real, async (insert, items) => { await gate; return insert(items); });
  const server = await startServer(gated, { maxPending: 150 });
  try {
    const first = postJson(server.url, eventList(dayLines.slice(0, 100)), { ca: server.ca });
    await new Promise((r) => setTimeout(r, 100));
    const second = await postJson(server.url, eventList(dayLines.slice(100, 200)), { ca: server.ca });
    assert.equal(second.status, 429);
    assert.equal(second.headers['retry-after'], '1');
    open();
    assert.equal((await first).status, 200);
    const retried = await postJson(server.url, eventList(dayLines.slice(100, 200)), { ca: server.ca });
    assert.equal(retried.status, 200);
    assert.equal((await real.stats()).events, 200);

    await real.close();
    const failed = await postJson(server.url, eventList(dayLines.slice(200, 210)), { ca: server.ca });
    assert.equal(failed.status, 503);
  } finally {
    await server.app.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
