/** Small read-only walks over condition ASTs used for load-time checks. */
import type { BinaryCheckExpr, Expr, FieldExpr, Operand, TransformerExpr, UnaryCheckExpr } from '../types.js';

export type Check = BinaryCheckExpr | UnaryCheckExpr;

/** Calls `fn` for every field/value check, left to right. */
export function forEachCheck(expr: Expr, fn: (check: Check) => void): void {
  switch (expr.type) {
    case 'and':
    case 'or':
      for (const child of expr.children) forEachCheck(child, fn);
      return;
    case 'not':
      forEachCheck(expr.child, fn);
      return;
    case 'unary':
    case 'binary':
      fn(expr);
      return;
    default:
      return;
  }
}

/** Every field reference inside an operand (transformer arguments included). */
export function operandFields(op: Operand | TransformerExpr, out: FieldExpr[] = []): FieldExpr[] {
  if (op.type === 'field') {
    out.push(op);
    return out;
  }
  for (const arg of op.args) {
    if (arg.type === 'field' || arg.type === 'transformer') operandFields(arg, out);
  }
  return out;
}

/** Every field of a condition, on either side of its checks. */
export function conditionFields(expr: Expr): FieldExpr[] {
  const out: FieldExpr[] = [];
  forEachCheck(expr, (check) => {
    operandFields(check.left, out);
    if (check.type === 'binary' && check.right.type === 'transformer') operandFields(check.right, out);
  });
  return out;
}

/** Whether a condition can never match: `evt.num = 0` (event numbers start at 1) under and/or. */
export function neverTrue(expr: Expr): boolean {
  switch (expr.type) {
    case 'and':
      return expr.children.some(neverTrue);
    case 'or':
      return expr.children.every(neverTrue);
    case 'binary':
      return (
        expr.left.type === 'field' && expr.left.field === 'evt.num' && (expr.op === '=' || expr.op === '==') &&
        expr.right.type === 'value' && expr.right.value === '0'
      );
    default:
      return false;
  }
}
