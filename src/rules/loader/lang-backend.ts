/**
 * The condition language as the loader uses it. Parsing and printing come from ../lang; the
 * compiler and event-type analysis are picked up when ../lang exports them (they are written
 * in parallel), so the loader works, with less checking, before they land.
 */
import * as lang from '../lang/index.js';
import type { Expr, FieldSource, Operand } from '../types.js';

type Optional = {
  compileCondition?: (expr: Expr, source: FieldSource) => (event: unknown) => boolean;
  eventTypes?: (expr: Expr) => ReadonlySet<string> | undefined;
};
const optional = lang as unknown as Optional;

export const parseCondition = (text: string, maxDepth: number): Expr => lang.parseCondition(text, { maxDepth });
export const asString = (expr: Expr): string => lang.asString(expr);
export const compileCondition = optional.compileCondition;
export const eventTypes = optional.eventTypes;

/** Parses a field or transformer at `start` of `text` (used for output tokens and exception fields). */
export function parseOperand(text: string, start: number): { expr: Operand; end: number } | undefined {
  return lang.parseOperandPrefix(text, start);
}
