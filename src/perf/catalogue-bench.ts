/**
 * `npm run bench:catalogue`: only the check catalogue's cost on top of loading (the same
 * figures as `npm run bench` prints), with more runs per size, for work on the checks.
 *
 *   node dist/perf/catalogue-bench.js [--runs N] [--sizes 1000,10000,100000]
 *
 * Each size prints three overheads: best cks run over best loading run (what the target is
 * judged on), median over median, and the median of each round's own cks ÷ loading ratio
 * (paired; the steadiest when the machine's speed drifts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHECK_OVERHEAD_TARGET, measureCatalogue } from './catalogue.js';
import { flag, fmtRate, printRows, progress, type BenchRow } from './measure.js';

const RUNS = Number(flag('--runs') ?? 7);
const SIZES = (flag('--sizes') ?? '1000,10000,100000').split(',').map(Number);
const TARGET = CHECK_OVERHEAD_TARGET * 100;

const dir = await mkdtemp(join(tmpdir(), 'palisade-catalogue-bench-'));
const rows: BenchRow[] = [];
try {
  let first = true;
  for (const n of SIZES) {
    progress(`catalogue: ${n} mixed resources, ${RUNS} runs each of loading alone and of the cks profile…`);
    const m = await measureCatalogue(dir, n, n >= 100_000 ? Math.min(RUNS, 3) : RUNS, first);
    first = false;
    const best = m.overhead * 100;
    const median = m.medianOverhead * 100;
    const paired = m.pairedOverhead * 100;
    rows.push({
      name: `checks on top of loading, ${m.resources} resources`,
      value: `${best.toFixed(0)} % (median ${median.toFixed(0)} %, paired ${paired.toFixed(0)} %)`,
      target: `≤ ${TARGET} %`,
      pass: best <= TARGET,
      note: `loading ${m.load.toFixed(0)} ms (${fmtRate(m.resources / (m.load / 1000))}/s), cks ${m.full.toFixed(0)} ms (${fmtRate(m.resources / (m.full / 1000))}/s); ${m.findings} findings; best of ${m.runs}`,
    });
  }
  printRows(`Check catalogue (cks profile) on top of loading — node ${process.version}, in process, one thread`, rows);
} finally {
  await rm(dir, { recursive: true, force: true });
}
