/**
 * The `k8s_audit` source: audit.k8s.io/v1 `Event` objects (already parsed JSON), the `ka.*`
 * fields of the k8saudit plugin and the `json.*` / `jevt.*` fields of the json plugin.
 */
import { FieldError, type BoundField, type Extracted, type FieldDef, type FieldSource } from '../types.js';
import { FieldTable, checkArgument, fieldText, nonexistentField, parseIndexArgument } from './bind.js';
import { isAuditEvent, jsonGet, parseJsonPointer, pathTextReader } from './json-walk.js';
import { KA_FIELDS, type Extractor, type KaFieldSpec } from './k8saudit-fields.js';
import { parseRfc3339Nanos, rfc3339NanosText } from './time.js';

/** A k8s audit event: the parsed JSON object of one audit `Event`. */
export type K8sAuditEvent = unknown;

/** The event time: `stageTimestamp` (RFC 3339 with up to 9 fractional digits) in ns. */
export function auditEventTimeNs(event: K8sAuditEvent): bigint | undefined {
  const ts = jsonGet(event, 'stageTimestamp');
  return typeof ts === 'string' ? parseRfc3339Nanos(ts) : undefined;
}

// --- json plugin ----------------------------------------------------------------------------

interface JsonFieldSpec {
  suffix: 'value' | 'obj' | 'rawtime';
  desc: string;
  arg?: 'required';
}

const JSON_FIELDS: readonly JsonFieldSpec[] = [
  { suffix: 'value', desc: 'Extracts a value from a JSON-encoded input. Syntax is json.value[<json pointer>], where <json pointer> is a json pointer (see https://datatracker.ietf.org/doc/html/rfc6901)', arg: 'required' },
  { suffix: 'obj', desc: 'The full json message as a text string.' },
  { suffix: 'rawtime', desc: 'The time of the event, identical to evt.rawtime.' },
];

const prettyCache = new WeakMap<object, string>();

function prettyJson(event: K8sAuditEvent): string {
  if (event === null || typeof event !== 'object') return JSON.stringify(event, null, 2);
  let text = prettyCache.get(event);
  if (text === undefined) {
    text = JSON.stringify(event, null, 2);
    prettyCache.set(event, text);
  }
  return text;
}

// `jevt.rawtime exists` opens nearly every upstream k8s rule (macro kevt); the rules engine
// extracts each field once per event, so no cache of its own here.
function rawTime(event: K8sAuditEvent): string | undefined {
  if (event === null || typeof event !== 'object') return undefined;
  const ts = jsonGet(event, 'stageTimestamp');
  return typeof ts === 'string' ? rfc3339NanosText(ts) : undefined;
}

function jsonExtractor(suffix: JsonFieldSpec['suffix'], arg: string | undefined): Extractor {
  switch (suffix) {
    case 'value': {
      if (!arg) return () => undefined; // upstream: "value argument is required" at extraction
      return pathTextReader(parseJsonPointer(arg), false);
    }
    case 'obj':
      return (ev) => (ev !== null && typeof ev === 'object' ? prettyJson(ev) : undefined);
    case 'rawtime':
      return rawTime;
  }
}

// --- the source -----------------------------------------------------------------------------

interface Entry {
  def: FieldDef;
  bind(text: string, arg: string | undefined): { extract: Extractor; list: boolean };
}

function kaEntry(spec: KaFieldSpec): Entry {
  return {
    def: spec.def,
    bind(text, arg) {
      checkArgument(spec.def, text, arg);
      let index = -1;
      let key: string | undefined;
      if (arg !== undefined) {
        if (spec.def.arg === 'optional') index = parseIndexArgument(spec.def, text, arg);
        else key = arg;
      }
      const inner = spec.make({ key, index });
      // An event without auditID is not a k8s audit event: no ka.* field exists on it.
      const extract: Extractor = spec.checksAuditEvent ? inner : (ev) => (isAuditEvent(ev) ? inner(ev) : undefined);
      const list = spec.def.list === true && !(index >= 0 && spec.indexScalar);
      return { extract, list };
    },
  };
}

function jsonEntry(prefix: 'json' | 'jevt', spec: JsonFieldSpec): Entry {
  const def: FieldDef = { name: `${prefix}.${spec.suffix}`, type: 'string', desc: spec.desc, ...(spec.arg ? { arg: spec.arg } : {}) };
  return {
    def,
    bind(text, arg) {
      checkArgument(def, text, arg);
      return { extract: jsonExtractor(spec.suffix, arg), list: false };
    },
  };
}

const ENTRIES: readonly Entry[] = [
  ...KA_FIELDS.map(kaEntry),
  ...JSON_FIELDS.map((s) => jsonEntry('json', s)),
  ...JSON_FIELDS.map((s) => jsonEntry('jevt', s)),
];

export class K8sAuditSource implements FieldSource<K8sAuditEvent> {
  readonly name = 'k8s_audit';
  readonly fields: readonly FieldDef[] = ENTRIES.map((e) => e.def);
  private readonly table = new FieldTable(this.fields);
  private readonly entries = new Map(ENTRIES.map((e) => [e.def.name, e]));

  bind(field: string, arg?: string): BoundField<K8sAuditEvent> {
    const resolved = this.table.resolve(field, arg);
    if (!resolved) throw nonexistentField(fieldText(field, arg));
    const entry = this.entries.get(resolved.def.name);
    if (!entry) throw new FieldError(`internal: no extractor for ${resolved.def.name}`);
    const { extract, list } = entry.bind(resolved.text, resolved.arg);
    return { def: resolved.def, text: resolved.text, type: 'string', list, extract: extract as (e: K8sAuditEvent) => Extracted };
  }

  timeNs(event: K8sAuditEvent): bigint | undefined {
    return auditEventTimeNs(event);
  }

  eventType(_event: K8sAuditEvent): string | undefined {
    return undefined;
  }
}

export function createK8sAuditSource(): K8sAuditSource {
  return new K8sAuditSource();
}
