/**
 * Child process for the stdin benchmark: runs the real CLI entry on `-` (stdin) and, when
 * it is done, reports peak RSS and what it scanned as one JSON line on fd 3 (or, when fd 3
 * is not open, as the last line of stderr).
 *
 *   node dist/perf/stdin-child.js <report-file> [extra palisade flags…]
 */
import { readFileSync, writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { main } from '../cli/index.js';

export interface ChildReport {
  exitCode: number;
  /** Wall milliseconds inside main(), i.e. from reading stdin to the report written. */
  ms: number;
  /** Peak resident set size of the whole process (all threads), from getrusage. */
  maxRssKB: number;
  /** RSS sampled every 100 ms while scanning: [milliseconds since start, MB]. */
  rssSamples: Array<[number, number]>;
  heapUsedMB: number;
  resources?: number;
  findings?: number;
  errors?: number;
  error?: string;
}

const output = process.argv[2];
if (!output) {
  process.stderr.write('usage: stdin-child.js <report-file> [palisade flags…]\n');
  process.exit(2);
}

const samples: Array<[number, number]> = [];
const t0 = performance.now();
const sample = () => samples.push([Math.round(performance.now() - t0), +(process.memoryUsage.rss() / (1 << 20)).toFixed(1)]);
const timer = setInterval(sample, 100);
timer.unref();

const report: ChildReport = { exitCode: 2, ms: 0, maxRssKB: 0, rssSamples: samples, heapUsedMB: 0 };
try {
  report.exitCode = await main(['node', 'palisade', 'scan', '-', '--format', 'json', '--output', output, '--fail-on', 'none', ...process.argv.slice(3)]);
} catch (err) {
  report.error = err instanceof Error ? err.message : String(err);
}
report.ms = performance.now() - t0;
clearInterval(timer);
sample();
// Read peak memory before loading the report back (that would add to it).
report.maxRssKB = process.resourceUsage().maxRSS;
report.heapUsedMB = +(process.memoryUsage().heapUsed / (1 << 20)).toFixed(1);
try {
  const scanned = JSON.parse(readFileSync(output, 'utf8')) as { summary?: { resources: number; findings: number }; errors?: unknown[] };
  report.resources = scanned.summary?.resources;
  report.findings = scanned.summary?.findings;
  report.errors = scanned.errors?.length;
} catch (err) {
  report.error ??= `cannot read the report: ${err instanceof Error ? err.message : String(err)}`;
}

const line = `${JSON.stringify(report)}\n`;
try {
  writeSync(3, line);
} catch {
  process.stderr.write(`\n${line}`);
}
process.exitCode = report.exitCode;
