/**
 * The rules-engine benchmark: Falco rules over Kubernetes audit events and syscall events,
 * end to end (read JSON lines from a file, decode, evaluate, render alerts) and evaluation
 * alone on pre-decoded events — each beside bare `JSON.parse` on the same lines, measured in
 * the same run. Upstream rule files are used when ../shared/data is present (the targets are
 * stated for them), Palisade's own rules otherwise.
 *
 *   node dist/perf/rules-bench.js [--quick]
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildRuleset, DEFAULT_RULE_FILES, defaultSources, detect, type AlertSink, type BuiltRuleset } from '../rules/index.js';
import { auditStream } from './audit-corpus.js';
import { syscallStream } from './syscall-corpus.js';
import { fmtRate, measure, printRows, progress, type BenchRow } from './measure.js';

const TARGET_E2E_SHARE = 0.75;
const TARGET_EVAL_AUDIT = 1_000_000;
const TARGET_EVAL_SYSCALL = 3_000_000;

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const data = resolve(root, '..', 'shared', 'data', 'falco');

const rows: BenchRow[] = [];

function ruleFiles(kind: 'k8s_audit' | 'syscall'): { files: Array<{ name: string; content: string }>; label: string } {
  const upstream = kind === 'k8s_audit' ? join(data, 'k8saudit-rules', 'k8s_audit_rules.yaml') : join(data, 'rules', 'falco_rules.yaml');
  if (existsSync(upstream)) return { files: [{ name: upstream, content: readFileSync(upstream, 'utf8') }], label: kind === 'k8s_audit' ? 'upstream k8s_audit_rules.yaml' : 'upstream falco_rules.yaml (stable)' };
  const own = DEFAULT_RULE_FILES.filter((f) => f.includes(kind === 'k8s_audit' ? 'kubernetes_audit' : 'syscall'));
  return { files: own.map((f) => ({ name: f, content: readFileSync(f, 'utf8') })), label: `Palisade's ${kind} rules (../shared/data absent)` };
}

/** A sink that counts and renders nothing more (the alert object is already made). */
function countingSink(): AlertSink & { count: number } {
  return {
    count: 0,
    write() { this.count++; },
    async close() {},
    stats() { return { sent: this.count, dropped: 0, failed: 0 }; },
  };
}

