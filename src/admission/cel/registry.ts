/**
 * Function overloads: one table serves the checker (signatures) and the interpreter
 * (implementations), so a function cannot be declared one way and behave another.
 * Libraries add overloads with `fn` (global: `quantity(s)`) and `method` (receiver:
 * `q.isInteger()`); the first overload whose parameters fit the runtime arguments runs.
 */
import type { CelT } from './types.js';
import { CelEvalError, Opaque, TypeValue, isList, isMap, typeNameOf, type Value } from './values.js';

export interface Overload {
  readonly name: string;
  readonly member: boolean;
  /** Parameter types; for a method the receiver is the first. */
  readonly params: readonly CelT[];
  readonly result: CelT;
  readonly impl: (args: Value[]) => Value;
}

export class Registry {
  private readonly byName = new Map<string, Overload[]>();

  add(o: Overload): void {
    const list = this.byName.get(o.name);
    if (list) list.push(o);
    else this.byName.set(o.name, [o]);
  }

  fn(name: string, params: CelT[], result: CelT, impl: (...args: never[]) => Value): void {
    this.add({ name, member: false, params, result, impl: (args) => (impl as (...a: Value[]) => Value)(...args) });
  }

  method(name: string, receiver: CelT, params: CelT[], result: CelT, impl: (...args: never[]) => Value): void {
    this.add({ name, member: true, params: [receiver, ...params], result, impl: (args) => (impl as (...a: Value[]) => Value)(...args) });
  }

  get(name: string): readonly Overload[] | undefined {
    return this.byName.get(name);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  names(): IterableIterator<string> {
    return this.byName.keys();
  }
}

/** Whether a runtime value fits a parameter type (type parameters and dyn fit anything). */
export function fits(t: CelT, v: Value): boolean {
  switch (t.k) {
    case 'dyn':
    case 'param':
      return true;
    case 'prim':
      return typeNameOf(v) === t.name;
    case 'list':
      return isList(v);
    case 'map':
    case 'struct':
      return isMap(v);
    case 'opaque':
      return v instanceof Opaque && v.typeName === t.name;
    case 'type':
      return v instanceof TypeValue;
  }
}

/** The overloads of `name` callable with this arity in this style, in declaration order. */
export function candidates(reg: Registry, name: string, member: boolean, arity: number): Overload[] {
  return (reg.get(name) ?? []).filter((o) => o.member === member && o.params.length === arity);
}

/**
 * Runs the first overload that fits. Library code signals errors by throwing CelEvalError or
 * plain Errors (from parsers); both become error values here.
 */
export function dispatch(overloads: readonly Overload[], name: string, args: Value[]): Value {
  outer: for (const o of overloads) {
    for (let i = 0; i < args.length; i++) if (!fits(o.params[i], args[i])) continue outer;
    try {
      return o.impl(args);
    } catch (err) {
      return toEvalError(err);
    }
  }
  return noSuchOverload(name, args);
}

export function toEvalError(err: unknown): CelEvalError {
  if (err instanceof CelEvalError) return err;
  if (err instanceof Error) return new CelEvalError(err.message);
  return new CelEvalError(String(err));
}

export function noSuchOverload(name: string, args: Value[]): CelEvalError {
  return new CelEvalError(`no such overload: ${name}(${args.map(typeNameOf).join(', ')})`);
}
