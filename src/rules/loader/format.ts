/** Falco-style validation output for `palisade rules validate`: text lines or the JSON load-result shape. */
import { CODE_DESCRIPTIONS, type LoaderMessage } from './messages.js';
import type { FileLoadResult } from './model.js';

export interface LoadCounts {
  rules: number;
  macros: number;
  lists: number;
}

function describe(m: LoaderMessage): string {
  const where = `${m.file}:${m.line}:${m.column}`;
  const item = m.itemType ? ` ${m.itemType}${m.itemName !== undefined ? ` '${m.itemName}'` : ''}` : '';
  return `${where}:${item} ${m.code} (${CODE_DESCRIPTIONS[m.code] ?? m.code}): ${m.message}`;
}

function asJson(m: LoaderMessage) {
  const locations = [];
  if (m.itemLine !== undefined) {
    locations.push({
      item_type: m.itemType ?? '',
      item_name: m.itemName ?? '',
      position: { name: m.file, line: m.itemLine, column: m.itemColumn ?? 1, offset: m.itemOffset ?? 0 },
    });
  }
  if (m.itemLine === undefined || m.itemOffset !== m.offset) {
    locations.push({
      item_type: m.itemType ?? '',
      item_name: m.itemName ?? '',
      position: { name: m.file, line: m.line, column: m.column, offset: m.offset },
    });
  }
  return {
    code: m.code,
    codedesc: CODE_DESCRIPTIONS[m.code] ?? m.code,
    message: m.message,
    context: { locations, snippet: m.snippet ?? '' },
  };
}

export function formatLoadResult(results: readonly FileLoadResult[], format: 'text' | 'json', counts?: LoadCounts): string {
  if (format === 'json') {
    return JSON.stringify(
      {
        results: results.map((r) => ({
          name: r.file,
          successful: r.successful,
          errors: r.errors.map(asJson),
          warnings: r.warnings.map(asJson),
        })),
        ...(counts ? { counts } : {}),
      },
      null,
      2,
    );
  }
  const lines: string[] = [];
  for (const r of results) {
    if (r.errors.length === 0 && r.warnings.length === 0) {
      lines.push(`${r.file}: Ok`);
      continue;
    }
    lines.push(`${r.file}: ${r.successful ? 'Ok, with warnings' : 'Invalid'}`);
    if (r.errors.length > 0) lines.push(`${r.errors.length} Errors:`, ...r.errors.map((m) => `  ${describe(m)}`));
    if (r.warnings.length > 0) lines.push(`${r.warnings.length} Warnings:`, ...r.warnings.map((m) => `  ${describe(m)}`));
  }
  if (counts) lines.push(`${counts.rules} rules, ${counts.macros} macros, ${counts.lists} lists`);
  return lines.join('\n');
}
