/**
 * Text → expression tree: optional syntax rewritten (optional-syntax.ts), @bufbuild/cel's
 * parser, then conversion (ast.ts). Errors are cel-go shaped, pointing at the user's text:
 *
 *   ERROR: <input>:1:9: Syntax error: found . but expecting end of input
 *    | object..spec
 *    | ........^
 */
import { parse as bufParse } from '@bufbuild/cel';
import { convert, type Node } from './ast.js';
import { originalOffset, rewriteOptionalSyntax } from './optional-syntax.js';

export class CelSyntaxError extends Error {}

/** Expressions longer than this are refused before parsing (Kubernetes caps them far lower). */
export const MAX_EXPRESSION_LENGTH = 100_000;

export function parseCel(text: string): Node {
  if (text.length > MAX_EXPRESSION_LENGTH) throw new CelSyntaxError(`expression is longer than ${MAX_EXPRESSION_LENGTH} characters`);
  if (text.trim() === '') throw new CelSyntaxError(formatIssue(text, 0, 'Syntax error: mismatched input \'<EOF>\''));
  const rw = rewriteOptionalSyntax(text);
  let parsed: ReturnType<typeof bufParse>;
  try {
    parsed = bufParse(rw.text);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    const m = /^<input>:(\d+):(\d+): (.*)$/s.exec(msg);
    if (m) {
      const offset = offsetOf(rw.text, Number(m[1]), Number(m[2]));
      throw new CelSyntaxError(formatIssue(text, originalOffset(rw, offset), `Syntax error: ${m[3]}`));
    }
    throw new CelSyntaxError(formatIssue(text, 0, `Syntax error: ${msg}`));
  }
  const positions = (parsed.sourceInfo?.positions ?? {}) as Record<string, number>;
  return convert(parsed.expr as never, { positions, original: (o) => originalOffset(rw, o) });
}

function offsetOf(text: string, line: number, col: number): number {
  let off = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf('\n', off);
    if (nl === -1) break;
    off = nl + 1;
  }
  return off + col - 1;
}

/** One cel-go style issue: `ERROR: <input>:L:C: msg` and the line with a caret under the column. */
export function formatIssue(text: string, offset: number, message: string): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const lineStart = before.lastIndexOf('\n') + 1;
  const col = offset - lineStart + 1;
  const lineText = text.slice(lineStart).split('\n')[0];
  return `ERROR: <input>:${line}:${col}: ${message}\n | ${lineText}\n | ${'.'.repeat(Math.max(0, col - 1))}^`;
}
