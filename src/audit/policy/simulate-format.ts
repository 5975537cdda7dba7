/** The simulation report as a table for people or JSON for programs. */
import { perDay, type SimulationReport, type SimulationRow } from './simulate.js';

/** 1536 → `1.5 KiB` */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${Math.round(v)} B` : `${v.toFixed(1)} ${units[u]}`;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

function rowJson(report: SimulationReport, r: SimulationRow): Record<string, unknown> {
  return {
    rule: r.rule, line: r.line, level: r.level, description: r.description,
    matched: r.matched, kept: r.kept, estimated: r.estimated, bytesNow: r.bytesNow, bytesAfter: r.bytesAfter,
    bytesPerDayNow: perDay(report, r.bytesNow), bytesPerDayAfter: perDay(report, r.bytesAfter),
  };
}

export function simulationJson(report: SimulationReport): Record<string, unknown> {
  return {
    policy: report.policy, inputs: report.inputs, events: report.events, malformed: report.malformed, duplicates: report.duplicates,
    underRecorded: report.underRecorded, span: report.span,
    rules: report.rules.map((r) => rowJson(report, r)), noRule: rowJson(report, report.noRule), totals: report.totals,
  };
}

const DESCRIPTION_WIDTH = 60;

function clip(s: string, width: number): string {
  return s.length <= width ? s : `${s.slice(0, width - 1)}…`;
}

function events(n: number): string {
  return `${count(n)} ${n === 1 ? 'event' : 'events'}`;
}

function duration(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 120) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  if (seconds < 7200) return `${(seconds / 60).toFixed(1)} min`;
  if (seconds < 172800) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} days`;
}

function percent(now: number, after: number): string {
  if (now === 0) return after === 0 ? '±0%' : 'new';
  const p = ((after - now) / now) * 100;
  return `${p > 0 ? '+' : p < 0 ? '−' : '±'}${Math.abs(p).toFixed(1)}%`;
}

export function simulationTable(report: SimulationReport): string {
  const day = (b: number) => {
    const d = perDay(report, b);
    return d === null ? 'n/a' : formatBytes(d);
  };
  const header = ['RULE', 'LINE', 'LEVEL', 'EVENTS', 'KEPT', 'NOW', 'AFTER', 'AFTER/DAY', 'MATCHES'];
  const rows: string[][] = [...report.rules, report.noRule].map((r) => [
    r.rule === null ? 'no rule' : `rules[${r.rule}]`, r.line === null ? '-' : String(r.line), r.level,
    count(r.matched), count(r.kept), formatBytes(r.bytesNow), formatBytes(r.bytesAfter), day(r.bytesAfter), clip(r.description, DESCRIPTION_WIDTH),
  ]);
  const t = report.totals;
  rows.push(['total', '', '', count(t.matched), count(t.kept), formatBytes(t.bytesNow), formatBytes(t.bytesAfter), day(t.bytesAfter), '']);
  const right = new Set([3, 4, 5, 6, 7]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : right.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  const out = [line(header), ...rows.map(line), ''];

  const skipped = report.malformed > 0 ? ` (${count(report.malformed)} malformed skipped)` : '';
  const span = report.span ? `, ${report.span.from} to ${report.span.to} (${duration(report.span.seconds)})` : '';
  out.push(`Log: ${report.inputs.join(', ')}: ${events(report.events)}${skipped}${span}`);
  const perDayNow = t.bytesPerDayNow === null ? '' : ` (${formatBytes(t.bytesPerDayNow)}/day)`;
  const perDayAfter = t.bytesPerDayAfter === null ? '' : ` (${formatBytes(t.bytesPerDayAfter)}/day)`;
  out.push(`Now: ${events(t.matched)}, ${formatBytes(t.bytesNow)}${perDayNow}`);
  out.push(`With ${report.policy}: ${events(t.kept)}, ${formatBytes(t.bytesAfter)}${perDayAfter}, ${percent(t.bytesNow, t.bytesAfter)}`);
  if (report.span === null || report.span.seconds <= 0) out.push('Note: the log has no time span, so sizes are not scaled to a day.');
  const estimated = [...report.rules, report.noRule].reduce((n, r) => n + r.estimated, 0);
  if (estimated > 0) out.push(`Note: estimated ${events(estimated)} at stage RequestReceived that the log lacks (the candidate does not omit that stage).`);
  if (report.underRecorded > 0) {
    out.push(`Note: ${events(report.underRecorded)} recorded at a lower level than the candidate's; their bodies are not in the log, so AFTER is a lower bound.`);
  }
  if (report.duplicates > 0) out.push(`Note: counted once: ${events(report.duplicates)} with an auditID and stage already seen.`);
  return `${out.join('\n')}\n`;
}
