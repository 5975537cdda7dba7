/**
 * An API server audit Event (audit.k8s.io/v1 or v1beta1) → the store's AuditRecord: the
 * columns the timeline questions need, and the event itself with Secret values redacted
 * (the API server's log may hold them at Request level; Palisade does not keep a second copy).
 */
import { createHash } from 'node:crypto';
import { memoizeString } from '../model/index.js';
import { rfc3339Micros } from '../rules/index.js';
import type { AuditRecord } from '../store/index.js';

export type RecordResult = { record: AuditRecord; warning?: string } | { error: string };

const REDACTED = '<redacted>';
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

function obj(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function strings(v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'string') return v.filter((x): x is string => typeof x === 'string');
  return v as string[];
}

/**
 * `s`, or the equal string met before (bounded). A record waits for its store transaction
 * while the store allocates, so it outlives young-generation collections: with its own copies
 * of a dozen strings per event it was promoted at ~1.8 KB an event, and the old generation
 * grew with the log until the next full collection.
 */
const canonical = memoizeString((s) => s, 50_000);

function shared(v: unknown): string {
  return typeof v === 'string' ? canonical(v) : '';
}

/** RFC 3339 → µs since epoch (the ns value divided by 1000, toward zero), or undefined. */
export function micros(ts: unknown): number | undefined {
  return typeof ts === 'string' ? rfc3339Micros(ts) : undefined;
}

/** A Secret (or a SecretList) with every value under data/stringData replaced. */
function redactSecretObject(value: unknown): unknown {
  const o = obj(value);
  if (!o) return value;
  const out: Record<string, unknown> = { ...o };
  for (const key of ['data', 'stringData']) {
    const d = obj(o[key]);
    if (d) out[key] = Object.fromEntries(Object.keys(d).map((k) => [k, REDACTED]));
  }
  const meta = obj(o.metadata);
  const ann = obj(meta?.annotations);
  if (meta && ann && LAST_APPLIED in ann) {
    out.metadata = { ...meta, annotations: { ...ann, [LAST_APPLIED]: REDACTED } };
  }
  if (Array.isArray(o.items)) out.items = o.items.map(redactSecretObject);
  return out;
}

/** The event as stored: Secret payloads in request/response objects redacted. */
export function redactEvent(event: Record<string, unknown>): Record<string, unknown> {
  const ref = obj(event.objectRef);
  if (str(ref?.resource) !== 'secrets' || (event.requestObject === undefined && event.responseObject === undefined)) return event;
  const out = { ...event };
  if (out.requestObject !== undefined) out.requestObject = redactSecretObject(out.requestObject);
  if (out.responseObject !== undefined) out.responseObject = redactSecretObject(out.responseObject);
  return out;
}

/**
 * Pulls the columns out of one event. An event without a usable time cannot be placed on the
 * timeline and is rejected; one without an auditID gets a content hash as its ID (so a resent
 * copy still deduplicates) and a warning.
 */
export function toAuditRecord(event: unknown, text?: string): RecordResult {
  const e = obj(event);
  if (!e) return { error: 'not an audit event: expected a JSON object' };
  const stageTs = e.stageTimestamp ?? e.timestamp; // v1beta1 also carries `timestamp`
  const time = micros(stageTs) ?? micros(e.requestReceivedTimestamp);
  if (time === undefined) {
    return { error: e.stageTimestamp === undefined && e.requestReceivedTimestamp === undefined
      ? 'audit event has no stageTimestamp or requestReceivedTimestamp: skipped'
      : `audit event has an unreadable timestamp ${JSON.stringify(stageTs ?? e.requestReceivedTimestamp)}: skipped` };
  }
  const stored = redactEvent(e);
  const json = stored === e && text !== undefined ? text : JSON.stringify(stored);
  let auditId = str(e.auditID);
  let warning: string | undefined;
  if (auditId === '') {
    auditId = `sha256:${createHash('sha256').update(json).digest('hex').slice(0, 32)}`;
    warning = `audit event has no auditID: stored as ${auditId}`;
  }
  const user = obj(e.user);
  const ref = obj(e.objectRef);
  const status = obj(e.responseStatus);
  const annotations = obj(e.annotations);
  const code = typeof status?.code === 'number' ? status.code : null;
  const record: AuditRecord = {
    auditId,
    stage: shared(e.stage),
    level: shared(e.level),
    time,
    received: micros(e.requestReceivedTimestamp) ?? time,
    user: shared(user?.username),
    groups: strings(user?.groups),
    impersonatedUser: shared(obj(e.impersonatedUser)?.username),
    verb: shared(e.verb),
    apiGroup: shared(ref?.apiGroup),
    apiVersion: shared(ref?.apiVersion),
    resource: shared(ref?.resource),
    subresource: shared(ref?.subresource),
    namespace: shared(ref?.namespace),
    // A create's objectRef may lack the name (older API servers, other producers): take the object's.
    name: shared(str(ref?.name) || (str(e.verb) === 'create' && ref ? str(obj(obj(e.requestObject)?.metadata)?.name) : '')),
    requestUri: str(e.requestURI),
    code,
    decision: shared(annotations?.['authorization.k8s.io/decision']),
    sourceIps: strings(e.sourceIPs),
    userAgent: shared(e.userAgent),
    event: json,
  };
  return warning ? { record, warning } : { record };
}
