/**
 * The store's questions on the SQLite block layout, meaning what sql.ts makes them mean on
 * PostgreSQL (the same suite runs on both): a query's filters become per-event tests on a
 * block's columns, and the filter whose posting lists hold the fewest blocks picks the
 * blocks to read (scan.ts).
 */
import type Database from 'better-sqlite3';
import {
  bucketStart, objectHash, F_CODE, F_RECEIVED, F_TIME, textLocation, U_API_GROUP, U_AGENT, U_DECISION, U_GROUPS, U_IPS, U_NAME, U_NAMESPACE,
  U_RESOURCE, U_STAGE, U_SUBRESOURCE, U_USER, U_VERB, type Columns,
} from './block.js';
import {
  P_AGENT, P_API_GROUP, P_CODE, P_DENIED, P_GROUPS, P_IPS, P_NAME, P_NAMESPACE, P_OBJECT_WRITE, P_RESOURCE,
  P_SUBRESOURCE, P_USER, P_VERB, postedCode, postingKey,
} from './postings.js';
import { isDenied, SEEDED, SET_GROUPS, SET_IPS, WRITE_VERB_IDS } from './schema.js';
import { checkTime, direction, limitOf, topOf } from './sql.js';
import type { Dict, Sets } from './sqlite-dict.js';
import { materialize, scan, type BlockSource, type ScanSpec } from './scan.js';
import { seenId } from './sqlite-write.js';
import { WRITE_VERBS, type Count, type EventQuery, type StoredEvent, type Summary, type SummaryQuery, type WhoTouchedQuery } from './types.js';

/** A group or source IP held by more sets than this is not read set by set: other filters drive. */
const MAX_DRIVER_KEYS = 64;

type Test = (c: Columns, i: number) => boolean;

/** A query's filters: exact column values, value sets, other tests, and the posting keys each could drive with. */
class Filters {
  private readonly eqCols: number[] = [];
  private readonly eqValues: number[] = [];
  private readonly tests: Test[] = [];
  readonly drivers: Array<readonly number[]> = [];
  /** Set when a filter names a value no event has. */
  empty = false;

  constructor(readonly since: number | undefined, readonly until: number | undefined) {}

  /** column = the id of `s`; drives with its posting key. */
  string(dict: Dict, s: string | undefined, col: number, field: number): void {
    if (s === undefined) return;
    const id = dict.find(s);
    if (id === undefined) {
      this.empty = true;
      return;
    }
    this.eqCols.push(col);
    this.eqValues.push(id);
    this.drivers.push([postingKey(field, id)]);
  }

  /** column ∈ ids; drives with their keys when there are few. */
  oneOf(ids: readonly number[], col: number, field: number): void {
    if (ids.length === 0) {
      this.empty = true;
      return;
    }
    if (ids.length === 1) {
      this.eqCols.push(col);
      this.eqValues.push(ids[0]);
    } else {
      const set = new Set(ids);
      this.tests.push((c, i) => set.has(c.u[col][i]));
    }
    if (ids.length <= MAX_DRIVER_KEYS) this.drivers.push(ids.map((id) => postingKey(field, id)));
  }

  test(t: Test, driver?: readonly number[]): void {
    this.tests.push(t);
    if (driver) this.drivers.push(driver);
  }

  match(): Test {
    const { since, until, eqCols, eqValues, tests } = this;
    const lo = since ?? -Infinity;
    const hi = until ?? Infinity;
    const k = eqCols.length;
    return (c, i) => {
      const t = c.f[F_TIME][i];
      if (t < lo || t >= hi) return false;
      for (let j = 0; j < k; j++) if (c.u[eqCols[j]][i] !== eqValues[j]) return false;
      for (const test of tests) if (!test(c, i)) return false;
      return true;
    };
  }

