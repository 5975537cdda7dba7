/**
 * The audit store benchmark: realistic records (the corpus' audit events as the API server
 * writes them, turned into records by the audit folder's own toAuditRecord) into the store.
 *
 *   (a) insert rate in batches of 1000 (one transaction each, synchronous=FULL: every batch
 *       fsynced, as the ingest path does), into a new store and into the loaded one
 *   (b) who-touched over a store of N events: p50/p99 over 100 objects picked at random
 *       from the stored events (plus a few other timeline questions for reference)
 *   (c) database size
 *
 *   node dist/perf/store-bench.js [--events N] [--db spec] [--insert N] [--keep]
 *     --events N   events in the store for (b) and (c) (default 10,000,000; 1,000,000 is a quick run)
 *     --db spec    where: a SQLite file path (default: a new file in a temporary directory) or a
 *                  postgres:// URL (a new schema palisade_bench_<pid> is used and dropped)
 *     --insert N   records per timed run of (a) (default 200,000)
 *     --keep       keep the database (SQLite file or PostgreSQL schema)
 *
 * Records are made in chunks as the load goes, so memory stays flat at any N. Events with an
 * anonymous user carry one alert each (about 6 % of the stream), so alert rows are written too.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { toAuditRecord } from '../audit/index.js';
import { isPostgresSpec, openStore, type EventQuery, type IngestItem, type Store, type WhoTouchedQuery } from '../store/index.js';
import { auditStream } from './audit-corpus.js';
import { collectGarbage, fmtMB, fmtRate, measure, median, percentile, printRows, progress, type BenchRow } from './measure.js';

const TARGET_INSERT = 120_000;
const TARGET_WHO_P99_MS = 100;
const BATCH = 1000;
/** Transaction size of the bulk load (the store's insert is one transaction per call). */
const LOAD_BATCH = 20_000;

const rows: BenchRow[] = [];

interface Args { events: number; db: string | undefined; insert: number; keep: boolean }

function parseArgs(argv: string[]): Args {
  const a: Args = { events: 10_000_000, db: undefined, insert: 200_000, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const num = (): number => {
      const v = Number(String(argv[++i]).replace(/_/g, ''));
      if (!Number.isInteger(v) || v <= 0) throw new Error(`${k} needs a positive whole number`);
      return v;
    };
    if (k === '--events') a.events = num();
    else if (k === '--insert') a.insert = num();
    else if (k === '--db') a.db = argv[++i];
    else if (k === '--keep') a.keep = true;
    else throw new Error(`unknown argument ${k} (expected --events N, --db spec, --insert N, --keep)`);
  }
  return a;
}

/**
 * Records of the corpus stream, made lazily. `shift` (µs) moves their times later (the JSON
 * keeps its own timestamps): new events for a store that already holds the corpus' day.
 */
function* records(count: number, seed: number, shift = 0): Generator<IngestItem> {
  for (const ev of auditStream(count, seed)) {
    const text = JSON.stringify(ev);
    const r = toAuditRecord(ev, text);
    if ('error' in r) throw new Error(`corpus event rejected: ${r.error}`);
    const rec = r.record;
    rec.time += shift;
    rec.received += shift;
    const alerts = rec.user === 'system:anonymous'
      ? [{ auditId: rec.auditId, stage: rec.stage, time: rec.time, rule: 'Anonymous request allowed', priority: 'Warning', source: 'k8s_audit', output: `anonymous ${rec.verb} ${rec.requestUri}`, alert: JSON.stringify({ rule: 'Anonymous request allowed', priority: 'Warning', output: `anonymous ${rec.verb} ${rec.requestUri}` }) }]
      : [];
    yield { record: rec, alerts };
  }
}

function take<T>(it: Iterator<T>, n: number): T[] {
  const out: T[] = [];
  for (let i = 0; i < n; i++) {
    const r = it.next();
    if (r.done) break;
    out.push(r.value);
  }
  return out;
}


