/**
 * The `syscall` source over pre-decoded events.
 *
 * Event schema. A syscall event is one flat JSON object whose keys are Falco field names as
 * written in conditions and outputs, and whose values are the extracted values — exactly what
 * `sysdig -j -p "*%evt.type %proc.name %fd.name …"` prints, one object per line:
 *
 *   {"evt.type":"openat","evt.rawtime":"1648035384123456789","proc.name":"cat",
 *    "proc.aname[1]":"bash","proc.aname[2]":"sshd","fd.name":"/etc/shadow",
 *    "evt.arg.flags":"O_RDONLY","evt.is_open_read":true,"container.id":"host", …}
 *
 * - A field is looked up under its text as written: `proc.aname[2]`, `evt.arg.flags`,
 *   `evt.arg[0]`, `container.mount.dest[/var/run/docker.sock]`, `proc.env[HOME]`.
 *   A missing key or `null` means "not extracted" (every comparison false, `exists` false).
 * - Values are converted by the field's libsinsp type: numeric fields accept numbers or decimal
 *   strings (beyond 2^53 they become bigint — write ns timestamps as strings to keep them
 *   exact); bool fields accept true/false, "true"/"false" or 0/1; address and network fields are
 *   text; `evt.buffer` text is taken as UTF-8 bytes; anything else is text.
 * - Ancestors: `proc.aname[N]` (also `proc.apid`, `proc.aexe`, `proc.aexepath`, `proc.acmdline`)
 *   read key `proc.aname[N]`, or element N-1 of an array under `proc.aname`; `[0]` is the process
 *   itself (`proc.name`…). Without an index the field means "any ancestor": the values of
 *   `proc.aname[1]`, `proc.aname[2]`, … up to the first missing one, or the `proc.aname` array
 *   (a string there is split on blanks).
 * - Time (alerts): `evt.rawtime` (ns, number or decimal string), else `evt.outputtime`, else
 *   `evt.time.iso8601` / `evt.datetime` (RFC 3339 or `YYYY-MM-DD hh:mm:ss.nnnnnnnnn`, UTC when
 *   no zone is given). Event type (rule indexing): `evt.type`.
 * - Strict mode (default) rejects fields outside the libsinsp table with Falco's message;
 *   `createSyscallSource({ strict: false })` binds any other dotted name as a string field.
 */
import { FieldError, type BoundField, type Extracted, type FieldDef, type FieldType, type FieldValue, type FieldSource } from '../types.js';
import { FieldTable, checkArgument, fieldText, nonexistentField, parseIndexArgument } from './bind.js';
import { internalize } from '../intern.js';
import { SYSCALL_FIELDS, type SyscallFieldDef } from './syscall-fields.js';
import { parseNanos, parseRfc3339Nanos } from './time.js';

export type SyscallEvent = Record<string, unknown>;

export interface SyscallSourceOptions {
  /** Reject fields not in the table (default true). */
  strict?: boolean;
}

type Convert = (raw: unknown) => FieldValue | undefined;

const DECIMAL = /^\s*[-+]?\d+\s*$/;
const FLOAT = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;

function toText(raw: unknown): string | undefined {
  switch (typeof raw) {
    case 'string':
      return raw;
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(raw);
    case 'object':
      return raw === null ? undefined : JSON.stringify(raw);
    default:
      return undefined;
  }
}

function toInteger(raw: unknown): number | bigint | undefined {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : undefined;
  if (typeof raw === 'bigint') return raw;
  if (typeof raw === 'string' && DECIMAL.test(raw)) {
    const n = Number(raw);
    return Number.isSafeInteger(n) ? n : BigInt(raw.trim());
  }
  return undefined;
}

function toDouble(raw: unknown): number | undefined {
  if (typeof raw === 'number') return raw;
  if (typeof raw === 'string' && FLOAT.test(raw)) return Number(raw);
  return undefined;
}

function toBool(raw: unknown): boolean | undefined {
  if (typeof raw === 'boolean') return raw;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (typeof raw === 'number') return raw !== 0;
  return undefined;
}

const UTF8 = new TextEncoder();

function toBytes(raw: unknown): Uint8Array | undefined {
  if (raw instanceof Uint8Array) return raw;
  if (typeof raw === 'string') return UTF8.encode(raw);
  return undefined;
}

function toAddress(raw: unknown): string | undefined {
  return typeof raw === 'string' ? raw : undefined;
}

