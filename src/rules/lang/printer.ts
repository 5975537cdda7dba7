/**
 * Prints an AST the way libs' `ast::as_string` does; Falco shows this as `condition_compiled`
 * and the loader's expected strings depend on it character for character.
 */
import type { Expr, FieldExpr, ListExpr, OperandListExpr, TransformerExpr, ValueExpr } from '../types.js';
import { escapeValue } from './escaping.js';

type Node = Expr | FieldExpr | TransformerExpr | ValueExpr | ListExpr | OperandListExpr;

export function asString(expr: Expr): string {
  return printNode(expr);
}

/** Prints a field or transformer operand alone (also used for output tokens). */
export function operandAsString(node: Node): string {
  return printNode(node);
}

function printNode(node: Node): string {
  switch (node.type) {
    case 'and':
    case 'or':
      return `(${node.children.map(printNode).join(` ${node.type} `)})`;
    case 'not':
      return `not ${printNode(node.child)}`;
    case 'identifier':
      return node.name;
    case 'value':
      return escapeValue(node.value);
    case 'list':
      return `(${node.values.map(escapeValue).join(', ')})`;
    case 'operands':
      // Inside transformer arguments libs prints no blanks.
      return `(${node.items.map(printNode).join(',')})`;
    case 'unary':
      return `${printNode(node.left)} ${node.op}`;
    case 'binary': {
      const modifier = node.modifier ? `${node.modifier} ` : '';
      return `${printNode(node.left)} ${node.op} ${modifier}${printNode(node.right)}`;
    }
    case 'field':
      return node.arg !== undefined && node.arg !== '' ? `${node.field}[${escapeValue(node.arg)}]` : node.field;
    case 'transformer': {
      const args = node.args.map((a) => (a.type === 'value' ? a.value : printNode(a))).join(',');
      const arg = node.arg !== undefined && node.arg !== '' ? `[${escapeValue(node.arg)}]` : '';
      return `${node.name}(${args})${arg}`;
    }
  }
}
