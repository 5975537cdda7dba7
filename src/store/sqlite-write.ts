/**
 * SQLite inserts: a batch → its duplicate keys in `seen`, its new events in blocks (one per
 * time bucket met, cut at BLOCK_EVENTS), each block's posting lists, the alerts, the totals.
 * Runs inside the caller's write transaction.
 *
 * Per event this is a few map lookups (dictionary ids), one `seen` entry and a share of a
 * compressed block; no index entry per event besides `seen`.
 */
import type Database from 'better-sqlite3';
import { BLOCK_EVENTS, bucketStart, encodeBlock, ROW_WIDTH, SLOTS, storable, type Columns, type EncodedBlock } from './block.js';
import { blockKeys } from './postings.js';
import { SET_GROUPS, SET_IPS } from './schema.js';
import type { Dict, Sets } from './sqlite-dict.js';
import type { AlertRecord, AuditRecord, IngestItem, InsertResult } from './types.js';

/**
 * One INSERT statement of `width` rows: statement calls from JavaScript cost more than the
 * rows they insert, so rows go `width` at a time (the tail one at a time). Returns the rows
 * actually inserted (OR IGNORE skips existing keys).
 */
class RowsInsert {
  private readonly many: Database.Statement;
  private readonly one: Database.Statement;
  private readonly params: unknown[];

  constructor(db: Database.Database, prefix: string, private readonly columns: number, private readonly width: number) {
    const row = `(${new Array(columns).fill('?').join(', ')})`;
    this.many = db.prepare(`${prefix} VALUES ${new Array(width).fill(row).join(', ')}`);
    this.one = db.prepare(`${prefix} VALUES ${row}`);
    this.params = new Array(columns * width);
  }

  /** `values` holds rows of `columns` values one after the other. */
  run(values: readonly unknown[]): number {
    const rows = values.length / this.columns;
    const full = Math.floor(rows / this.width) * this.width;
    let changes = 0;
    const p = this.params;
    for (let r = 0; r < full; r += this.width) {
      const from = r * this.columns;
      for (let k = 0; k < p.length; k++) p[k] = values[from + k];
      changes += this.many.run(p).changes;
    }
    for (let r = full; r < rows; r++) changes += this.one.run(values.slice(r * this.columns, (r + 1) * this.columns)).changes;
    return changes;
  }
}

/** A block's posting rows: written with the block, replaced when retention rewrites it. */
export class PostingWriter {
  private readonly ins: RowsInsert;
  private readonly del: Database.Statement;

  constructor(db: Database.Database) {
    this.ins = new RowsInsert(db, 'INSERT INTO postings (key, t_min, block, t_max)', 4, 64);
    this.del = db.prepare('DELETE FROM postings WHERE key = ? AND t_min = ? AND block = ?');
  }

  add(block: number, b: { cols: Columns; tMin: number; tMax: number }): void {
    const values: number[] = [];
    for (const key of blockKeys(b.cols)) values.push(key, b.tMin, block, b.tMax);
    this.ins.run(values);
  }

  remove(block: number, b: { cols: Columns; tMin: number }): void {
    for (const key of blockKeys(b.cols)) this.del.run(key, b.tMin, block);
  }
}

function nibble(c: number): number {
  return c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
}

/**
 * An auditID as `seen` keys it: a UUID in the canonical lowercase form the API server writes
 * as its 16 bytes, anything else as text (a BLOB never equals a TEXT, so two auditIDs never
 * share a key). Half the bytes per key: with events arriving out of time order, a
 * transaction's keys land on most of the index's pages, and a smaller index halves what its
 * commits write.
 */
export function seenId(auditId: string): string | Buffer {
  if (auditId.length !== 36) return auditId;
  const out = Buffer.allocUnsafe(16);
  for (let i = 0, o = 0; i < 36; ) {
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (auditId.charCodeAt(i) !== 45 /* - */) return auditId;
      i++;
      continue;
    }
    const hi = nibble(auditId.charCodeAt(i));
    const lo = nibble(auditId.charCodeAt(i + 1));
    if (hi < 0 || lo < 0) return auditId;
    out[o++] = (hi << 4) | lo;
    i += 2;
  }
  return out;
}

