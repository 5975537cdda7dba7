import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../store/index.js';
import { interceptInsert } from '../store/intercept.js';
import { auditStream } from '../perf/audit-corpus.js';
import { ingestFiles } from './files.js';
import { Ingestor } from './ingest.js';

function lines(count: number, seed: number): string[] {
  return [...auditStream(count, seed)].map((e) => JSON.stringify(e));
}

test('an EventList of 100,000 items on one line is stored whole, in bounded transactions', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-files-'));
  const store = await openStore(':memory:');
  try {
    const path = join(dir, 'big.json');
    writeFileSync(path, `{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":[${lines(100_000, 5).join(',')}]}\n`);
    const problems: string[] = [];
    const sizes: number[] = [];
    const counting = interceptInsert(store, (insert, items) => (sizes.push(items.length), insert(items)));
    const stats = await ingestFiles([path], new Ingestor({ store: counting, maxBatch: 30_000 }), { report: (m) => problems.push(m) });
    assert.deepEqual(problems, []);
    assert.deepEqual(sizes, [30_000, 30_000, 30_000, 10_000]);
    assert.equal(stats.stored, 100_000);
    assert.equal((await store.stats()).events, 100_000);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--follow: lines appended, a line completed later, rotation by rename: every event stored once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-follow-'));
  const store = await openStore(':memory:');
  const path = join(dir, 'audit.log');
  const all = lines(40, 9);
  writeFileSync(path, `${all.slice(0, 10).join('\n')}\n`);
  const abort = new AbortController();
  const problems: string[] = [];
  const sizes: number[] = [];
  const counting = interceptInsert(store, (insert, items) => (sizes.push(items.length), insert(items)));
  const running = ingestFiles([path], new Ingestor({ store: counting }), { follow: true, signal: abort.signal, report: (m) => problems.push(m) });
  const until = async (n: number) => {
    for (let i = 0; i < 200 && (await store.stats()).events < n; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal((await store.stats()).events, n);
  };
  try {
    await until(10);
    // A read is stored at once, in one transaction (not an event at a time).
    assert.deepEqual(sizes, [10]);
    // The writer is half-way through a line: nothing is reported, the event waits for its end.
    appendFileSync(path, `${all.slice(10, 20).join('\n')}\n${all[20].slice(0, 40)}`);
    await until(20);
    appendFileSync(path, `${all[20].slice(40)}\n`);
    await until(21);
    // Rotation as the API server's log backend does it: rename, then a new file.
    appendFileSync(path, `${all.slice(21, 25).join('\n')}\n`);
    renameSync(path, join(dir, 'audit-2026-11-22T03-00-00.000.log'));
    writeFileSync(path, `${all.slice(25, 40).join('\n')}\n`);
    await until(40);
    assert.deepEqual(problems, []);
  } finally {
    abort.abort();
    await running;
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
