/** Timing helpers: wall-clock runs with a warm-up, best and median of N, progress on stderr. */
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** One timed run: how many items it processed and how long it took. */
export interface Run {
  items: number;
  ms: number;
  /** CPU milliseconds of the whole process (every thread, user + system) during the run. */
  cpuMs: number;
}

export interface Measurement {
  /** Items per run (the same every run, or the last run's count). */
  items: number;
  /** Items per second of each timed run, in run order. */
  rates: number[];
  best: number;
  median: number;
  /** Wall milliseconds of each timed run. */
  ms: number[];
  /** Process CPU milliseconds (all threads) of each timed run. */
  cpuMs: number[];
  /** Timed runs done: fewer than asked for when the time budget ran out. */
  runs: number;
}

let gcFn: (() => void) | undefined;
try {
  // Collect between runs so one run's garbage is not billed to the next. Works without
  // --expose-gc on the command line (which `npm run bench` does not pass).
  setFlagsFromString('--expose-gc');
  gcFn = runInNewContext('gc') as () => void;
} catch {
  gcFn = undefined;
}

export function collectGarbage(): void {
  gcFn?.();
}

/** The value after `--name` on the bench's command line, or undefined. */
export function flag(name: string): string | undefined {
  const args = process.argv;
  const i = args.indexOf(name, 2);
  return i >= 0 ? args[i + 1] : undefined;
}

export function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

/** Times `fn`, which returns how many items it processed. */
export async function timeOnce(fn: () => number | Promise<number>): Promise<Run> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const items = await fn();
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { items, ms, cpuMs: (cpu.user + cpu.system) / 1000 };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export interface MeasureOptions {
  runs?: number;
  /**
   * Stop early (after at least one timed run) once the timed runs have taken this long, so a
   * slow build cannot make the benchmark run for many minutes. Default 40 s.
   */
  budgetMs?: number;
  /** Warm-up before the timed runs (JIT, caches); defaults to one untimed call of `fn`. */
  warmup?: (() => unknown) | false;
}

/** Warms up, then runs `fn` `runs` times (3 by default); items/s of each run, best and median. */
export async function measure(label: string, fn: () => number | Promise<number>, opts: MeasureOptions = {}): Promise<Measurement> {
  const runs = opts.runs ?? 3;
  const budgetMs = opts.budgetMs ?? 40_000;
  if (opts.warmup !== false) {
    progress(`${label}: warm-up`);
    collectGarbage();
    await (opts.warmup ?? fn)();
  }
  const rates: number[] = [];
  const ms: number[] = [];
  const cpuMs: number[] = [];
  let items = 0;
  for (let i = 0; i < runs; i++) {
    collectGarbage();
    const run = await timeOnce(fn);
    items = run.items;
    ms.push(run.ms);
    cpuMs.push(run.cpuMs);
    rates.push(run.items / (run.ms / 1000));
    progress(`${label}: run ${i + 1}/${runs}: ${fmtRate(rates[i])}/s (${run.items} in ${(run.ms / 1000).toFixed(2)} s, CPU ${(run.cpuMs / 1000).toFixed(2)} s)`);
    const spent = ms.reduce((a, b) => a + b, 0);
    if (i + 1 < runs && spent + run.ms > budgetMs) {
      progress(`${label}: stopping after ${i + 1} run(s): the next would exceed the ${budgetMs / 1000} s budget`);
      break;
    }
  }
  return { items, rates, best: Math.max(...rates), median: median(rates), ms, cpuMs, runs: rates.length };
}

/** "CPU 4.1 s / wall 2.3 s" for the best run: how many cores a run kept busy. */
export function cpuNote(m: Measurement): string {
  const i = m.rates.indexOf(m.best);
  return `best run: CPU ${(m.cpuMs[i] / 1000).toFixed(1)} s / wall ${(m.ms[i] / 1000).toFixed(1)} s`;
}

export function fmtRate(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function fmtMB(bytes: number): string {
  return (bytes / (1 << 20)).toFixed(1);
}

/** One line of a benchmark's report; `pass` set when the figure has a target. */
export interface BenchRow {
  name: string;
  value: string;
  target?: string;
  note?: string;
  pass?: boolean;
}

/** The report: aligned rows under a title, then PASS / BELOW TARGET for every figure with a target. */
export function printRows(title: string, rows: readonly BenchRow[]): void {
  const w = Math.max(...rows.map((r) => r.name.length));
  const v = Math.max(...rows.map((r) => r.value.length));
  const t = Math.max(...rows.map((r) => (r.target ?? '').length));
  process.stdout.write(`\n${title}\n\n`);
  for (const r of rows) process.stdout.write(`${r.name.padEnd(w)}  ${r.value.padStart(v)}  ${(r.target ?? '').padEnd(t)}  ${r.note ?? ''}\n`);
  process.stdout.write('\n');
  for (const r of rows) if (r.pass !== undefined) process.stdout.write(`${r.pass ? 'PASS        ' : 'BELOW TARGET'}  ${r.name}: ${r.value} (${r.target})\n`);
}

/** Nearest-rank percentile (p in 0–100) of a sample. */
export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}