/** Thrown inside the optimistic duplicate check to roll it back. */
const SOME_DUPLICATE = new Error('some events of the batch are duplicates');

/** The events of one bucket gathered for a block. */
class Builder {
  rows: number[] = [];
  events: string[] = [];
  ids: string[] = [];
  uris: string[] = [];
  alerts: Array<{ slot: number; alerts: readonly AlertRecord[] }> = [];
  constructor(readonly bucket: number) {}
  get n(): number {
    return this.events.length;
  }
}

function invalid(i: number, field: string, what: string): Error {
  return new Error(`cannot store item ${i}: ${field} must be ${what}`);
}

const STRING_FIELDS = ['auditId', 'stage', 'level', 'user', 'impersonatedUser', 'verb', 'apiGroup', 'apiVersion', 'resource', 'subresource', 'namespace', 'name', 'requestUri', 'decision', 'userAgent', 'event'] as const;

function strings(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  for (let k = 0; k < v.length; k++) if (typeof v[k] !== 'string') return false;
  return true;
}

/** What the row layout's NOT NULL columns refused, refused before anything is written. */
function checkRecord(r: AuditRecord, i: number): void {
  if (r === null || typeof r !== 'object') throw invalid(i, 'record', 'an object');
  for (let k = 0; k < STRING_FIELDS.length; k++) if (typeof r[STRING_FIELDS[k]] !== 'string') throw invalid(i, STRING_FIELDS[k], 'a string');
  if (typeof r.time !== 'number' || !Number.isFinite(r.time)) throw invalid(i, 'time', 'a finite number');
  if (typeof r.received !== 'number' || !Number.isFinite(r.received)) throw invalid(i, 'received', 'a finite number');
  if (r.code !== null && (typeof r.code !== 'number' || !Number.isFinite(r.code))) throw invalid(i, 'code', 'a finite number or null');
  if (!strings(r.groups)) throw invalid(i, 'groups', 'an array of strings');
  if (!strings(r.sourceIps)) throw invalid(i, 'sourceIps', 'an array of strings');
}

export class BlockWriter {
  private readonly seenMany: RowsInsert;
  private readonly seenOne: Database.Statement;
  private readonly insBlock: Database.Statement;
  private readonly insAlert: Database.Statement;
  private readonly addTotals: Database.Statement;
  readonly postings: PostingWriter;
  /** The optimistic duplicate check, in a savepoint of the caller's transaction. */
  private readonly allNew: (keys: readonly unknown[], n: number) => void;

