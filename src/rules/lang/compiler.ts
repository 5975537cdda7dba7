/**
 * Compiles an AST into one closure per node, once. Semantics follow libsinsp: a value that
 * cannot be extracted makes every comparison false (only `exists` tests presence); list fields
 * allow only exists/in/intersects; literals are read by the field's type at compile time.
 */
import type { BinaryCheckExpr, Expr, Extracted, FieldSource, FieldType, FieldValue, Operand } from '../types.js';
import { dynamicCompare, pathPrefixMatcher, valuePredicate, type ValuePredicate } from './compare.js';
import { ConditionCompileError } from './errors.js';
import { compileOperand as compileOperandNode, type CompiledOperand } from './operands.js';
import { parseOperandPrefix } from './parser.js';
import { asText, internalize, isNumericType, literalKey, valueKey, type Key } from './values.js';

export type Predicate<E> = (event: E) => boolean;

export interface CompileOptions {
  /**
   * Generate one JavaScript function per condition for its and/or/not structure and simple
   * checks (default true); false keeps the plain tree of closures (the reference the
   * generated code is tested against).
   */
  codegen?: boolean;
}

export function compileCondition<E>(expr: Expr, source: FieldSource<E>, opts: CompileOptions = {}): Predicate<E> {
  if (opts.codegen !== false) {
    const generated = generateCondition(expr, source);
    if (generated) return generated;
  }
  return compileNode(expr, source);
}

/** The parts of a check made by onExtracted, for generated code to inline. */
const PARTS = Symbol('extracted check');

interface CheckParts {
  extract: (e: never) => Extracted;
  test: ValuePredicate;
}

/** Conditions generated so far (see generateCondition). */
let generatedCount = 0;

/** Conditions bigger than this stay closures (generated source would only get slower to parse). */
const MAX_GENERATED_NODES = 2000;
const MAX_GENERATED_DEPTH = 100;

/**
 * One function per condition: and/or/not become JavaScript operators and a field check's
 * extraction and test are called from the condition's own code, so every call site sees one
 * target (closures sharing one body make V8's call sites megamorphic). The checks themselves
 * are the same closures compileNode builds; nothing from the rule text enters the source.
 */
function generateCondition<E>(expr: Expr, source: FieldSource<E>): Predicate<E> | undefined {
  const refs: unknown[] = [];
  const ref = (v: unknown): string => {
    refs.push(v);
    return `r${refs.length - 1}`;
  };
  let nodes = 0;
  const gen = (e: Expr, depth: number): string | undefined => {
    if (++nodes > MAX_GENERATED_NODES || depth > MAX_GENERATED_DEPTH) return undefined;
    switch (e.type) {
      case 'and':
      case 'or': {
        const parts: string[] = [];
        for (const c of e.children) {
          const code = gen(c, depth + 1);
          if (code === undefined) return undefined;
          parts.push(code);
        }
        return `(${parts.join(e.type === 'and' ? ' && ' : ' || ')})`;
      }
      case 'not': {
        const code = gen(e.child, depth + 1);
        return code === undefined ? undefined : `!${code}`;
      }
      default: {
        const check = compileNode(e, source);
        const parts = (check as unknown as { [PARTS]?: CheckParts })[PARTS];
        if (!parts) return `${ref(check)}(e)`;
        const x = ref(parts.extract);
        const t = ref(parts.test);
        return `((x = ${x}(e)) !== undefined && (Array.isArray(x) ? anyOf(x, ${t}) : ${t}(x)))`;
      }
    }
  };
  const body = gen(expr, 0);
  if (body === undefined) return undefined;
  const consts = refs.map((_, i) => `const r${i} = refs[${i}];`).join('\n');
  // A serial number makes every source text distinct: V8 caches compiled Function sources,
  // and two rules of the same shape would otherwise share one function and its type
  // feedback, making each call site see every rule's extractors (megamorphic, not inlined).
  const serial = ++generatedCount;
  const factory = new Function('refs', 'anyOf', `"use strict";\n// condition ${serial}\n${consts}\nreturn function condition(e) { let x; return ${body}; };`) as (
    refs: unknown[],
    anyOf: (xs: FieldValue[], test: ValuePredicate) => boolean,
  ) => Predicate<E>;
  return factory(refs, anyOf);
}

function anyOf(xs: FieldValue[], test: ValuePredicate): boolean {
  for (let i = 0; i < xs.length; i++) if (test(xs[i]!)) return true;
  return false;
}

