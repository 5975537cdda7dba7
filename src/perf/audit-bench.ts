/**
 * The audit ingestion benchmark, through the commands a user runs:
 *
 *  1. `palisade audit ingest` (detection on, Palisade's k8s_audit rules) of a generated log into
 *     SQLite, pinned to one core: events/s. Target ≥ 50,000.
 *  2. Peak RSS of the same ingest for a log 4× larger: memory must stay flat.
 *  3. `palisade audit serve` over HTTPS on loopback, fed EventLists of 100 distinct events at
 *     5,000 events/s for 20 s: acknowledgement latency p50/p99. Target p99 < 50 ms, every batch 200.
 *     Then as fast as 4 concurrent clients can send: the receiver's ceiling.
 *
 *   node dist/perf/audit-bench.js [--events N] [--big] [--only ingest|memory|webhook]
 *
 * `--big` makes the memory check's large log 10 GB, as the issue states it (slow: minutes).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { postJson } from '../server/https-post.js';
import { testCertificate } from '../server/test-tls.js';
import { auditStream } from './audit-corpus.js';
import { fmtMB, fmtRate, median, progress } from './measure.js';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const bin = join(root, 'bin', 'palisade.js');
const args = process.argv.slice(2);
const flag = (name: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const EVENTS = Number(flag('--events') ?? 1_000_000);
const BIG = args.includes('--big');
/** `--only ingest|memory|webhook` runs one part. */
const ONLY = flag('--only');

const dir = mkdtempSync(join(tmpdir(), 'palisade-audit-bench-'));
const rows: string[] = [];
const row = (label: string, value: string, note = '') => {
  rows.push(`${label.padEnd(52)} ${value}${note ? `   ${note}` : ''}`);
  progress(`${label}: ${value} ${note}`);
};

