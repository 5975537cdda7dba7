/**
 * Reading the SQLite block layout in time order: the candidate blocks of a query (from the
 * posting lists of its driving filter, or every block), each decoded and its events tested,
 * until the limit is reached and no block left can hold an earlier (or, newest first, a
 * later) event.
 *
 * Blocks may overlap in time (events arrive in any order), but a block's events all lie in
 * the BUCKET_MICROS bucket of its t_min. So, oldest first, blocks come by t_min and the scan
 * stops at a block whose t_min is past the limit-th event found; newest first, blocks come by
 * t_min descending and the scan stops once a block's whole bucket ends before that event.
 */
import type Database from 'better-sqlite3';
import {
  BUCKET_MICROS, bucketStart, decodeColumns, F_CODE, F_RECEIVED, F_TIME, F64_COLUMNS, rowOf, SLOTS, TextReader, textLocation,
  U_AGENT, U_API_GROUP, U_API_VERSION, U_DECISION, U_GROUPS, U_IMPERSONATED, U_IPS, U_LEVEL, U_NAME, U_NAMESPACE, U_RESOURCE,
  U_SLOT, U_STAGE, U_SUBRESOURCE, U_USER, U_VERB, type Columns, type EventText, type TextLocation,
} from './block.js';
import type { Dict } from './sqlite-dict.js';
import type { StoredEvent } from './types.js';

export interface Candidate {
  tMin: number;
  block: number;
  tMax: number;
}

const PAGE = 256;

/** One time-ordered list of candidate blocks: a posting key's, or all blocks'. Read a page at a time. */
class Pager {
  private page: Candidate[] = [];
  private at = 0;
  private done = false;
  private cursor: [number, number];

  constructor(
    private readonly stmt: Database.Statement,
    private readonly head: readonly unknown[],
    asc: boolean,
  ) {
    this.cursor = asc ? [-Infinity, -Infinity] : [Infinity, Infinity];
  }

  peek(): Candidate | undefined {
    if (this.at === this.page.length) {
      if (this.done) return undefined;
      const rows = this.stmt.all(...this.head, this.cursor[0], this.cursor[1], PAGE) as unknown[][];
      this.page = rows.map((r) => ({ tMin: r[0] as number, block: r[1] as number, tMax: r[2] as number }));
      this.at = 0;
      if (rows.length < PAGE) this.done = true;
      if (this.page.length === 0) return undefined;
      const last = this.page[this.page.length - 1];
      this.cursor = [last.tMin, last.block];
    }
    return this.page[this.at];
  }

  next(): void {
    this.at++;
  }
}

/** Statements the scan reads with (prepared once per store). */
export class BlockSource {
  private readonly postings: Record<'ASC' | 'DESC', Database.Statement>;
  private readonly blocks: Record<'ASC' | 'DESC', Database.Statement>;
  private readonly count: Database.Statement;
  private readonly cols: Database.Statement;
  private readonly text: Database.Statement;

  constructor(db: Database.Database, readonly dict: Dict) {
    const page = (from: string, id: string, where: string, dir: 'ASC' | 'DESC') =>
      db.prepare(
        `SELECT t_min, ${id}, t_max FROM ${from} WHERE ${where} t_min >= ? AND t_min < ? AND (t_min, ${id}) ${dir === 'ASC' ? '>' : '<'} (?, ?) ` +
          `ORDER BY t_min ${dir}, ${id} ${dir} LIMIT ?`,
      ).raw(true);
    this.postings = { ASC: page('postings', 'block', 'key = ? AND', 'ASC'), DESC: page('postings', 'block', 'key = ? AND', 'DESC') };
    this.blocks = { ASC: page('blocks', 'id', '', 'ASC'), DESC: page('blocks', 'id', '', 'DESC') };
    this.count = db.prepare('SELECT count(*) FROM (SELECT 1 FROM postings WHERE key = ? AND t_min >= ? AND t_min < ? LIMIT ?)').pluck();
    this.cols = db.prepare('SELECT cols FROM blocks WHERE id = ?').pluck();
    this.text = db.prepare('SELECT text FROM blocks WHERE id = ?').pluck();
  }

  /** Posting rows of `keys` in [lo, hi), at most `cap` counted. */
  countKeys(keys: readonly number[], lo: number, hi: number, cap: number): number {
    let n = 0;
    for (const k of keys) {
      if (n >= cap) break;
      n += this.count.get(k, lo, hi, cap - n) as number;
    }
    return n;
  }

  /** Candidate blocks with t_min in [lo, hi), in time order, each once: of `keys` (their union), or every block. */
  *candidates(keys: readonly number[] | null, lo: number, hi: number, asc: boolean): Generator<Candidate> {
    const dir = asc ? 'ASC' : 'DESC';
    const pagers = keys === null ? [new Pager(this.blocks[dir], [lo, hi], asc)] : keys.map((k) => new Pager(this.postings[dir], [k, lo, hi], asc));
    let last = -1;
    for (;;) {
      let best: Pager | undefined;
      let bc: Candidate | undefined;
      for (const p of pagers) {
        const c = p.peek();
        if (!c) continue;
        if (!bc || (asc ? c.tMin < bc.tMin || (c.tMin === bc.tMin && c.block < bc.block) : c.tMin > bc.tMin || (c.tMin === bc.tMin && c.block > bc.block))) {
          bc = c;
          best = p;
        }
      }
      if (!best || !bc) return;
      best.next();
      // The same block from two keys comes twice in a row.
      if (bc.block === last) continue;
      last = bc.block;
      yield bc;
    }
  }

