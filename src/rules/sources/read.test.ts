import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, appendFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { readEvents, type ReadItem } from './index.js';

async function collect(it: AsyncIterable<ReadItem>): Promise<ReadItem[]> {
  const out: ReadItem[] = [];
  for await (const item of it) out.push(item);
  return out;
}

const ev = (id: string, extra: object = {}) => ({ kind: 'Event', apiVersion: 'audit.k8s.io/v1', auditID: id, stageTimestamp: '2024-01-01T00:00:00.000001Z', ...extra });
const tmp = () => mkdtempSync(join(tmpdir(), 'palisade-read-'));

test('k8s audit JSONL: events, EventLists, arrays, and errors with line numbers', async () => {
  const lines = [
    JSON.stringify(ev('1')),
    '',
    JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items: [ev('2'), ev('3')] }),
    '{"kind": 0}',
    'not json',
    JSON.stringify([ev('4'), [ev('5')]]),
    JSON.stringify({ kind: 'Event', auditID: 'no-ts' }),
    JSON.stringify(ev('6', { stageTimestamp: 'yesterday' })),
    JSON.stringify(ev('7')),
  ];
  const items = await collect(readEvents(Readable.from([lines.join('\r\n')]), 'k8s_audit'));
  const ids = items.filter((i) => 'event' in i).map((i) => [(i as { event: { auditID: string } }).event.auditID, i.line]);
  assert.deepEqual(ids, [['1', 1], ['2', 3], ['3', 3], ['4', 6], ['5', 6], ['7', 9]]);
  const errors = items.filter((i): i is { error: string; line: number } => 'error' in i);
  assert.deepEqual(errors.map((e) => e.line), [4, 5, 7, 8]);
  assert.equal(errors[0].error, 'data not recognized as a k8s audit event');
  assert.match(errors[1].error, /^invalid JSON/);
  assert.match(errors[2].error, /can't read stageTimestamp/);
  assert.match(errors[3].error, /can't parse stageTimestamp "yesterday"/);
});

test('chunks split anywhere, including inside multi-byte characters', async () => {
  const text = `${JSON.stringify(ev('é€'))}\n${JSON.stringify(ev('2'))}\n`;
  const bytes = Buffer.from(text);
  const chunks = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
  const items = await collect(readEvents(Readable.from(chunks), 'k8s_audit'));
  assert.deepEqual(items.map((i) => ('event' in i ? (i.event as { auditID: string }).auditID : i.error)), ['é€', '2']);
});

test('gzip files and gzip streams', async () => {
  const dir = tmp();
  try {
    const body = gzipSync(`${JSON.stringify({ 'evt.type': 'execve' })}\n${JSON.stringify({ 'evt.type': 'open' })}\n`);
    const path = join(dir, 'events.jsonl.gz');
    writeFileSync(path, body);
    const fromFile = await collect(readEvents(path, 'syscall'));
    assert.deepEqual(fromFile.map((i) => ('event' in i ? (i.event as Record<string, string>)['evt.type'] : i.error)), ['execve', 'open']);
    const fromStream = await collect(readEvents(Readable.from([body]), 'syscall'));
    assert.equal(fromStream.length, 2);
    const broken = await collect(readEvents(Readable.from([body.subarray(0, 20)]), 'syscall'));
    assert.ok(broken.some((i) => 'error' in i), 'truncated gzip is reported, not thrown');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('syscall lines must be objects', async () => {
  const items = await collect(readEvents(Readable.from(['{"evt.type":"open"}\n42\n[{"evt.type":"close"}]\n']), 'syscall'));
  assert.deepEqual(items.map((i) => ('event' in i ? 'event' : `error@${i.line}`)), ['event', 'error@2', 'event']);
});

test('a pretty-printed EventList document is read whole', async () => {
  const doc = JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items: [ev('a'), ev('b')] }, null, 2);
  const items = await collect(readEvents(Readable.from([doc]), 'k8s_audit'));
  assert.deepEqual(items.map((i) => ('event' in i ? (i.event as { auditID: string }).auditID : i.error)), ['a', 'b']);
});

test('a broken first line does not swallow the file', async () => {
  const text = `{"kind": "Event", "auditID": \n${JSON.stringify(ev('x'))}\n`;
  const items = await collect(readEvents(Readable.from([text]), 'k8s_audit'));
  assert.deepEqual(items.map((i) => ('event' in i ? 'event' : `error@${i.line}`)), ['error@1', 'event']);
});

test('over-long lines are reported and skipped', async () => {
  const text = `${'x'.repeat(500)}\n{"evt.type":"open"}\n`;
  const items = await collect(readEvents(Readable.from([text]), 'syscall', { maxLineBytes: 100 }));
  assert.deepEqual(items.map((i) => ('event' in i ? 'event' : i.error)), ['line too long: skipped', 'event']);
});

test('follow: picks up appended lines, survives truncation and rotation', async () => {
  const dir = tmp();
  const path = join(dir, 'audit.log');
  writeFileSync(path, `${JSON.stringify(ev('1'))}\n`);
  const ac = new AbortController();
  const seen: string[] = [];
  const reader = (async () => {
    for await (const item of readEvents(path, 'k8s_audit', { follow: true, pollMs: 10, signal: ac.signal })) {
      if ('event' in item) seen.push((item.event as { auditID: string }).auditID);
    }
  })();
  const waitFor = async (n: number) => {
    for (let i = 0; i < 300 && seen.length < n; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(seen.length, n, `saw ${seen.join(',')}`);
  };
  try {
    await waitFor(1);
    appendFileSync(path, `${JSON.stringify(ev('2'))}\n`);
    await waitFor(2);
    writeFileSync(path, `${JSON.stringify(ev('3'))}\n`); // truncate + rewrite (smaller)
    await waitFor(3);
    renameSync(path, `${path}.1`);
    writeFileSync(path, `${JSON.stringify(ev('4'))}\n${JSON.stringify(ev('5'))}\n`); // rotation: new inode
    await waitFor(5);
    assert.deepEqual(seen, ['1', '2', '3', '4', '5']);
  } finally {
    ac.abort();
    await reader;
    rmSync(dir, { recursive: true, force: true });
  }
});