/** Writes `count` events (distinct auditIDs: seed varies) as the log backend would; returns bytes. */
async function writeLog(path: string, count: number, seed: number): Promise<number> {
  const out = createWriteStream(path);
  let buf = '';
  for (const ev of auditStream(count, seed)) {
    buf += `${JSON.stringify(ev)}\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise<void>((r) => out.once('drain', () => r()));
      buf = '';
    }
  }
  out.write(buf);
  await new Promise<void>((r) => out.end(() => r()));
  return statSync(path).size;
}

/** Logs for the memory check are the same events repeated (different seeds) up to a byte size. */
async function writeLogOfSize(path: string, bytes: number): Promise<number> {
  const out = createWriteStream(path);
  let written = 0;
  let seed = 100;
  while (written < bytes) {
    let buf = '';
    for (const ev of auditStream(20_000, seed++)) buf += `${JSON.stringify(ev)}\n`;
    written += Buffer.byteLength(buf);
    if (!out.write(buf)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(() => r()));
  return statSync(path).size;
}

const hasTaskset = spawnSync('taskset', ['-c', '0', 'true']).status === 0;

/** Runs the CLI; returns wall ms and the child's peak RSS (from /proc via its own report). */
function runIngest(log: string, db: string): { ms: number; maxRssKb: number; stderr: string } {
  const cmd = [process.execPath, '-e', `
    const { main } = await import(${JSON.stringify(join(root, 'dist', 'cli', 'index.js'))});
    const code = await main(['node', 'palisade', 'audit', 'ingest', '--no-stdout', '--db', ${JSON.stringify(db)}, ${JSON.stringify(log)}]);
    process.stderr.write('maxrss=' + process.resourceUsage().maxRSS + '\\n');
    process.exitCode = code;`, '--input-type=module'];
  const t0 = performance.now();
  const r = hasTaskset ? spawnSync('taskset', ['-c', '0', ...cmd], { encoding: 'utf8' }) : spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`ingest failed: ${r.stderr}`);
  const m = /maxrss=(\d+)/.exec(r.stderr);
  return { ms, maxRssKb: m ? Number(m[1]) : 0, stderr: r.stderr };
}

async function ingestRate(): Promise<void> {
  const log = join(dir, 'audit.log');
  progress(`writing ${EVENTS} events`);
  const bytes = await writeLog(log, EVENTS, 7);
  const rates: number[] = [];
  for (let i = 0; i < 3; i++) {
    const db = join(dir, `ingest-${i}.db`);
    const run = runIngest(log, db);
    const rate = EVENTS / (run.ms / 1000);
    rates.push(rate);
    progress(`ingest run ${i + 1}: ${fmtRate(rate)} events/s (${(run.ms / 1000).toFixed(1)} s, peak RSS ${fmtMB(run.maxRssKb * 1024)} MB) ${run.stderr.split('\n').find((l) => l.includes('events read'))?.trim() ?? ''}`);
    for (const suffix of ['', '-wal', '-shm']) rmSync(db + suffix, { force: true });
  }
  row(`ingest + detection → SQLite${hasTaskset ? ' (taskset -c 0)' : ''}, ${fmtRate(EVENTS)} events, ${fmtMB(bytes)} MB`, `${fmtRate(Math.max(...rates))} events/s best, ${fmtRate(median(rates))} median`, `target ≥ 50,000 ${Math.max(...rates) >= 50_000 ? '✓' : '✗'} (CLI start-up and rule loading included)`);
  rmSync(log, { force: true });
}

async function memoryFlat(): Promise<void> {
  const small = BIG ? 2.5e9 : 250e6;
  const sizes = [small, small * 4];
  const peaks: number[] = [];
  for (const size of sizes) {
    const log = join(dir, `mem-${size}.log`);
    progress(`writing a ${fmtMB(size)} MB log`);
    const bytes = await writeLogOfSize(log, size);
    const db = join(dir, 'mem.db');
    const run = runIngest(log, db);
    peaks.push(run.maxRssKb * 1024);
    row(`ingest peak RSS, ${fmtMB(bytes)} MB log`, `${fmtMB(run.maxRssKb * 1024)} MB`, `${fmtRate(bytes / (run.ms / 1000) / 1e6)} MB/s`);
    for (const suffix of ['', '-wal', '-shm']) rmSync(db + suffix, { force: true });
    rmSync(log, { force: true });
  }
  row('ingest peak RSS growth for 4× the log', `${(peaks[1] / peaks[0]).toFixed(2)}×`, `flat ${peaks[1] / peaks[0] < 1.25 ? '✓' : '✗'}`);
}

async function startServe(db: string, cert: string, key: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [bin, 'audit', 'serve', '--listen', '127.0.0.1:0', '--tls-cert', cert, '--tls-key', key, '--db', db, '--no-stdout'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  const url = await new Promise<string>((resolveUrl, reject) => {
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
      const m = /listening on (https?:\/\/[^/\s]+)/.exec(err);
      if (m) resolveUrl(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
  return {
    url,
    stop: () => new Promise((r) => { child.once('exit', () => r()); child.kill('SIGTERM'); }),
  };
}

function batches(count: number, seed: number): string[] {
  const out: string[] = [];
  let items: string[] = [];
  for (const ev of auditStream(count, seed)) {
    items.push(JSON.stringify(ev));
    if (items.length === 100) {
      out.push(`{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":[${items.join(',')}]}`);
      items = [];
    }
  }
  return out;
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

async function webhook(): Promise<void> {
  const tls = await testCertificate();
  const cert = join(dir, 'tls.crt');
  const key = join(dir, 'tls.key');
  writeFileSync(cert, tls.cert);
  writeFileSync(key, tls.key, { mode: 0o600 });
  const server = await startServe(join(dir, 'serve.db'), cert, key);
  const agent = new Agent({ keepAlive: true, ca: tls.cert, maxSockets: 8 });
  try {
    // Steady: 50 EventLists of 100 a second for 20 s, each sent on schedule (open loop).
    const seconds = 20;
    const bodies = batches(seconds * 5000, 11);
    const latencies: number[] = [];
    const statuses = new Map<number, number>();
    const t0 = performance.now();
    await Promise.all(bodies.map(async (body, i) => {
      const due = t0 + i * 20;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const start = performance.now();
      const answer = await postJson(`${server.url}/audit`, body, { agent });
      latencies.push(performance.now() - start);
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
    }));
    const wall = (performance.now() - t0) / 1000;
    const ok = statuses.get(200) ?? 0;
    row(`webhook, ${fmtRate(bodies.length * 100 / wall)} events/s offered (EventLists of 100, HTTPS)`,
      `p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms`,
      `${ok}/${bodies.length} answered 200; target p99 < 50 ms ${percentile(latencies, 99) < 50 && ok === bodies.length ? '✓' : '✗'}`);

    // Ceiling: 4 clients back to back for 10 s.
    const more = batches(400_000, 12);
    let next = 0;
    let sent = 0;
    const t1 = performance.now();
    const deadline = t1 + 10_000;
    await Promise.all([0, 1, 2, 3].map(async () => {
      while (performance.now() < deadline && next < more.length) {
        const answer = await postJson(`${server.url}/audit`, more[next++], { agent });
        if (answer.status === 200) sent += 100;
      }
    }));
    row('webhook ceiling (4 clients back to back)', `${fmtRate(sent / ((performance.now() - t1) / 1000))} events/s stored and acknowledged`);
  } finally {
    agent.destroy();
    await server.stop();
  }
}

try {
  if (!ONLY || ONLY === 'ingest') await ingestRate();
  if (!ONLY || ONLY === 'memory') await memoryFlat();
  if (!ONLY || ONLY === 'webhook') await webhook();
  process.stdout.write(`\nPalisade audit ingestion benchmark (${new Date().toISOString()})\n${rows.join('\n')}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