/** Where each store lives: new SQLite files in one directory, or new PostgreSQL schemas. */
interface Place {
  label: string;
  /** A spec for a new, empty store; `name` tells them apart. */
  spec(name: string): string;
  size(spec: string): Promise<number>;
  /** Makes sure `spec` is new (refuses to reuse an existing SQLite file). */
  fresh(spec: string): Promise<void>;
  drop(spec: string): Promise<void>;
  cleanup(): Promise<void>;
}

function sqlitePlace(file: string | undefined, keep: boolean): Place {
  const dir = file ? undefined : mkdtempSync(join(tmpdir(), 'palisade-store-bench-'));
  const sizeOf = (p: string) => (existsSync(p) ? statSync(p).size : 0);
  const remove = (p: string) => ['', '-wal', '-shm'].forEach((x) => rmSync(p + x, { force: true }));
  return {
    label: 'SQLite',
    spec: (name) => (name === 'main' && file ? file : join(dir ?? dirname(file ?? ''), `${name}-${process.pid}.db`)),
    fresh: async (p) => {
      if (existsSync(p)) throw new Error(`${p} exists: the benchmark loads a new database (remove it or name another file)`);
    },
    size: async (p) => sizeOf(p) + sizeOf(`${p}-wal`),
    drop: async (p) => {
      if (!(keep && p === file)) remove(p);
    },
    cleanup: async () => {
      if (dir && !keep) rmSync(dir, { recursive: true, force: true });
      else if (dir) progress(`kept ${dir}`);
    },
  };
}

function postgresPlace(url: string, keep: boolean): Place {
  const schemaOf = (spec: string) => new URL(spec).searchParams.get('schema') ?? '';
  const admin = async <T>(fn: (c: pg.Client) => Promise<T>): Promise<T> => {
    const u = new URL(url);
    u.searchParams.delete('schema');
    const c = new pg.Client({ connectionString: u.toString() });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  };
  return {
    label: 'PostgreSQL',
    spec: (name) => {
      const u = new URL(url);
      u.searchParams.set('schema', `palisade_bench_${process.pid}_${name}`);
      return u.toString();
    },
    size: (spec) =>
      admin(async (c) => {
        const r = await c.query<{ s: string }>(
          "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) AS s FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r', 't', 'm')",
          [schemaOf(spec)],
        );
        return Number(r.rows[0].s);
      }),
    drop: (spec) =>
      keep && schemaOf(spec).endsWith('_main')
        ? Promise.resolve(progress(`kept schema ${schemaOf(spec)}`))
        : admin(async (c) => void (await c.query(`DROP SCHEMA IF EXISTS "${schemaOf(spec)}" CASCADE`))),
    fresh: (spec) => admin(async (c) => void (await c.query(`DROP SCHEMA IF EXISTS "${schemaOf(spec)}" CASCADE`))),
    cleanup: async () => {},
  };
}

/** The insert target is SQLite's (the embedded ingest path); PostgreSQL has none of its own. */
function insertTarget(place: Place, rate: number): Pick<BenchRow, 'target' | 'pass'> {
  return place.label === 'SQLite' ? { target: `≥ ${fmtRate(TARGET_INSERT)}/s`, pass: rate >= TARGET_INSERT } : {};
}

async function insertAll(store: Store, items: readonly IngestItem[], batch: number): Promise<number> {
  let n = 0;
  for (let i = 0; i < items.length; i += batch) n += (await store.insert(items.slice(i, i + batch))).insertedCount;
  return n;
}

