// The block format (block.ts): columns packed at their narrowest width come back exactly, and
// every event's strings come back from the clustered, chunked text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rng } from '../perf/corpus.js';
import {
  decodeColumns, encodeBlock, encodeColumns, F_CODE, F_RECEIVED, F_TIME, F64_COLUMNS, ROW_WIDTH, TEXT_CHUNK, TextReader, textLocation,
  U_EVENT_LEN, U_ID_LEN, U_SLOT, U_URI_LEN, U_USER, U32_COLUMNS, buildColumns, type Columns,
} from './block.js';

function plain(c: Columns): { f: number[][]; u: number[][] } {
  return { f: c.f.map((a) => [...a]), u: c.u.map((a) => [...a]) };
}

test('columns: integers of every width, times as offsets, null codes, fractional and huge values come back exactly', () => {
  const r = rng(1);
  for (const n of [1, 2, 7, 300, 1024]) {
    for (const shape of ['small', 'wide', 'fractional', 'nulls'] as const) {
      const rows: number[] = [];
      for (let i = 0; i < n; i++) {
        const t = 1_795_000_000_000_000 + Math.floor(r() * 600_000_000);
        const time = shape === 'fractional' && i % 3 === 0 ? t + 0.5 : t;
        const received = shape === 'wide' ? t - Math.floor(r() * 2 ** 40) : t - Math.floor(r() * 1000);
        const code = shape === 'nulls' ? (i % 2 ? NaN : 200) : shape === 'wide' ? (i % 2 ? -1 : 2 ** 40) : 200 + (i % 300);
        rows.push(time, received, code);
        for (let k = 0; k < U32_COLUMNS; k++) rows.push(shape === 'wide' ? Math.floor(r() * 2 ** 32) : k === U_SLOT ? i : Math.floor(r() * (k < 5 ? 200 : 70_000)));
      }
      const cols = buildColumns(rows, n);
      const back = decodeColumns(encodeColumns(cols));
      assert.equal(back.n, n);
      assert.deepEqual(plain(back), plain(cols), `${shape}, n=${n}`);
    }
  }
});

test('columns: a blob not on an 8-byte boundary is read (SQLite hands blobs at any offset)', () => {
  const rows: number[] = [];
  for (let i = 0; i < 10; i++) rows.push(1_795_000_000_000_000 + i, 1_795_000_000_000_000, 200, ...new Array<number>(U32_COLUMNS).fill(i));
  const cols = buildColumns(rows, 10);
  const blob = encodeColumns(cols);
  const shifted = new Uint8Array(blob.length + 3);
  shifted.set(blob, 3);
  assert.deepEqual(plain(decodeColumns(shifted.subarray(3))), plain(cols));
});

test('a block: events laid out by user and object, each one\'s strings found again by slot, across chunks', () => {
  const r = rng(2);
  const n = 3 * TEXT_CHUNK + 5;
  const rows: number[] = [];
  const events: string[] = [];
  const ids: string[] = [];
  const uris: string[] = [];
  for (let i = 0; i < n; i++) {
    const row = new Array<number>(ROW_WIDTH).fill(0);
    row[F_TIME] = 1_795_000_000_000_000 + i;
    row[F_RECEIVED] = row[F_TIME];
    row[F_CODE] = 200;
    row[F64_COLUMNS + U_USER] = Math.floor(r() * 5);
    row[F64_COLUMNS + U_SLOT] = i;
    events.push(JSON.stringify({ i, pad: 'é'.repeat(i % 7), s: '✓'.repeat(i % 3) }));
    ids.push(`id-${i}-${'x'.repeat(i % 4)}`);
    uris.push(`/api/v1/things/${i}`);
    row[F64_COLUMNS + U_EVENT_LEN] = events[i].length;
    row[F64_COLUMNS + U_ID_LEN] = ids[i].length;
    row[F64_COLUMNS + U_URI_LEN] = uris[i].length;
    rows.push(...row);
  }
  const enc = encodeBlock(rows, events, ids, uris);
  assert.equal(enc.bytes, events.reduce((b, e) => b + Buffer.byteLength(e), 0));
  assert.deepEqual([enc.tMin, enc.tMax], [1_795_000_000_000_000, 1_795_000_000_000_000 + n - 1]);
  const cols = decodeColumns(enc.colsBlob);
  const users = [...cols.u[U_USER]];
  assert.deepEqual(users, [...users].sort((a, b) => a - b), 'clustered by user');
  const text = new TextReader(enc.textBlob);
  const seen = new Set<number>();
  for (let p = 0; p < n; p++) {
    const slot = cols.u[U_SLOT][p];
    seen.add(slot);
    assert.deepEqual(text.get(textLocation(cols, p)), { event: events[slot], auditId: ids[slot], requestUri: uris[slot] });
    assert.equal(cols.f[F_TIME][p], 1_795_000_000_000_000 + slot);
  }
  assert.equal(seen.size, n);
});
