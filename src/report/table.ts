/**
 * Human-readable report: findings grouped by resource, one aligned row per finding,
 * then input errors, warnings and a one-line summary. Designed for 100 columns.
 *
 * Colour comes only from picocolors instances made with `createColors(opts.color)`, so
 * with colour off the output has no escape sequences; text taken from the scanned files
 * (names, messages) is cleaned of control characters so it cannot inject any either.
 */

import pc from 'picocolors';
import type { Finding, ResourceRef, ScanResult, Severity } from '../model/types.js';
import { SEVERITIES } from '../model/types.js';
import { fileLine, plural, qualifiedName } from './common.js';

export const TABLE_WIDTH = 100;
/** Below this many columns left for the message, it goes on its own line. */
const MIN_MESSAGE_WIDTH = 36;
const MAX_CHECK_WIDTH = 32;
const MAX_LOCATION_WIDTH = 36;
const INDENT = '  ';

type Colors = ReturnType<typeof pc.createColors>;

/**
 * Make untrusted text safe and single-line for a terminal: tabs and newlines become
 * spaces; other C0/C1 controls and bidi overrides are shown as `\uXXXX`.
 */
export function cleanText(s: string): string {
  return s
    .replace(/[\t\n\r]+/g, ' ')
    .replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
      (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function pad(s: string, width: number): string {
  return s.length >= width ? s : s + ' '.repeat(width - s.length);
}

/** Greedy word wrap; words longer than `width` are split. Always at least one line. */
export function wrap(text: string, width: number): string[] {
  const w = Math.max(1, width);
  const lines: string[] = [];
  let cur = '';
  for (let word of text.split(' ')) {
    if (word === '') continue;
    while (word.length > w) {
      if (cur !== '') { lines.push(cur); cur = ''; }
      // Prefer breaking a long path after a `.` or `/`, or before a `[`.
      const head = word.slice(0, w);
      const at = Math.max(head.lastIndexOf('.') + 1, head.lastIndexOf('/') + 1, head.lastIndexOf('['));
      const cut = at > w / 2 ? at : w;
      lines.push(word.slice(0, cut));
      word = word.slice(cut);
    }
    if (word === '') continue;
    if (cur === '') cur = word;
    else if (cur.length + 1 + word.length <= w) cur += ' ' + word;
    else { lines.push(cur); cur = word; }
  }
  if (cur !== '' || lines.length === 0) lines.push(cur);
  return lines;
}

function severityColor(c: Colors, s: Severity): (t: string) => string {
  switch (s) {
    case 'critical': return (t) => c.bold(c.red(t));
    case 'high': return (t) => c.red(t);
    case 'medium': return (t) => c.yellow(t);
    case 'low': return (t) => c.cyan(t);
    case 'info': return (t) => c.dim(t);
  }
}

interface Group {
  ref: ResourceRef;
  findings: Finding[];
}

/** Unsuppressed findings grouped by resource, in order of first appearance. */
function groupByResource(findings: readonly Finding[]): Group[] {
  const groups = new Map<string, Group>();
  for (const f of findings) {
    if (f.suppressed) continue;
    const r = f.resource;
    const key = JSON.stringify([r.file, r.line, r.apiVersion, r.kind, r.namespace ?? null, r.name]);
    let g = groups.get(key);
    if (!g) { g = { ref: r, findings: [] }; groups.set(key, g); }
    g.findings.push(f);
  }
  return [...groups.values()];
}

function summaryLine(result: ScanResult, c: Colors): string {
  const s = result.summary;
  const extras: string[] = [];
  if (s.suppressed > 0) extras.push(`${s.suppressed} suppressed`);
  if (result.errors.length > 0) extras.push(plural(result.errors.length, 'input error'));
  if (s.findings === 0) {
    const head = `No findings in ${plural(s.resources, 'resource')}.`;
    return extras.length ? `${c.green(head)} ${extras.join(', ')}.` : c.green(head);
  }
  const bySev = SEVERITIES.filter((sev) => s.bySeverity[sev] > 0)
    .map((sev) => severityColor(c, sev)(`${s.bySeverity[sev]} ${sev}`));
  let line = c.bold(plural(s.findings, 'finding'));
  if (bySev.length) line += ` (${bySev.join(', ')})`;
  for (const e of extras) line += `, ${e}`;
  line += `, ${plural(s.resources, 'resource')} scanned`;
  return line;
}

export function renderTable(result: ScanResult, opts: { color: boolean }): string {
  const c = pc.createColors(opts.color);
  const out: string[] = [];
  const groups = groupByResource(result.findings);

  const rows = groups.flatMap((g) => g.findings);
  const sevW = Math.max(0, ...rows.map((f) => f.severity.length));
  const checkW = Math.min(MAX_CHECK_WIDTH, Math.max(0, ...rows.map((f) => cleanText(f.check).length)));
  const locW = Math.min(MAX_LOCATION_WIDTH,
    Math.max(0, ...rows.map((f) => cleanText(fileLine(f.resource.file, f.line)).length)));

  for (const g of groups) {
    const r = g.ref;
    const title = cleanText(`${r.kind || 'Unknown'} ${qualifiedName(r)}`);
    out.push(`${c.bold(title)}  ${c.dim(`(${cleanText(fileLine(r.file, r.line))})`)}`);
    for (const f of g.findings) {
      const check = cleanText(f.check);
      const loc = cleanText(fileLine(f.resource.file, f.line));
      const plainPrefix = `${INDENT}${pad(f.severity, sevW)}  ${pad(check, checkW)}  ${pad(loc, locW)}  `;
      const prefix = `${INDENT}${severityColor(c, f.severity)(pad(f.severity, sevW))}  `
        + `${c.bold(pad(check, checkW))}  ${c.dim(pad(loc, locW))}  `;
      const message = cleanText(f.message);
      const room = TABLE_WIDTH - plainPrefix.length;
      if (room >= MIN_MESSAGE_WIDTH) {
        const lines = wrap(message, room);
        out.push(prefix + lines[0]);
        for (const l of lines.slice(1)) out.push(' '.repeat(plainPrefix.length) + l);
      } else {
        out.push(`${INDENT}${severityColor(c, f.severity)(pad(f.severity, sevW))}  `
          + `${c.bold(pad(check, checkW))}  ${c.dim(loc)}`);
        const indent = INDENT.repeat(3);
        for (const l of wrap(message, TABLE_WIDTH - indent.length)) out.push(indent + l);
      }
    }
    out.push('');
  }

  if (result.errors.length > 0) {
    out.push(c.bold(c.red(`Input errors (${result.errors.length}):`)));
    for (const e of result.errors) out.push(`${INDENT}${cleanText(`${fileLine(e.file, e.line)}: ${e.message}`)}`);
    out.push('');
  }

  if (result.warnings.length > 0) {
    out.push(c.bold(c.yellow(`Warnings (${result.warnings.length}):`)));
    for (const w of result.warnings) out.push(`${INDENT}${cleanText(w)}`);
    out.push('');
  }

  out.push(summaryLine(result, c));
  return out.join('\n') + '\n';
}
