/**
 * Macro substitution on ASTs, with Falco's visibility (a macro sees macros defined before its
 * latest definition; rules see all) and guards against recursion and explosive expansion.
 */
import type { Expr } from '../types.js';

export const MAX_EXPANDED_NODES = 2_000_000;
export const MAX_EXPANDED_DEPTH = 1000;

export interface Expanded {
  expr: Expr;
  /** Nodes after expansion (counted, not built twice: substituted macros are shared). */
  size: number;
  depth: number;
}

export class MacroError extends Error {
  constructor(
    message: string,
    /** The identifier node that caused it (for positions). */
    readonly at?: Expr,
  ) {
    super(message);
  }
}

/**
 * Replaces identifiers by the expansion `lookup` returns. Throws MacroError for the first
 * unknown name or when the result would be too large or too deep.
 */
export function expandMacros(expr: Expr, lookup: (name: string, at: Expr) => Expanded | undefined): Expanded {
  const walk = (node: Expr): Expanded => {
    switch (node.type) {
      case 'identifier': {
        const found = lookup(node.name, node);
        if (!found) throw new MacroError(`Undefined macro '${node.name}' used in filter.`, node);
        return found;
      }
      case 'and':
      case 'or': {
        let size = 1;
        let depth = 0;
        let changed = false;
        const children = node.children.map((c) => {
          const r = walk(c);
          size += r.size;
          depth = Math.max(depth, r.depth);
          if (r.expr !== c) changed = true;
          return r.expr;
        });
        return finish(changed ? { ...node, children } : node, size, depth + 1);
      }
      case 'not': {
        const r = walk(node.child);
        return finish(r.expr === node.child ? node : { ...node, child: r.expr }, r.size + 1, r.depth + 1);
      }
      default:
        return { expr: node, size: 1, depth: 1 };
    }
  };
  return walk(expr);
}

function finish(expr: Expr, size: number, depth: number): Expanded {
  if (size > MAX_EXPANDED_NODES) throw new MacroError(`Condition has more than ${MAX_EXPANDED_NODES} nodes after macro expansion`);
  if (depth > MAX_EXPANDED_DEPTH) throw new MacroError(`exceeded max depth limit of ${MAX_EXPANDED_DEPTH} after macro expansion`);
  return { expr, size, depth };
}
