/**
 * Field-table lookup shared by the sources: longest-prefix resolution of dotted arguments
 * (`evt.arg.flags` → `evt.arg` + `flags`) and libsinsp's argument checks, with its wording.
 */
import { FieldError, type FieldDef } from '../types.js';

export interface ResolvedField {
  def: FieldDef;
  /** The argument after resolution (bracket or dotted); undefined when none was given. */
  arg?: string;
  /** The field as written: `proc.aname[2]`, `evt.arg.flags`. */
  text: string;
}

export function fieldText(field: string, arg?: string): string {
  return arg === undefined ? field : `${field}[${arg}]`;
}

export function nonexistentField(name: string): FieldError {
  return new FieldError(`filter_check called with nonexistent field ${name}`);
}

/** An index table over FieldDefs, built once per source. */
export class FieldTable {
  private readonly byName = new Map<string, FieldDef>();

  constructor(readonly fields: readonly FieldDef[]) {
    for (const def of fields) this.byName.set(def.name, def);
  }

  get(name: string): FieldDef | undefined {
    return this.byName.get(name);
  }

  /**
   * Finds the definition for a token. An exact name wins; otherwise the longest dotted prefix
   * whose field takes a dotted argument (`evt.arg.flags`). Returns undefined when nothing fits.
   */
  resolve(field: string, arg?: string): ResolvedField | undefined {
    const exact = this.byName.get(field);
    if (exact) return { def: exact, arg, text: fieldText(field, arg) };
    for (let cut = field.lastIndexOf('.'); cut > 0; cut = field.lastIndexOf('.', cut - 1)) {
      const def = this.byName.get(field.slice(0, cut));
      if (def?.dottedArg) {
        // `evt.arg.flags[0]` is not a thing: a dotted argument excludes a bracket one.
        if (arg !== undefined) return undefined;
        return { def, arg: field.slice(cut + 1), text: field };
      }
    }
    return undefined;
  }
}

/** libsinsp's checks of a bracket argument against the field's declaration. */
export function checkArgument(def: FieldDef, text: string, arg: string | undefined): void {
  const kind = def.arg ?? 'none';
  if (arg !== undefined && kind === 'none') {
    throw new FieldError(`filter '${text}': ${def.name} does not allow nor require an argument but one is provided: ${arg}`);
  }
  if (arg === undefined && kind === 'required') {
    throw new FieldError(`filter '${text}': ${def.name} requires an argument but none provided`);
  }
}

/** Parses an index argument the way plugin_filtercheck does (digits only, no leading zero). */
export function parseIndexArgument(def: FieldDef, text: string, arg: string): number {
  let problem: string | undefined;
  if (arg.length === 0 || (arg.length > 1 && arg[0] === '0')) problem = 'has an invalid index argument starting with 0: ';
  if (!/^[0-9]*$/.test(arg)) problem = 'has an invalid index argument not composed only by digits: ';
  if (problem === undefined) {
    const n = Number(arg);
    if (Number.isSafeInteger(n)) return n;
    problem = 'has an invalid index argument not representable on 64 bit: ';
  }
  throw new FieldError(`filter ${text} ${def.name} ${problem}${arg}`);
}
