/**
 * How `palisade vap test` prints its outcome: a short text block per resource, or JSON
 * (`version: 1`, every field of the results; documented in docs/vap.md).
 */
import { formatProblem, type VapProblem } from './types.js';
import type { TryOutcome } from './try.js';

/** One line per problem: CEL's multi-line compile errors keep their `ERROR:` lines only, joined. */
export function oneLine(p: VapProblem): string {
  const text = formatProblem(p);
  if (!text.includes('\n')) return text;
  return text.split('\n').filter((l) => !l.startsWith(' | ')).join('; ');
}

export function textReport(o: TryOutcome): string {
  const lines: string[] = [];
  for (const n of o.notes) lines.push(`note: ${n}`);
  if (o.notes.length > 0) lines.push('');
  for (const r of o.results) {
    const res = r.resource;
    const id = res.namespace !== undefined ? `${res.kind} ${res.namespace}/${res.name}` : `${res.kind} ${res.name}`;
    const v = r.result;
    const verdict = v.allowed ? (v.evaluated.length === 0 ? 'allowed (no policy applies)' : 'allowed') : 'denied';
    lines.push(`${id} (${res.file}:${res.line}) ${r.operation}: ${verdict}`);
    for (const d of v.denials) lines.push(`  denied: ${d.message}`);
    if (v.status !== undefined) lines.push(`  status: ${v.status.code} ${v.status.reason}`);
    for (const w of v.warnings) lines.push(`  warning: ${w}`);
    for (const [k, val] of Object.entries(v.auditAnnotations)) lines.push(`  audit annotation: ${k}=${val}`);
    for (const n of r.notes) lines.push(`  note: ${n}`);
  }
  if (o.results.length === 0) lines.push('no resources to evaluate');
  return `${lines.join('\n')}\n`;
}

export function jsonReport(o: TryOutcome): string {
  return `${JSON.stringify({
    version: 1,
    notes: o.notes,
    warnings: o.warnings.map(oneLine),
    results: o.results.map((r) => ({ resource: r.resource, operation: r.operation, ...r.result, notes: r.notes })),
  }, null, 2)}\n`;
}