  /** The driving filter: the one with the fewest candidate blocks in the window (null: read every block). */
  driver(src: BlockSource): readonly number[] | null {
    const lo = this.since === undefined ? -Infinity : bucketStart(this.since);
    const hi = this.until ?? Infinity;
    let best: readonly number[] | null = null;
    let least = Number.MAX_SAFE_INTEGER;
    for (const keys of this.drivers) {
      const n = src.countKeys(keys, lo, hi, least);
      if (n < least) {
        least = n;
        best = keys;
      }
    }
    return best;
  }
}

function eventFilters(dict: Dict, sets: Sets, q: EventQuery): Filters {
  const f = new Filters(q.since, q.until);
  f.string(dict, q.user, U_USER, P_USER);
  if (q.verb !== undefined) {
    const ids = (typeof q.verb === 'string' ? [q.verb] : q.verb).map((v) => dict.find(v)).filter((x): x is number => x !== undefined);
    f.oneOf(ids, U_VERB, P_VERB);
  }
  f.string(dict, q.resource, U_RESOURCE, P_RESOURCE);
  f.string(dict, q.subresource, U_SUBRESOURCE, P_SUBRESOURCE);
  f.string(dict, q.apiGroup, U_API_GROUP, P_API_GROUP);
  f.string(dict, q.namespace, U_NAMESPACE, P_NAMESPACE);
  f.string(dict, q.name, U_NAME, P_NAME);
  f.string(dict, q.userAgent, U_AGENT, P_AGENT);
  if (q.group !== undefined) f.oneOf(sets.holding(SET_GROUPS, q.group), U_GROUPS, P_GROUPS);
  if (q.sourceIp !== undefined) f.oneOf(sets.holding(SET_IPS, q.sourceIp), U_IPS, P_IPS);
  if (q.code !== undefined) {
    const code = q.code;
    f.test((c, i) => c.f[F_CODE][i] === code, postedCode(code) ? [postingKey(P_CODE, code)] : undefined);
  }
  const denied: Test = (c, i) => isDenied(c.u[U_DECISION][i], c.f[F_CODE][i]);
  if (q.denied === true) f.test(denied, [postingKey(P_DENIED, 0)]);
  else if (q.denied === false) f.test((c, i) => !denied(c, i));
  return f;
}

export function queryEvents(src: BlockSource, sets: Sets, q: EventQuery): StoredEvent[] {
  checkTime('since', q.since);
  checkTime('until', q.until);
  const asc = direction(q.order) === 'ASC';
  const limit = limitOf(q.limit);
  if (limit === 0) return [];
  const f = eventFilters(src.dict, sets, q);
  if (f.empty) return [];
  return materialize(src, scan(src, { keys: f.driver(src), since: q.since, until: q.until, asc, limit, match: f.match() }));
}

/** How complete a stage is: of one request's stored stages, the highest stands for it. */
function stageRank(stage: number): number {
  switch (stage) {
    case SEEDED.ResponseComplete:
      return 4;
    case SEEDED.Panic:
      return 3;
    case SEEDED.ResponseStarted:
      return 2;
    case SEEDED.RequestReceived:
      return 1;
  }
  return 0;
}

