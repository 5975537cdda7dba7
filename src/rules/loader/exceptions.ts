/**
 * Rule exceptions: validation of fields/comps/values and their compilation into condition text,
 * byte-for-byte as Falco builds it (`and not (...)` per exception that has values).
 */
import type { Entry, ExceptionInfo } from './infos.js';
import { LoadError, type Context } from './messages.js';
import { parenItem, quoteItem } from './text-items.js';

/** libsinsp's parser::supported_operators(). */
export const SUPPORTED_OPERATORS = [
  'exists', '<=', '<', '>=', '>', '==', '=', '!=', 'glob', 'iglob', 'contains', 'icontains', 'bcontains',
  'startswith', 'bstartswith', 'endswith', 'regex', 'intersects', 'in', 'pmatch',
] as const;
const LIST_OPERATORS = new Set(['in', 'intersects', 'pmatch']);
/** Operators that accept a oneof/anyof/allof modifier before a list. */
const MODIFIABLE_OPERATORS = new Set([
  '=', '==', '!=', 'contains', 'icontains', 'bcontains', 'startswith', 'bstartswith', 'endswith', 'glob', 'iglob', 'regex',
]);
const MODIFIERS = new Set(['oneof', 'anyof', 'allof']);

function fail(message: string, ctx: Context): never {
  throw new LoadError('LOAD_ERR_VALIDATE', message, ctx);
}

/** `"  startswith   oneof "` → `"startswith oneof"`. */
export function normalizeComp(comp: string): string {
  return comp.trim().split(/\s+/).join(' ');
}

function isModifiedOperator(comp: string): boolean {
  const parts = comp.split(' ');
  return parts.length === 2 && MODIFIABLE_OPERATORS.has(parts[0]!) && MODIFIERS.has(parts[1]!);
}

export function isSupportedComp(comp: string): boolean {
  return (SUPPORTED_OPERATORS as readonly string[]).includes(comp) || isModifiedOperator(comp);
}

/** Whether the right-hand side of `comp` is a list: `in`, `intersects`, `pmatch`, or an operator with a modifier. */
export function isListComp(comp: string): boolean {
  return LIST_OPERATORS.has(comp) || isModifiedOperator(comp);
}

function scalar(item: string): Entry {
  return { isList: false, item, items: [] };
}

/**
 * Fills default comps and checks the shape (Falco's validate_exception_info). `isField`
 * validates field names when the rule's source is known.
 */
export function validateException(ex: ExceptionInfo, isField: ((field: string) => boolean) | undefined): void {
  const fields = ex.fields;
  if (!fields) return;
  if (fields.isList) {
    if (!ex.comps) ex.comps = { isList: true, item: '', items: fields.items.map(() => scalar('=')) };
    if (!ex.comps.isList || fields.items.length !== ex.comps.items.length) {
      fail('Fields and comps lists must have equal length', ex.ctx);
    }
    for (const c of ex.comps.items) {
      c.item = normalizeComp(c.item);
      if (!isSupportedComp(c.item)) fail(`'${c.item}' is not a supported comparison operator`, ex.ctx);
    }
    if (isField) {
      for (const f of fields.items) {
        if (f.isList || !isField(f.item)) fail(`'${f.item}' is not a supported filter field`, ex.ctx);
      }
    }
  } else {
    if (!ex.comps) ex.comps = scalar('in');
    if (ex.comps.isList) fail('Fields and comps must both be strings', ex.ctx);
    ex.comps.item = normalizeComp(ex.comps.item);
    if (!isListComp(ex.comps.item)) {
      fail(
        "When fields is a single value, comps must be one of (in, pmatch, intersects) or a string operator with a modifier (e.g. 'startswith anyof')",
        ex.ctx,
      );
    }
    if (isField && !isField(fields.item)) fail(`'${fields.item}' is not a supported filter field`, ex.ctx);
  }
}

/** The text of one exception: `(f comp (v1, v2))` or `(( f1 c1 v1 and f2 c2 v2) or (...))`; "" without values. */
export function exceptionConditionText(ex: ExceptionInfo): string {
  const fields = ex.fields!;
  const comps = ex.comps!;
  if (!fields.isList) {
    if (ex.values.length === 0) return '';
    const items = ex.values.map((v) => {
      if (v.isList) fail('Expected values array to contain a list of strings', ex.ctx);
      return quoteItem(v.item);
    });
    return `(${fields.item} ${comps.item} (${items.join(', ')}))`;
  }
  const tuples: string[] = [];
  for (const tuple of ex.values) {
    if (!tuple.isList || tuple.items.length !== fields.items.length) {
      fail('Fields and values lists must have equal length', ex.ctx);
    }
    const checks = fields.items.map((field, k) => {
      const value = tuple.items[k]!;
      const comp = comps.items[k]!.item;
      let rhs: string;
      if (value.isList) rhs = `(${value.items.map((v) => quoteItem(v.item)).join(', ')})`;
      else rhs = isListComp(comp) ? parenItem(value.item) : quoteItem(value.item);
      return ` ${field.item} ${comp} ${rhs}`;
    });
    tuples.push(`(${checks.join(' and ')})`);
  }
  return tuples.length === 0 ? '' : `(${tuples.join(' or ')})`;
}

/** The rule's condition with its exceptions: `(C) and not <ex1> and not <ex2>…`; C itself when none has values. */
export function conditionWithExceptions(condition: string, exceptions: readonly ExceptionInfo[]): string {
  const parts = exceptions.map(exceptionConditionText).filter((t) => t !== '');
  if (parts.length === 0) return condition;
  return `(${condition})` + parts.map((p) => ' and not ' + p).join('');
}

/** Every field named by the rule's exceptions (Falco's exception_fields). */
export function exceptionFields(exceptions: readonly ExceptionInfo[]): string[] {
  const out = new Set<string>();
  for (const ex of exceptions) {
    if (!ex.fields) continue;
    if (ex.fields.isList) for (const f of ex.fields.items) out.add(f.item);
    else out.add(ex.fields.item);
  }
  return [...out].sort();
}
