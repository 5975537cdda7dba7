/** A small FieldSource over plain objects, for this folder's tests. */
import { FieldError, type BoundField, type Extracted, type FieldDef, type FieldSource, type FieldType } from '../types.js';

export interface TestEvent {
  values: Record<string, Extracted>;
  args?: Record<string, string>;
  ts?: bigint;
}

const def = (name: string, type: FieldType, extra: Partial<FieldDef> = {}): FieldDef => ({ name, type, desc: name, ...extra });

const FIELDS: FieldDef[] = [
  def('proc.name', 'string'),
  def('proc.pname', 'string'),
  def('proc.cmdline', 'string'),
  def('proc.pid', 'int64'),
  def('proc.aname', 'string', { arg: 'optional' }),
  def('fd.name', 'string'),
  def('evt.arg', 'string', { arg: 'required', dottedArg: true }),
  def('evt.rawtime', 'abstime'),
  def('evt.cpu', 'double'),
  def('ka.req.pod.containers.image', 'string', { list: true, arg: 'optional' }),
  def('ka.req.container.privileged', 'bool'),
  def('jevt.value', 'string', { arg: 'required' }),
];

const BY_NAME = new Map(FIELDS.map((f) => [f.name, f]));

function bindDef(d: FieldDef, text: string, arg: string | undefined): BoundField<TestEvent> {
  if (d.name === 'evt.arg') {
    return { def: d, text, type: d.type, list: false, extract: (e) => e.args?.[arg as string] };
  }
  if (d.list && arg !== undefined) {
    const i = Number(arg);
    return { def: d, text, type: d.type, list: false, extract: (e) => (e.values[d.name] as string[] | undefined)?.[i] };
  }
  if (arg !== undefined) {
    return { def: d, text, type: d.type, list: false, extract: (e) => e.values[text] };
  }
  return { def: d, text, type: d.type, list: d.list === true, extract: (e) => e.values[d.name] };
}

export const testSource: FieldSource<TestEvent> = {
  name: 'test',
  fields: FIELDS,
  bind(field, arg) {
    const exact = BY_NAME.get(field);
    if (exact) {
      if (exact.arg === 'required' && arg === undefined) throw new FieldError(`filter_check called with nonexistent field ${field}`);
      if ((exact.arg ?? 'none') === 'none' && arg !== undefined) throw new FieldError(`field ${field} does not take an argument`);
      return bindDef(exact, arg === undefined ? field : `${field}[${arg}]`, arg);
    }
    for (const d of FIELDS) {
      if (d.dottedArg && field.startsWith(`${d.name}.`) && arg === undefined) return bindDef(d, field, field.slice(d.name.length + 1));
    }
    throw new FieldError(`filter_check called with nonexistent field ${field}`);
  },
  timeNs: (e) => e.ts,
  eventType: () => undefined,
};