async function benchSource(kind: 'k8s_audit' | 'syscall', lines: string[], file: string, repeat: number): Promise<void> {
  const sources = defaultSources();
  const { files, label } = ruleFiles(kind);
  const built: BuiltRuleset = buildRuleset(files, { sources });
  const enabled = built.ruleset.count(kind);
  const loadErrors = built.loaded.results.reduce((n, r) => n + r.errors.length, 0);
  progress(`${kind}: ${label}: ${enabled} enabled rules, ${loadErrors} load errors`);
  const total = lines.length * repeat;
  const bytes = lines.reduce((n, l) => n + l.length + 1, 0);

  // Bare decoding: the file's bytes read and every line parsed (what any reader must do).
  const bare = await measure(`${kind} bare JSON.parse`, () => {
    for (let r = 0; r < repeat; r++) {
      const text = readFileSync(file, 'utf8');
      let start = 0;
      for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
        JSON.parse(text.slice(start, nl));
        start = nl + 1;
      }
    }
    return total;
  });

  // JSON.parse alone on lines already in memory: the floor the issue states its targets against.
  const parseOnly = await measure(`${kind} JSON.parse of in-memory lines`, () => {
    for (let r = 0; r < repeat; r++) for (let i = 0; i < lines.length; i++) JSON.parse(lines[i]);
    return total;
  });

  // End to end through `palisade detect`'s code path: stream, split, decode, index, evaluate, alerts.
  let alerts = 0;
  const e2e = await measure(`${kind} end to end`, async () => {
    const sink = countingSink();
    for (let r = 0; r < repeat; r++) {
      await detect([{ path: file }], { built, sources, source: kind, sinks: [sink], alertOptions: { hostname: 'bench' } });
    }
    alerts = sink.count;
    return total;
  });

  // Evaluation alone: pre-decoded events, every candidate rule tested (no alert rendering).
  const events = lines.map((l) => JSON.parse(l) as unknown);
  let matched = 0;
  const evaluation = await measure(`${kind} evaluation`, () => {
    matched = 0;
    for (let r = 0; r < repeat; r++) {
      for (const e of events) matched += built.ruleset.match(kind, e).length;
    }
    return total;
  });

  const decodeShare = (1 / bare.best) / (1 / e2e.best);
  const evalShare = (1 / evaluation.best) / (1 / e2e.best);
  rows.push({ name: `${kind}: bare JSON.parse, lines in memory`, value: `${fmtRate(parseOnly.best)} events/s`, note: `${total.toLocaleString('en-US')} events, ${Math.round(bytes / lines.length)} bytes each (median ${fmtRate(parseOnly.median)}/s)` });
  rows.push({ name: `${kind}: bare read + split + JSON.parse`, value: `${fmtRate(bare.best)} events/s`, note: `the same lines read from the file (median ${fmtRate(bare.median)}/s); end to end is compared with this` });
  rows.push({
    name: `${kind}: end to end (${label})`,
    value: `${fmtRate(e2e.best)} events/s`,
    target: `≥ ${TARGET_E2E_SHARE * 100}% of bare`,
    pass: e2e.best >= TARGET_E2E_SHARE * bare.best,
    note: `${Math.round((e2e.best / bare.best) * 100)}% of bare read+parse, ${Math.round((e2e.best / parseOnly.best) * 100)}% of JSON.parse alone; ${alerts.toLocaleString('en-US')} alerts; time: decoding ≈ ${Math.round(decodeShare * 100)}%, evaluating ≈ ${Math.round(evalShare * 100)}%, the rest reading, splitting and alerts (median ${fmtRate(e2e.median)}/s)`,
  });
  const target = kind === 'k8s_audit' ? TARGET_EVAL_AUDIT : TARGET_EVAL_SYSCALL;
  rows.push({
    name: `${kind}: evaluation alone`,
    value: `${fmtRate(evaluation.best)} events/s`,
    target: `≥ ${fmtRate(target)}/s`,
    pass: evaluation.best >= target,
    note: `pre-decoded events, ${enabled} rules indexed by ${kind === 'k8s_audit' ? 'verb and resource' : 'event type'}; ${(matched / repeat).toLocaleString('en-US')} matches per pass (median ${fmtRate(evaluation.median)}/s)`,
  });
}

async function main(argv: string[]): Promise<void> {
  const quick = argv.includes('--quick');
  const distinct = quick ? 20_000 : 200_000;
  const repeat = 5; // 1,000,000 events in the full run
  const dir = mkdtempSync(join(tmpdir(), 'palisade-rules-bench-'));
  try {
    progress(`generating ${distinct.toLocaleString('en-US')} audit events (a realistic mix: kubelet leases and status, controllers, CI rollouts at RequestResponse, developers)…`);
    const audit = [...auditStream(distinct)].map((e) => JSON.stringify(e));
    const auditFile = join(dir, 'audit.jsonl');
    writeFileSync(auditFile, `${audit.join('\n')}\n`);
    await benchSource('k8s_audit', audit, auditFile, repeat);
    audit.length = 0;

    progress(`generating ${distinct.toLocaleString('en-US')} syscall events (open/close/read/write, network, exec…)…`);
    const sys = [...syscallStream(distinct)].map((e) => JSON.stringify(e));
    const sysFile = join(dir, 'syscall.jsonl');
    writeFileSync(sysFile, `${sys.join('\n')}\n`);
    await benchSource('syscall', sys, sysFile, repeat);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  printRows(`Palisade rules-engine benchmark — node ${process.version}, one core`, rows);
}

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
