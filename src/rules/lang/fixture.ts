/**
 * A tiny FieldSource over plain objects for this folder's tests: `{ 'proc.name': 'bash' }`.
 * Types and list-ness come from a table; `name[arg]` reads key `name[arg]`, or indexes a list.
 */
import { FieldError, type BoundField, type FieldDef, type FieldSource, type FieldType, type FieldValue } from '../types.js';

export type PlainEvent = Record<string, FieldValue | FieldValue[] | undefined>;

export function plainSource(table: Record<string, { type: FieldType; list?: boolean }>): FieldSource<PlainEvent> {
  const fields: FieldDef[] = Object.entries(table).map(([name, t]) => ({ name, type: t.type, list: t.list, arg: 'optional', desc: name }));
  return {
    name: 'test',
    fields,
    bind(field: string, arg?: string): BoundField<PlainEvent> {
      const def = fields.find((f) => f.name === field);
      if (!def) throw new FieldError(`filter_check called with nonexistent field ${field}`);
      const text = arg === undefined ? field : `${field}[${arg}]`;
      if (arg !== undefined && def.list && /^[0-9]+$/.test(arg)) {
        const i = Number(arg);
        return { def, text, type: def.type, list: false, extract: (e) => (e[field] as FieldValue[] | undefined)?.[i] };
      }
      return { def, text, type: def.type, list: !!def.list, extract: (e) => e[text] };
    },
    timeNs: () => undefined,
    eventType: (e) => e['evt.type'] as string | undefined,
  };
}
