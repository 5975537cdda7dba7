/**
 * `npm run bench:catalogue`: only the check catalogue's cost on top of loading (the same
 * figures as `npm run bench` prints), with more processes and runs per size, for work on the
 * checks.
 *
 *   node dist/perf/catalogue-bench.js [--processes N] [--runs N] [--sizes 1000,10000,100000] [--tuned-size N]
 *
 * Each size runs in several fresh processes (measureInProcesses): 5 by default, at least 9 at the
 * size the target is stated for (10,000), 3 at 100,000. Each process alternates
 * loading alone and the cks profile, after warm-up pairs, and keeps its best run of each. Per
 * size the bench prints the median over processes of their best-over-best overheads (what
 * the target is judged on), the range over processes, and the medians of each process's
 * median-over-median and paired overheads. One size (10,000 by default) is measured again with
 * node's young generation raised (--max-semi-space-size=64), for information.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHECK_OVERHEAD_SIZE, CHECK_OVERHEAD_TARGET, measureInProcesses, warmUpPairsFor } from './catalogue.js';
import { flag, fmtRate, printRows, progress, type BenchRow } from './measure.js';

const PROCESSES = Number(flag('--processes') ?? 5);
const RUNS = Number(flag('--runs') ?? 6);
const SIZES = (flag('--sizes') ?? '1000,10000,100000').split(',').map(Number);
const TARGET = CHECK_OVERHEAD_TARGET * 100;
/** Processes at least, at the size the target is judged at (CHECK_OVERHEAD_SIZE). */
const JUDGED_PROCESSES = 9;
/** A second measurement of one size with a tuned young generation (`--tuned-size 0` skips it). */
const TUNED_FLAGS = ['--max-semi-space-size=64'];
const TUNED_SIZE = Number(flag('--tuned-size') ?? (SIZES.includes(CHECK_OVERHEAD_SIZE) ? CHECK_OVERHEAD_SIZE : 0));
const pct = (x: number) => `${(x * 100).toFixed(0)} %`;

const dir = await mkdtemp(join(tmpdir(), 'palisade-catalogue-bench-'));
const rows: BenchRow[] = [];
const rates: Array<{ n: number; rate: number }> = [];

/** measureInProcesses on `n` resources, each process's figures printed as it ends. */
async function measureSize(n: number, processes: number, runs: number, nodeFlags: readonly string[] = []) {
  const how = nodeFlags.length > 0 ? `, node ${nodeFlags.join(' ')}` : '';
  progress(`catalogue: ${n} mixed resources${how}, ${processes} processes, each ${runs} runs of loading alone and of the cks profile…`);
  const m = await measureInProcesses(dir, n, {
    processes, runs, warmUpPairs: warmUpPairsFor(n), nodeFlags,
    onProcess: (p, i) => progress(`  process ${i + 1}/${processes}: loading ${p.load.toFixed(0)} ms, cks ${p.full.toFixed(0)} ms, overhead ${pct(p.overhead)} (median ${pct(p.medianOverhead)}, paired ${pct(p.pairedOverhead)})`),
  });
  return { m, resources: m.processes[0].resources, overheads: `${pct(m.overhead)} (${pct(m.lowest)}–${pct(m.highest)}; median ${pct(m.medianOverhead)}, paired ${pct(m.pairedOverhead)})` };
}

try {
  for (const n of SIZES) {
    // A 100,000-resource scan takes seconds: fewer processes and runs (and see warmUpPairsFor).
    const large = n >= 100_000;
    // The size the target is judged at gets more processes: their figures spread over several
    // points, and the median of more of them moves less from one run of the bench to the next.
    const judged = n === CHECK_OVERHEAD_SIZE;
    const processes = large ? Math.min(PROCESSES, 3) : judged ? Math.max(PROCESSES, JUDGED_PROCESSES) : PROCESSES;
    const runs = large ? Math.min(RUNS, 3) : RUNS;
    const { m, resources, overheads } = await measureSize(n, processes, runs);
    const rate = resources / (m.full / 1000);
    rates.push({ n: resources, rate });
    rows.push({
      name: `checks on top of loading, ${resources} resources`,
      value: overheads,
      ...(judged ? { target: `≤ ${TARGET} %`, pass: m.overhead * 100 <= TARGET } : { target: `(target judged at ${CHECK_OVERHEAD_SIZE})` }),
      note: `loading ${m.load.toFixed(0)} ms (${fmtRate(resources / (m.load / 1000))}/s), cks ${m.full.toFixed(0)} ms (${fmtRate(rate)}/s): ` +
        `${pct(m.load / m.full)} loading, ${pct(1 - m.load / m.full)} checking; ${m.processes[0].findings} findings; median of ${processes} processes, best of ${runs} runs each`,
    });
  }
  // What a larger young generation does (not the default: `palisade` runs with node's own). The
  // checks keep findings and facts, and a batch of parsed documents waits for its checks: with
  // fewer scavenges fewer of them are moved while still in use. Judged on the default above.
  if (TUNED_SIZE > 0) {
    const { m, resources, overheads } = await measureSize(TUNED_SIZE, PROCESSES, RUNS, TUNED_FLAGS);
    rows.push({
      name: `same, ${resources} resources, node ${TUNED_FLAGS.join(' ')} (NODE_OPTIONS)`,
      value: overheads,
      note: `loading ${m.load.toFixed(0)} ms, cks ${m.full.toFixed(0)} ms (${fmtRate(resources / (m.full / 1000))}/s); informative, not the default runtime`,
    });
  }
  if (rates.length >= 2) {
    const first = rates[0];
    const last = rates[rates.length - 1];
    rows.push({
      name: `cks rate at ${last.n} vs ${first.n} resources`,
      value: `${(last.rate / first.rate).toFixed(2)} ×`,
      note: 'linear cost keeps the rate constant (1.00 ×); below 1 means the cost grows faster than the input',
    });
  }
  printRows(`Check catalogue (cks profile) on top of loading — node ${process.version}, one thread, fresh processes`, rows);
} finally {
  await rm(dir, { recursive: true, force: true });
}