const CONVERTERS: Record<FieldType, Convert> = {
  string: toText,
  flags: toText,
  int64: toInteger,
  uint64: toInteger,
  port: toInteger,
  reltime: toInteger,
  abstime: toInteger,
  double: toDouble,
  bool: toBool,
  ipaddr: toAddress,
  ipnet: toAddress,
  bytebuf: toBytes,
};

/** What `proc.aname[0]` and friends mean: the process itself. */
const SELF_FIELD: Record<string, string> = {
  'proc.aname': 'proc.name',
  'proc.apid': 'proc.pid',
  'proc.aexe': 'proc.exe',
  'proc.aexepath': 'proc.exepath',
  'proc.acmdline': 'proc.cmdline',
};

/** Fields whose optional argument is a number (the others take a key). */
const INDEX_ARG = new Set([...Object.keys(SELF_FIELD), 'fd.types']);

/** Enough ancestor keys for any real process tree; the walk stops at the first gap. */
const MAX_ANCESTORS = 64;

type Reader = (ev: SyscallEvent) => Extracted;

const TEXT_READER = `return (ev) => { const v = ev[key]; return typeof v === 'string' ? v : v == null ? undefined : convert(v); };`;
const VALUE_READER = `return (ev) => { const v = ev[key]; return v == null ? undefined : convert(v); };`;
let readers = 0;

/**
 * A reader of one event key, compiled on its own. In one function body shared by every field,
 * `ev[key]` sees every key and every event shape and its property load goes megamorphic (a
 * stub-cache lookup per call); a body per field keeps the load's feedback to its own key and
 * the few shapes that carry it. The key and converter are arguments, never part of the
 * source; a serial number keeps the sources distinct (V8 shares one compiled function, and
 * its feedback, between Function sources of the same text).
 */
function compiledReader(body: string, key: string, convert: Convert): Reader {
  const make = new Function('key', 'convert', `"use strict";\n// reader ${++readers}\n${body}`) as (key: string, convert: Convert) => Reader;
  return make(internalize(key), convert);
}

function scalarExtractor(key: string, type: FieldType): Reader {
  if (type === 'string' || type === 'flags') return compiledReader(TEXT_READER, key, toText);
  return compiledReader(VALUE_READER, key, CONVERTERS[type]);
}

function listExtractor(text: string, type: FieldType): (ev: SyscallEvent) => Extracted {
  const convert = CONVERTERS[type];
  const key = internalize(text);
  return (ev) => {
    const v = ev[key];
    if (v == null) return undefined;
    const items = Array.isArray(v) ? v : [v];
    const out: FieldValue[] = [];
    for (const item of items) {
      const c = item == null ? undefined : convert(item);
      if (c !== undefined) out.push(c);
    }
    return out.length === 0 ? undefined : out;
  };
}

function ancestorAt(name: string, index: number, type: FieldType): (ev: SyscallEvent) => Extracted {
  const convert = CONVERTERS[type];
  const key = internalize(`${name}[${index}]`);
  const selfKey = index === 0 ? SELF_FIELD[name] : undefined;
  return (ev) => {
    let v = ev[key];
    if (v == null && selfKey !== undefined) v = ev[selfKey];
    if (v == null && index > 0) {
      const all = ev[name];
      if (Array.isArray(all)) v = all[index - 1];
    }
    return v == null ? undefined : convert(v);
  };
}

function allAncestors(name: string, type: FieldType): (ev: SyscallEvent) => Extracted {
  const convert = CONVERTERS[type];
  const keys = Array.from({ length: MAX_ANCESTORS }, (_, i) => internalize(`${name}[${i + 1}]`));
  const push = (out: FieldValue[], v: unknown) => {
    const c = v == null ? undefined : convert(v);
    if (c !== undefined) out.push(c);
  };
  return (ev) => {
    const out: FieldValue[] = [];
    const all = ev[name];
    if (Array.isArray(all)) {
      for (const v of all) push(out, v);
    } else if (typeof all === 'string') {
      for (const v of all.split(/\s+/)) if (v !== '') push(out, v);
    } else {
      for (const key of keys) {
        const v = ev[key];
        if (v == null) break;
        push(out, v);
      }
    }
    return out.length === 0 ? undefined : out;
  };
}

/** Fields libsinsp computes from the fd's addresses, by the address keys they come from. */
const DERIVED_FROM: Readonly<Record<string, readonly string[]>> = {
  'fd.snet': ['fd.sip'],
  'fd.cnet': ['fd.cip'],
  'fd.lnet': ['fd.lip'],
  'fd.rnet': ['fd.rip'],
  'fd.net': ['fd.cip', 'fd.sip'],
  'fd.ip': ['fd.cip', 'fd.sip'],
};

