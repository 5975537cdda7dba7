/** Static questions about a condition: which fields it reads, which event types it can match. */
import type { Expr, FieldExpr, TransformerExpr } from '../types.js';

/** Every field reference, in order of appearance, both sides and inside transformers. */
export function collectFields(expr: Expr): FieldExpr[] {
  const out: FieldExpr[] = [];
  const visitArg = (a: TransformerExpr['args'][number]): void => {
    if (a.type === 'field') out.push(a);
    else if (a.type === 'transformer') a.args.forEach(visitArg);
    else if (a.type === 'operands') a.items.forEach(visitArg);
  };
  const visit = (e: Expr): void => {
    switch (e.type) {
      case 'and':
      case 'or':
        e.children.forEach(visit);
        break;
      case 'not':
        visit(e.child);
        break;
      case 'unary':
        visitArg(e.left);
        break;
      case 'binary':
        visitArg(e.left);
        if (e.right.type === 'transformer') visitArg(e.right);
        break;
      case 'identifier':
        break;
    }
  };
  visit(expr);
  return out;
}

/**
 * A set of event types or its complement. `exclude` with no names is "every type"; `include`
 * with no names is "none".
 */
export interface EventTypeSet {
  kind: 'include' | 'exclude';
  names: ReadonlySet<string>;
}

const ALL: EventTypeSet = { kind: 'exclude', names: new Set() };

function complement(s: EventTypeSet): EventTypeSet {
  return { kind: s.kind === 'include' ? 'exclude' : 'include', names: s.names };
}

function intersect(a: EventTypeSet, b: EventTypeSet): EventTypeSet {
  if (a.kind === 'include' && b.kind === 'include') return { kind: 'include', names: new Set([...a.names].filter((n) => b.names.has(n))) };
  if (a.kind === 'exclude' && b.kind === 'exclude') return { kind: 'exclude', names: new Set([...a.names, ...b.names]) };
  const [inc, exc] = a.kind === 'include' ? [a, b] : [b, a];
  return { kind: 'include', names: new Set([...inc.names].filter((n) => !exc.names.has(n))) };
}

function union(a: EventTypeSet, b: EventTypeSet): EventTypeSet {
  return complement(intersect(complement(a), complement(b)));
}

/** The set an `evt.type` leaf names, or undefined when the leaf says nothing about types. */
function leafSet(e: Expr): EventTypeSet | undefined {
  if (e.type !== 'binary' || e.left.type !== 'field' || e.left.field !== 'evt.type' || e.left.arg !== undefined || e.modifier) return undefined;
  const r = e.right;
  switch (e.op) {
    case '=':
    case '==':
      return r.type === 'value' ? { kind: 'include', names: new Set([r.value]) } : undefined;
    case '!=':
      return r.type === 'value' ? { kind: 'exclude', names: new Set([r.value]) } : undefined;
    case 'in':
      if (r.type === 'list') return { kind: 'include', names: new Set(r.values) };
      if (r.type === 'identifier') return { kind: 'include', names: new Set([r.name]) };
      return undefined;
  }
  return undefined;
}

/**
 * The values of a scalar field that a check can hold for. Only `=`/`==`/`in` say something:
 * `!=` is false on a missing value while its negation is true, so it is left neutral (the
 * result may be larger than needed, never smaller).
 */
function fieldLeafSet(e: Expr, field: string): EventTypeSet | undefined {
  if (e.type !== 'binary' || e.left.type !== 'field' || e.left.field !== field || e.left.arg !== undefined || e.modifier) return undefined;
  const r = e.right;
  if ((e.op === '=' || e.op === '==') && r.type === 'value') return { kind: 'include', names: new Set([r.value]) };
  if (e.op === 'in') {
    if (r.type === 'list') return { kind: 'include', names: new Set(r.values) };
    if (r.type === 'identifier') return { kind: 'include', names: new Set([r.name]) };
  }
  return undefined;
}

function setAlgebra(expr: Expr, leaf: (e: Expr) => EventTypeSet | undefined, negated: boolean): EventTypeSet {
  switch (expr.type) {
    case 'and':
    case 'or': {
      // De Morgan: under a negation, and behaves as or and vice versa.
      const asAnd = (expr.type === 'and') !== negated;
      return expr.children.map((c) => setAlgebra(c, leaf, negated)).reduce((acc, s) => (asAnd ? intersect(acc, s) : union(acc, s)));
    }
    case 'not':
      return setAlgebra(expr.child, leaf, !negated);
    default: {
      const s = leaf(expr);
      if (!s) return ALL;
      return negated ? complement(s) : s;
    }
  }
}

/**
 * Falco's event-type algebra (ppm_event_codes): and = intersection, or = union, `evt.type`
 * checks give their set, other leaves give every type, `not` is pushed to the leaves (a
 * negated neutral leaf stays neutral).
 */
export function eventTypeSet(expr: Expr, negated = false): EventTypeSet {
  return setAlgebra(expr, leafSet, negated);
}

/** The event types a condition can match: a finite set, or undefined for "any type". */
export function eventTypes(expr: Expr): ReadonlySet<string> | undefined {
  const s = eventTypeSet(expr);
  return s.kind === 'include' ? s.names : undefined;
}

/**
 * The values of a scalar field (written without argument, e.g. `ka.verb`) for which the
 * condition can hold, by the same algebra; `exclude` sets also admit a missing value. Used
 * to index rules of sources without event types (k8s_audit by verb and resource).
 */
export function fieldValueSet(expr: Expr, field: string): EventTypeSet {
  return setAlgebra(expr, (e) => fieldLeafSet(e, field), false);
}
