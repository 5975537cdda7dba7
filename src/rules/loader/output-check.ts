/**
 * Load-time validation of output format strings: every `%field` (with optional width and
 * `[arg]`) or `%transformer(...)` token must bind in the rule's source. Rendering lives in
 * ../output; this only decides whether Falco would accept the format.
 */
import type { FieldSource } from '../types.js';
import { operandFields } from './ast-walk.js';
import { parseOperand } from './lang-backend.js';

const FIELD_TOKEN = /[a-zA-Z]+[a-zA-Z0-9_]*(\.[a-zA-Z]+[a-zA-Z0-9_]*)+/y;
const TRANSFORMER_START = /[a-z0-9]+\(/y;

function bindError(source: FieldSource, field: string, arg: string | undefined): string | undefined {
  try {
    source.bind(field, arg);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** Returns Falco-style error text for the first bad token, or undefined when the format is valid. Also lists the fields used. */
export function checkOutput(format: string, source: FieldSource): { error?: string; fields: string[] } {
  const fields: string[] = [];
  for (let i = format.indexOf('%'); i >= 0; i = format.indexOf('%', i + 1)) {
    let p = i + 1;
    while (p < format.length && format[p]! >= '0' && format[p]! <= '9') p++;
    TRANSFORMER_START.lastIndex = p;
    if (TRANSFORMER_START.test(format)) {
      const parsed = parseOperand(format, p);
      if (!parsed) return { error: `invalid formatting token ${format.slice(i, format.indexOf(')', p) + 1 || undefined)}`, fields };
      for (const f of operandFields(parsed.expr)) {
        const err = bindError(source, f.field, f.arg);
        if (err) return { error: err, fields };
        fields.push(f.field);
      }
      i = parsed.end - 1;
      continue;
    }
    FIELD_TOKEN.lastIndex = p;
    const m = FIELD_TOKEN.exec(format);
    if (!m) continue; // a lone '%' is literal text
    let end = p + m[0].length;
    let arg: string | undefined;
    if (format[end] === '[') {
      const close = format.indexOf(']', end);
      if (close > end) {
        arg = format.slice(end + 1, close);
        end = close + 1;
      }
    }
    const err = bindError(source, m[0], arg);
    if (err) return { error: err, fields };
    fields.push(m[0]);
    i = end - 1;
  }
  return { fields };
}