  constructor(
    db: Database.Database,
    private readonly dict: Dict,
    private readonly sets: Sets,
  ) {
    this.seenMany = new RowsInsert(db, 'INSERT OR IGNORE INTO seen (received, audit_id, stage_id)', 3, 250);
    this.seenOne = db.prepare('INSERT OR IGNORE INTO seen (received, audit_id, stage_id) VALUES (?, ?, ?)');
    this.insBlock = db.prepare('INSERT INTO blocks (t_min, t_max, n, bytes, cols, text) VALUES (?, ?, ?, ?, ?, ?)');
    this.insAlert = db.prepare('INSERT INTO alerts (event_id, audit_id, stage, time, rule, priority, source, output, alert) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    this.addTotals = db.prepare('UPDATE totals SET events = events + ?, alerts = alerts + ?, bytes = bytes + ? WHERE id = 1');
    this.postings = new PostingWriter(db);
    this.allNew = db.transaction((keys: readonly unknown[], n: number) => {
      if (this.seenMany.run(keys) !== n) throw SOME_DUPLICATE;
    });
  }

  /** Inside a write transaction. */
  insert(items: readonly IngestItem[]): InsertResult {
    const n = items.length;
    for (let i = 0; i < n; i++) checkRecord(items[i]?.record, i);
    const dict = this.dict;
    const ids = new Array<string>(n);
    const keys = new Array<unknown>(3 * n);
    for (let i = 0; i < n; i++) {
      const r = items[i].record;
      ids[i] = storable(r.auditId);
      keys[3 * i] = r.received;
      keys[3 * i + 1] = seenId(ids[i]);
      keys[3 * i + 2] = dict.id(r.stage);
    }
    const inserted = this.dedupe(keys, n);

    const open = new Map<number, Builder>();
    const out = { events: 0, alerts: 0, bytes: 0 };
    for (let i = 0; i < n; i++) {
      if (!inserted[i]) continue;
      const { record: r, alerts } = items[i];
      const bucket = bucketStart(r.time);
      let b = open.get(bucket);
      if (!b) open.set(bucket, (b = new Builder(bucket)));
      this.add(b, r, ids[i], keys[3 * i + 2] as number, alerts);
      if (b.n === BLOCK_EVENTS) {
        this.write(b, out);
        open.delete(bucket);
      }
    }
    for (const b of [...open.values()].sort((x, y) => x.bucket - y.bucket)) this.write(b, out);
    if (out.events > 0) this.addTotals.run(out.events, out.alerts, out.bytes);
    return { inserted, insertedCount: out.events, duplicates: n - out.events };
  }

  /**
   * Which items are new, their keys now in `seen`. Tried first as if none were a duplicate
   * (the common case: a few statements for the whole batch); when some are, that attempt is
   * rolled back and each key is tried alone.
   */
  private dedupe(keys: readonly unknown[], n: number): boolean[] {
    try {
      this.allNew(keys, n);
      return new Array<boolean>(n).fill(true);
    } catch (e) {
      if (e !== SOME_DUPLICATE) throw e;
    }
    const inserted = new Array<boolean>(n);
    for (let i = 0; i < n; i++) inserted[i] = this.seenOne.run(keys[3 * i], keys[3 * i + 1], keys[3 * i + 2]).changes === 1;
    return inserted;
  }

  private add(b: Builder, r: AuditRecord, auditId: string, stage: number, alerts: readonly AlertRecord[]): void {
    const d = this.dict;
    const uri = storable(r.requestUri);
    const event = storable(r.event);
    const slot = b.n;
    // In ROW_WIDTH order: the float64 columns, then the uint32 ones (block.ts).
    b.rows.push(
      r.time, r.received, r.code ?? NaN,
      stage, d.id(r.level), d.id(r.user), this.sets.id(SET_GROUPS, r.groups), d.id(r.impersonatedUser), d.id(r.verb),
      d.id(r.apiGroup), d.id(r.apiVersion), d.id(r.resource), d.id(r.subresource), d.id(r.namespace), d.id(r.name),
      d.id(r.decision), this.sets.id(SET_IPS, r.sourceIps), d.id(r.userAgent), auditId.length, uri.length, event.length, slot,
    );
    b.events.push(event);
    b.ids.push(auditId);
    b.uris.push(uri);
    if (alerts.length > 0) b.alerts.push({ slot, alerts });
  }

  private write(b: Builder, out: { events: number; alerts: number; bytes: number }): void {
    if (b.rows.length !== b.n * ROW_WIDTH) throw new Error('internal error: block rows and texts disagree');
    const enc = encodeBlock(b.rows, b.events, b.ids, b.uris);
    const id = this.insertBlock(enc);
    for (const { slot, alerts } of b.alerts) {
      for (const a of alerts) this.insAlert.run(id * SLOTS + slot, a.auditId, a.stage, a.time, a.rule, a.priority, a.source, a.output, a.alert);
      out.alerts += alerts.length;
    }
    out.events += b.n;
    out.bytes += enc.bytes;
  }

  /** A new block row and its postings; returns its id. */
  private insertBlock(enc: EncodedBlock): number {
    const id = Number(this.insBlock.run(enc.tMin, enc.tMax, enc.cols.n, enc.bytes, enc.colsBlob, enc.textBlob).lastInsertRowid);
    this.postings.add(id, enc);
    return id;
  }
}