  columns(block: number): Columns {
    const blob = this.cols.get(block) as Buffer | undefined;
    if (!blob) throw new Error(`database is inconsistent: block ${block} is listed but missing`);
    return decodeColumns(blob);
  }

  textOf(block: number): TextReader {
    const blob = this.text.get(block) as Buffer | undefined;
    if (!blob) throw new Error(`database is inconsistent: block ${block} is listed but missing`);
    return new TextReader(blob);
  }
}

/** An event found: its values (row-major, as block.ts lays them) and where its text is. */
export interface Hit {
  time: number;
  id: number;
  block: number;
  row: number[];
  text: TextLocation;
}

export interface ScanSpec {
  /** Posting keys of the driving filter (any of them), or null: every block. */
  keys: readonly number[] | null;
  /** µs, inclusive / exclusive. */
  since?: number;
  until?: number;
  asc: boolean;
  limit: number;
  /** Whether event i of a block matches every filter (the time window included). */
  match(c: Columns, i: number): boolean;
  /** Per block, the matching positions whittled further (who-touched's stage check). */
  refine?(block: number, c: Columns, positions: number[]): number[];
}

function hitOf(block: number, c: Columns, i: number): Hit {
  const row: number[] = [];
  rowOf(c, i, row);
  return { time: row[F_TIME], id: block * SLOTS + row[F64_COLUMNS + U_SLOT], block, row, text: textLocation(c, i) };
}

function ordered(asc: boolean): (a: Hit, b: Hit) => number {
  return asc ? (a, b) => a.time - b.time || a.id - b.id : (a, b) => b.time - a.time || b.id - a.id;
}

/** The first `limit` matching events in time order (then id), oldest or newest first. */
export function scan(src: BlockSource, spec: ScanSpec): Hit[] {
  const { asc, limit } = spec;
  if (limit === 0) return [];
  const lo = spec.since === undefined ? -Infinity : bucketStart(spec.since);
  const hi = spec.until ?? Infinity;
  const order = ordered(asc);
  let hits: Hit[] = [];
  /** The limit-th best event once `limit` were found: nothing worse can make the answer. */
  let bound: Hit | undefined;
  const trim = () => {
    hits.sort(order);
    if (hits.length > limit) hits = hits.slice(0, limit);
    if (hits.length === limit) bound = hits[limit - 1];
  };
  for (const c of src.candidates(spec.keys, lo, hi, asc)) {
    if (spec.since !== undefined && c.tMax < spec.since) continue;
    if (bound) {
      if (asc && c.tMin > bound.time) break;
      if (!asc && bucketStart(c.tMin) + BUCKET_MICROS <= bound.time) break;
      if (!asc && c.tMax < bound.time) continue;
    }
    const cols = src.columns(c.block);
    let found: number[] = [];
    for (let i = 0; i < cols.n; i++) if (spec.match(cols, i)) found.push(i);
    if (found.length > 0 && spec.refine) found = spec.refine(c.block, cols, found);
    for (const i of found) hits.push(hitOf(c.block, cols, i));
    if (hits.length >= limit && (bound === undefined || hits.length >= 2 * limit)) trim();
  }
  trim();
  return hits;
}

/** The texts of hits (event, auditID, requestURI), each block's text read once. */
export function textsOf(src: BlockSource, hits: readonly Hit[]): EventText[] {
  const readers = new Map<number, TextReader>();
  return hits.map((h) => {
    let reader = readers.get(h.block);
    if (!reader) readers.set(h.block, (reader = src.textOf(h.block)));
    return reader.get(h.text);
  });
}

/** Hits → StoredEvents. */
export function materialize(src: BlockSource, hits: readonly Hit[]): StoredEvent[] {
  const d = src.dict;
  const F = F64_COLUMNS;
  const texts = textsOf(src, hits);
  return hits.map((h, k) => {
    const t = texts[k];
    const r = h.row;
    const code = r[F_CODE];
    return {
      id: h.id,
      auditId: t.auditId,
      stage: d.str(r[F + U_STAGE]),
      level: d.str(r[F + U_LEVEL]),
      time: r[F_TIME],
      received: r[F_RECEIVED],
      user: d.str(r[F + U_USER]),
      groups: JSON.parse(d.str(r[F + U_GROUPS])) as string[],
      impersonatedUser: d.str(r[F + U_IMPERSONATED]),
      verb: d.str(r[F + U_VERB]),
      apiGroup: d.str(r[F + U_API_GROUP]),
      apiVersion: d.str(r[F + U_API_VERSION]),
      resource: d.str(r[F + U_RESOURCE]),
      subresource: d.str(r[F + U_SUBRESOURCE]),
      namespace: d.str(r[F + U_NAMESPACE]),
      name: d.str(r[F + U_NAME]),
      requestUri: t.requestUri,
      code: Number.isNaN(code) ? null : code,
      decision: d.str(r[F + U_DECISION]),
      sourceIps: JSON.parse(d.str(r[F + U_IPS])) as string[],
      userAgent: d.str(r[F + U_AGENT]),
      event: t.event,
    };
  });
}