export function whoTouched(src: BlockSource, stagesOf: Database.Statement, q: WhoTouchedQuery): StoredEvent[] {
  const limit = limitOf(q.limit);
  if (limit === 0) return [];
  const dict = src.dict;
  const f = new Filters(undefined, undefined);
  f.string(dict, q.resource, U_RESOURCE, P_RESOURCE);
  f.string(dict, q.namespace ?? '', U_NAMESPACE, P_NAMESPACE);
  f.string(dict, q.name, U_NAME, P_NAME);
  f.string(dict, q.apiGroup, U_API_GROUP, P_API_GROUP);
  const verbs = (q.verbs ?? WRITE_VERBS).map((v) => dict.find(v)).filter((x): x is number => x !== undefined);
  f.oneOf(verbs, U_VERB, P_VERB);
  if (f.empty) return [];
  let keys: readonly number[] | null;
  if (verbs.every((v) => WRITE_VERB_IDS.includes(v))) {
    // The object's own list: a much-read object's reads are not in the way.
    keys = [postingKey(P_OBJECT_WRITE, objectHash(dict.find(q.resource)!, dict.find(q.namespace ?? '')!, dict.find(q.name)!))];
  } else {
    keys = f.driver(src);
  }
  // A request stored at several stages is listed once, as its most complete stage.
  const refine: ScanSpec['refine'] = (block, c, positions) => {
    let text: ReturnType<BlockSource['textOf']> | undefined;
    return positions.filter((i) => {
      const rank = stageRank(c.u[U_STAGE][i]);
      if (rank === 4) return true;
      text ??= src.textOf(block);
      const { auditId } = text.get(textLocation(c, i));
      const stages = stagesOf.all(c.f[F_RECEIVED][i], seenId(auditId)) as number[];
      return stages.every((s) => stageRank(s) <= rank);
    });
  };
  return materialize(src, scan(src, { keys, asc: true, limit, match: f.match(), refine }));
}

/** Counts by count, then key in UTF-8 byte order, cut at `top` (null: all). */
function ranked(rows: Count[], top: number | null): Count[] {
  rows.sort((a, b) => b.count - a.count || Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
  return top === null ? rows : rows.slice(0, top);
}

/** Counts by dictionary id → Count[] (unordered). */
function countsOf(counts: Map<number, number>, key: (id: number) => string): Count[] {
  return [...counts].map(([id, count]) => ({ key: key(id), count }));
}

function bump(m: Map<number, number>, k: number): void {
  m.set(k, (m.get(k) ?? 0) + 1);
}

/** Summary of the events in the window (alertsByRule left for the caller: it is SQL on the alerts table). */
export function summary(src: BlockSource, q: SummaryQuery): Omit<Summary, 'alertsByRule'> {
  const top = topOf(q);
  const dict = src.dict;
  const lo = q.since ?? -Infinity;
  const hi = q.until ?? Infinity;
  const users = new Map<number, number>();
  const verbs = new Map<number, number>();
  const denied = new Map<number, number>();
  /** resource id → subresource id → count */
  const resources = new Map<number, Map<number, number>>();
  let events = 0;
  let anonymous = 0;
  let first = Infinity;
  let last = -Infinity;
  for (const cand of src.candidates(null, q.since === undefined ? -Infinity : bucketStart(q.since), hi, true)) {
    if (cand.tMax < lo) continue;
    const c = src.columns(cand.block);
    const n = c.n;
    for (let i = 0; i < n; i++) {
      const t = c.f[F_TIME][i];
      if (t < lo || t >= hi) continue;
      events++;
      if (t < first) first = t;
      if (t > last) last = t;
      const user = c.u[U_USER][i];
      bump(users, user);
      bump(verbs, c.u[U_VERB][i]);
      if (user === SEEDED[''] || user === SEEDED['system:anonymous']) anonymous++;
      if (isDenied(c.u[U_DECISION][i], c.f[F_CODE][i])) bump(denied, user);
      const resource = c.u[U_RESOURCE][i];
      if (resource !== SEEDED['']) {
        let subs = resources.get(resource);
        if (!subs) resources.set(resource, (subs = new Map()));
        bump(subs, c.u[U_SUBRESOURCE][i]);
      }
    }
  }
  const str = (id: number) => dict.str(id);
  const byResource: Count[] = [];
  for (const [resource, subs] of resources) {
    for (const [sub, count] of subs) byResource.push({ key: sub === SEEDED[''] ? str(resource) : `${str(resource)}/${str(sub)}`, count });
  }
  return {
    events,
    first: events ? first : null,
    last: events ? last : null,
    topUsers: ranked(countsOf(users, str), top),
    verbs: ranked(countsOf(verbs, str), null),
    topResources: ranked(byResource, top),
    deniedByUser: ranked(countsOf(denied, str), top),
    anonymous,
  };
}