function compileNode<E>(expr: Expr, source: FieldSource<E>): Predicate<E> {
  switch (expr.type) {
    case 'and': {
      const cs = expr.children.map((c) => compileNode(c, source));
      if (cs.length === 2) {
        const [a, b] = cs as [Predicate<E>, Predicate<E>];
        return (e) => a(e) && b(e);
      }
      if (cs.length === 3) {
        const [a, b, c] = cs as [Predicate<E>, Predicate<E>, Predicate<E>];
        return (e) => a(e) && b(e) && c(e);
      }
      return (e) => {
        for (let i = 0; i < cs.length; i++) if (!cs[i]!(e)) return false;
        return true;
      };
    }
    case 'or': {
      const cs = expr.children.map((c) => compileNode(c, source));
      if (cs.length === 2) {
        const [a, b] = cs as [Predicate<E>, Predicate<E>];
        return (e) => a(e) || b(e);
      }
      return (e) => {
        for (let i = 0; i < cs.length; i++) if (cs[i]!(e)) return true;
        return false;
      };
    }
    case 'not': {
      const c = compileNode(expr.child, source);
      return (e) => !c(e);
    }
    case 'identifier':
      throw new ConditionCompileError(`Undefined macro '${expr.name}' used in filter.`, expr.pos);
    case 'unary': {
      const left = compileOperandNode(expr.left, source);
      return (e) => present(left.extract(e));
    }
    case 'binary':
      try {
        return compileBinary(expr, compileOperandNode(expr.left, source), source);
      } catch (e) {
        if (e instanceof ConditionCompileError && e.pos === undefined && expr.pos) throw new ConditionCompileError(e.message, expr.pos);
        throw e;
      }
  }
}

/** Extracted at all (an empty list counts as not extracted, as for plugin fields). */
function present(x: Extracted): boolean {
  return x !== undefined && !(Array.isArray(x) && x.length === 0);
}

/** Lifts a value predicate to an extraction: missing → false; several values (an any-ancestor field) → any. */
function onExtracted<E>(left: CompiledOperand<E>, p: ValuePredicate): Predicate<E> {
  const extract = left.extract;
  const check: Predicate<E> = (e) => {
    const x = extract(e);
    if (x === undefined) return false;
    if (!Array.isArray(x)) return p(x);
    for (let i = 0; i < x.length; i++) if (p(x[i]!)) return true;
    return false;
  };
  const parts: CheckParts = { extract: extract as (e: never) => Extracted, test: p };
  return Object.assign(check, { [PARTS]: parts });
}

const LIST_FIELD_OPS = new Set(['in', 'intersects']);

function compileBinary<E>(expr: BinaryCheckExpr, left: CompiledOperand<E>, source: FieldSource<E>): Predicate<E> {
  const op = expr.op === '==' ? '=' : expr.op;
  if (left.list && (!LIST_FIELD_OPS.has(op) || expr.modifier)) {
    throw new ConditionCompileError(`list filter '${left.text}' only supports operators 'exists', 'in' and 'intersects'`);
  }
  const right = expr.right;

  if (right.type === 'transformer') return compileFieldToField(op, left, compileOperandNode(right, source));

  // Literals as flat strings of their own (see internalize): every check compares with them.
  const items = right.type === 'list' ? right.values.map(internalize) : right.type === 'identifier' ? [internalize(right.name)] : undefined;
  const value = right.type === 'value' ? internalize(right.value) : undefined;

  if (expr.modifier) {
    if (!items) throw new ConditionCompileError(`'${expr.modifier}' needs a list`);
    return compileModifier(expr.modifier, items.map((v) => valuePredicate(op, left.type, v)), left);
  }

  if (op === 'pmatch') {
    const match = pathPrefixMatcher(items ?? [value!]);
    return onExtracted(left, (v) => match(asText(v)));
  }

  if (op === 'in' || op === 'intersects') {
    if (!items) throw new ConditionCompileError(`'${op}' needs a list`);
    const type = left.type;
    let has: (v: FieldValue) => boolean;
    if ((type === 'ipaddr' || type === 'ipnet') && items.some((v) => v.includes('/'))) {
      // Networks in the list (`fd.snet in (rfc_1918_addresses)`): membership is containment.
      const nets = items.map((v) => valuePredicate('=', type, v));
      has = (v) => nets.some((inNet) => inNet(v));
    } else {
      has = membership(items.map((v) => literalKey(v, type)), type);
    }
    if (left.list && op === 'in') {
      // Every extracted value must be in the set (and there must be at least one).
      return (e) => {
        const x = left.extract(e);
        if (x === undefined) return false;
        if (!Array.isArray(x)) return has(x);
        if (x.length === 0) return false;
        for (let i = 0; i < x.length; i++) if (!has(x[i]!)) return false;
        return true;
      };
    }
    return onExtracted(left, has);
  }

  if (right.type !== 'value') throw new ConditionCompileError(`operator '${op}' needs a single value`);
  return onExtracted(left, valuePredicate(op, left.type, value!));
}