const PERMISSIVE_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_-]+)+$/;

export class SyscallSource implements FieldSource<SyscallEvent> {
  readonly name = 'syscall';
  readonly fields: readonly FieldDef[] = SYSCALL_FIELDS;
  private readonly table = new FieldTable(SYSCALL_FIELDS);
  private readonly strict: boolean;

  constructor(options: SyscallSourceOptions = {}) {
    this.strict = options.strict ?? true;
  }

  bind(field: string, arg?: string): BoundField<SyscallEvent> {
    const resolved = this.table.resolve(field, arg);
    if (!resolved) return this.bindUnknown(field, arg);
    const def = resolved.def as SyscallFieldDef;
    const text = resolved.text;
    const dotted = field !== def.name;
    if (def.name === 'evt.rawarg' && !dotted && arg !== undefined) {
      throw new FieldError(`filter '${text}': evt.arg fields must be expressed explicitly`);
    }
    checkArgument(def, text, resolved.arg);

    if (def.ancestors) {
      if (resolved.arg === undefined) {
        return { def, text, type: def.type, list: false, anyOf: true, extract: allAncestors(def.name, def.type) };
      }
      const index = parseIndexArgument(def, text, resolved.arg);
      return { def, text, type: def.type, list: false, extract: ancestorAt(def.name, index, def.type) };
    }
    if (INDEX_ARG.has(def.name) && resolved.arg !== undefined) parseIndexArgument(def, text, resolved.arg);
    // An index into a list field (fd.types[0]) gives one value.
    const list = def.list === true && resolved.arg === undefined;
    const extract = list ? listExtractor(text, def.type) : scalarExtractor(text, def.type);
    const derived = DERIVED_FROM[def.name];
    if (derived && resolved.arg === undefined) {
      // Events written with addresses only (sysdig -p "%fd.sip …"): networks and the
      // client-or-server fields are worked out from the addresses, as libsinsp does.
      const parts = derived.map((key) => scalarExtractor(key, 'ipaddr'));
      const either = parts.length > 1;
      const [first, second] = parts as [Reader, Reader | undefined];
      const fallback = (e: SyscallEvent): Extracted => {
        const own = extract(e);
        if (own !== undefined) return own;
        // The scalar readers never give arrays: undefined or one value each.
        const a = first(e);
        if (second === undefined) return a;
        const b = second(e);
        if (a === undefined) return b === undefined ? undefined : [b as FieldValue];
        return b === undefined ? [a as FieldValue] : [a as FieldValue, b as FieldValue];
      };
      return { def, text, type: def.type, list: false, ...(either ? { anyOf: true } : {}), extract: fallback };
    }
    return { def, text, type: def.type, list, extract };
  }

  private bindUnknown(field: string, arg: string | undefined): BoundField<SyscallEvent> {
    const text = fieldText(field, arg);
    if (this.strict || !PERMISSIVE_NAME.test(field)) throw nonexistentField(text);
    const def: FieldDef = { name: field, type: 'string', arg: 'optional', desc: 'Field outside the libsinsp table (permissive mode): the event key as text.' };
    return { def, text, type: 'string', list: false, extract: scalarExtractor(text, 'string') };
  }

  timeNs(event: SyscallEvent): bigint | undefined {
    const raw = parseNanos(event['evt.rawtime']) ?? parseNanos(event['evt.outputtime']);
    if (raw !== undefined) return raw;
    for (const key of ['evt.time.iso8601', 'evt.datetime']) {
      const text = event[key];
      if (typeof text === 'string') {
        const ns = parseLooseDatetime(text);
        if (ns !== undefined) return ns;
      }
    }
    return undefined;
  }

  eventType(event: SyscallEvent): string | undefined {
    const t = event['evt.type'];
    return typeof t === 'string' ? t : undefined;
  }
}

/** RFC 3339, or `YYYY-MM-DD hh:mm:ss[.n]` (sysdig's evt.datetime), UTC when no zone is given. */
export function parseLooseDatetime(text: string): bigint | undefined {
  let t = text.trim().replace(' ', 'T');
  if (!/(Z|[+-]\d{2}:\d{2})$/.test(t)) t += 'Z';
  return parseRfc3339Nanos(t);
}

export function createSyscallSource(options: SyscallSourceOptions = {}): SyscallSource {
  return new SyscallSource(options);
}