/** (a) Batches of 1000 into new stores: the best and median of three runs. */
async function insertRate(place: Place, count: number): Promise<void> {
  progress(`making ${count.toLocaleString('en-US')} records…`);
  const items = take(records(count, 11)[Symbol.iterator](), count);
  const bytes = items.reduce((n, x) => n + x.record.event.length, 0);
  let run = 0;
  const m = await measure(
    `${place.label} insert, batches of ${BATCH}`,
    async () => {
      const spec = place.spec(`rate${run++}`);
      const store = await openStore(spec);
      try {
        const n = await insertAll(store, items, BATCH);
        if (n !== items.length) throw new Error(`inserted ${n} of ${items.length}`);
        return n;
      } finally {
        await store.close();
        await place.drop(spec);
      }
    },
    { runs: 3, warmup: async () => {
      const spec = place.spec('warmup');
      const store = await openStore(spec);
      await insertAll(store, items.slice(0, 20_000), BATCH);
      await store.close();
      await place.drop(spec);
    } },
  );
  rows.push({
    name: `(a) insert into a new ${place.label} store, batches of ${BATCH}`,
    value: `${fmtRate(m.best)} records/s`,
    ...insertTarget(place, m.best),
    note: `${count.toLocaleString('en-US')} records of ${Math.round(bytes / count)} bytes, one transaction (fsync) per batch; median ${fmtRate(m.median)}/s`,
  });
}

interface Loaded {
  store: Store;
  spec: string;
  objects: WhoTouchedQuery[];
}

/** (b) Loads N events in big transactions, streaming; keeps 100 objects of random stored events. */
async function load(place: Place, n: number): Promise<Loaded> {
  const spec = place.spec('main');
  await place.fresh(spec);
  const store = await openStore(spec);
  const it = records(n, 7)[Symbol.iterator]();
  const sample: WhoTouchedQuery[] = [];
  let seen = 0;
  let rnd = 12345;
  const random = () => ((rnd = (Math.imul(rnd, 1103515245) + 12345) >>> 0) / 2 ** 32);
  let done = 0;
  let storeMs = 0;
  const t0 = performance.now();
  let lastT = t0;
  let lastN = 0;
  while (done < n) {
    const chunk = take(it, Math.min(LOAD_BATCH, n - done));
    for (const { record: r } of chunk) {
      if (r.name === '') continue;
      // Reservoir sample: every named event equally likely.
      seen++;
      const q = { resource: r.resource, namespace: r.namespace, name: r.name, apiGroup: r.apiGroup };
      if (sample.length < 100) sample.push(q);
      else {
        const j = Math.floor(random() * seen);
        if (j < 100) sample[j] = q;
      }
    }
    const s0 = performance.now();
    const res = await store.insert(chunk);
    storeMs += performance.now() - s0;
    done += chunk.length;
    if (res.insertedCount !== chunk.length) throw new Error(`load: ${chunk.length - res.insertedCount} duplicates in the corpus`);
    if (done - lastN >= 1_000_000 || done === n) {
      const now = performance.now();
      progress(`loaded ${done.toLocaleString('en-US')} / ${n.toLocaleString('en-US')} (last ${fmtRate(((done - lastN) / (now - lastT)) * 1000)}/s end to end, store ${fmtRate((done / storeMs) * 1000)}/s so far)`);
      lastT = now;
      lastN = done;
    }
  }
  const wall = (performance.now() - t0) / 1000;
  rows.push({
    name: `(b) bulk load, transactions of ${LOAD_BATCH.toLocaleString('en-US')}`,
    value: `${fmtRate((n / storeMs) * 1000)} records/s`,
    note: `${n.toLocaleString('en-US')} events: ${(storeMs / 1000).toFixed(0)} s in the store, ${wall.toFixed(0)} s with making the records`,
  });
  return { store, spec, objects: sample };
}

async function timeQueries<Q>(label: string, qs: readonly Q[], run: (q: Q) => Promise<unknown[]>, target?: number): Promise<void> {
  for (const q of qs.slice(0, 5)) await run(q); // warm caches and plans
  const ms: number[] = [];
  let rowsOut = 0;
  for (const q of qs) {
    const t = performance.now();
    rowsOut += (await run(q)).length;
    ms.push(performance.now() - t);
  }
  const p50 = median(ms);
  const p99 = percentile(ms, 99);
  rows.push({
    name: label,
    value: `p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms`,
    ...(target !== undefined ? { target: `p99 < ${target} ms`, pass: p99 < target } : {}),
    note: `${qs.length} queries, ${Math.round(rowsOut / qs.length)} rows each on average`,
  });
}