/**
 * `value in (literal keys)` for a field type, specialised at compile time: text fields (most
 * of them) skip valueKey's type dispatch, and a list of one or no items needs no Set.
 */
function membership(literals: Key[], type: FieldType): ValuePredicate {
  if (isNumericType(type) || type === 'bool' || type === 'ipaddr' || type === 'ipnet') {
    const keys = new Set<Key>(literals);
    return (v) => {
      const k = valueKey(v, type);
      return k !== undefined && keys.has(k);
    };
  }
  // Text: valueKey is asText, which never fails.
  const texts = [...new Set(literals as string[])];
  if (texts.length === 0) return () => false;
  if (texts.length === 1) {
    const only = texts[0]!;
    return (v) => (typeof v === 'string' ? v : asText(v)) === only;
  }
  // A value of a length no item has is not in the list: most values an event brings are in
  // none, and a Set lookup would hash each (every character, on a string not seen before).
  const keys = new Set<string>(texts);
  const longest = Math.max(...texts.map((t) => t.length));
  const lengths = new Uint8Array(longest + 1);
  for (const t of texts) lengths[t.length] = 1;
  return (v) => {
    const s = typeof v === 'string' ? v : asText(v);
    return s.length <= longest && lengths[s.length] === 1 && keys.has(s);
  };
}

/** `op oneof|anyof|allof (…)`: exactly one / at least one / every item holds; an empty list never matches. */
function compileModifier<E>(modifier: 'oneof' | 'anyof' | 'allof', preds: ValuePredicate[], left: CompiledOperand<E>): Predicate<E> {
  if (preds.length === 0) return () => false;
  const n = preds.length;
  let p: ValuePredicate;
  if (modifier === 'anyof') {
    p = (v) => {
      for (let i = 0; i < n; i++) if (preds[i]!(v)) return true;
      return false;
    };
  } else if (modifier === 'allof') {
    p = (v) => {
      for (let i = 0; i < n; i++) if (!preds[i]!(v)) return false;
      return true;
    };
  } else {
    p = (v) => {
      let hits = 0;
      for (let i = 0; i < n; i++) if (preds[i]!(v) && ++hits > 1) return false;
      return hits === 1;
    };
  }
  return onExtracted(left, p);
}

/** `left op val(other)` / `left op transformer(...)`: both sides extracted per event. */
function compileFieldToField<E>(op: string, left: CompiledOperand<E>, right: CompiledOperand<E>): Predicate<E> {
  const type = left.type;
  if (op === 'in' || op === 'intersects' || op === 'pmatch') {
    return (e) => {
      const l = left.extract(e);
      const r = right.extract(e);
      if (!present(l) || !present(r)) return false;
      const rs = Array.isArray(r) ? r : [r!];
      if (op === 'pmatch') {
        const match = pathPrefixMatcher(rs.map(asText));
        return (Array.isArray(l) ? l : [l!]).some((v) => match(asText(v)));
      }
      const keys = new Set(rs.map((v) => valueKey(v, type)));
      const ls = Array.isArray(l) ? l : [l!];
      const has = (v: FieldValue) => keys.has(valueKey(v, type));
      return op === 'in' && left.list ? ls.every(has) : ls.some(has);
    };
  }
  return (e) => {
    const l = left.extract(e);
    const r = right.extract(e);
    if (l === undefined || r === undefined) return false;
    const rv = Array.isArray(r) ? r[0] : r;
    if (rv === undefined) return false;
    if (!Array.isArray(l)) return dynamicCompare(op, type, l, rv);
    return l.some((v) => dynamicCompare(op, type, v, rv));
  };
}

// ---------------------------------------------------------------------------------------------
// Single operands, for output formatting

export interface CompiledOutputOperand<E> {
  /** The token as Falco prints it (`proc.aname[2]`, `tolower(proc.name)`). */
  text: string;
  extract(event: E): Extracted;
  isTransformer: boolean;
}

/** Compiles a whole field or transformer expression (`proc.aname[2]`, `toupper(proc.name)`). */
export function compileOperand<E>(text: string, source: FieldSource<E>): CompiledOutputOperand<E> {
  const parsed = parseOperandPrefix(text, 0);
  if (!parsed || parsed.end !== text.length) throw new ConditionCompileError(`'${text}' is not a field or a transformer expression`);
  return compileParsedOperand(parsed.expr, source);
}

export function compileParsedOperand<E>(expr: Operand, source: FieldSource<E>): CompiledOutputOperand<E> {
  const c = compileOperandNode(expr, source);
  return { text: c.text, extract: c.extract, isTransformer: c.isTransformer };
}