async function main(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  const place = args.db && isPostgresSpec(args.db) ? postgresPlace(args.db, args.keep) : sqlitePlace(args.db, args.keep);
  try {
    await insertRate(place, args.insert);
    collectGarbage();

    progress(`loading ${args.events.toLocaleString('en-US')} events into ${place.label}…`);
    const { store, spec, objects } = await load(place, args.events);
    try {
      collectGarbage();
      // (a) again, at scale: the loaded store takes another `insert` records, batches of 1000.
      const before = await store.stats();
      const more = take(records(Math.min(args.insert, 100_000), 12, (before.newest ?? 0) - (before.oldest ?? 0) + 1_000_000)[Symbol.iterator](), Math.min(args.insert, 100_000));
      const t = performance.now();
      const n = await insertAll(store, more, BATCH);
      const rate = (n / (performance.now() - t)) * 1000;
      rows.push({
        name: `(a) insert into the loaded store, batches of ${BATCH}`,
        value: `${fmtRate(rate)} records/s`,
        ...insertTarget(place, rate),
        note: `${n.toLocaleString('en-US')} records into ${args.events.toLocaleString('en-US')}`,
      });

      await timeQueries(`(b) who-touched over ${args.events.toLocaleString('en-US')} events`, objects, (q) => store.whoTouched(q), TARGET_WHO_P99_MS);
      const st = await store.stats();
      const span = (st.newest ?? 0) - (st.oldest ?? 0);
      const at = (k: number) => (st.oldest ?? 0) + Math.floor((span * k) / 100);
      const qs: Array<[string, EventQuery[]]> = [
        ['    events of one user, newest 1000', ['alice', 'bob', 'system:kube-controller-manager', 'system:serviceaccount:ci:deployer'].flatMap((user) => Array.from({ length: 5 }, () => ({ user, order: 'desc' as const })))],
        ['    events of one user in a 1-hour window', Array.from({ length: 20 }, (_, k) => ({ user: 'alice', since: at(k * 5), until: at(k * 5) + 3_600_000_000 }))],
        ['    denied requests, newest 1000', Array.from({ length: 20 }, () => ({ denied: true, order: 'desc' as const }))],
        ['    events of a group in a 1-hour window', Array.from({ length: 20 }, (_, k) => ({ group: 'developers', since: at(k * 5), until: at(k * 5) + 3_600_000_000 }))],
        ['    events from one source IP, newest 1000', Array.from({ length: 20 }, () => ({ sourceIp: '192.168.10.21', order: 'desc' as const }))],
      ];
      for (const [label, list] of qs) await timeQueries(label, list, (q) => store.queryEvents(q));
      const s0 = performance.now();
      await store.stats();
      rows.push({ name: '    stats()', value: `${(performance.now() - s0).toFixed(1)} ms` });
      const w0 = performance.now();
      const sum = await store.summary({ since: at(50), until: at(50) + 3_600_000_000 });
      rows.push({ name: '    summary of a 1-hour window', value: `${(performance.now() - w0).toFixed(0)} ms`, note: `${sum.events.toLocaleString('en-US')} events` });

      await store.close();
      const size = await place.size(spec);
      rows.push({
        name: '(c) database size',
        value: `${fmtMB(size)} MiB`,
        note: `${Math.round(size / (st.events || 1))} bytes per event (event JSON ${Math.round(st.bytes / (st.events || 1))} bytes), ${st.events.toLocaleString('en-US')} events, ${st.alerts.toLocaleString('en-US')} alerts`,
      });
    } finally {
      await store.close();
      await place.drop(spec);
    }
  } finally {
    await place.cleanup();
  }

  printRows(`Palisade audit store benchmark — node ${process.version}, ${place.label}, one core`, rows);
}

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
