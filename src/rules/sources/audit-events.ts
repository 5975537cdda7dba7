/**
 * What the k8saudit plugin accepts as input (`source.go: ParseAuditEventsJSON`): an `Event`, an
 * `EventList` (one event per item) or a JSON array of those (recursed). Events without a valid
 * `stageTimestamp` are rejected, since it is the event time.
 */
import { jsonGet } from './json-walk.js';
import { parseRfc3339Nanos } from './time.js';

export interface AuditSplit {
  events: unknown[];
  errors: string[];
}

export const NOT_AUDIT = 'data not recognized as a k8s audit event';

const MAX_NESTING = 64;

/** Checks one audit Event the way parseSingleAuditEventJSON does; returns an error text or undefined. */
export function auditEventProblem(event: unknown): string | undefined {
  const ts = jsonGet(event, 'stageTimestamp');
  if (ts === undefined) return "can't read stageTimestamp: audit event rejected (the k8saudit plugin needs it as the event time)";
  if (typeof ts !== 'string' || parseRfc3339Nanos(ts) === undefined) {
    return `can't parse stageTimestamp ${JSON.stringify(ts)} as RFC 3339: audit event rejected`;
  }
  return undefined;
}

export function splitAuditPayload(value: unknown, out: AuditSplit = { events: [], errors: [] }, depth = 0): AuditSplit {
  if (Array.isArray(value)) {
    if (depth >= MAX_NESTING) {
      out.errors.push(`${NOT_AUDIT} (arrays nested deeper than ${MAX_NESTING})`);
      return out;
    }
    for (const item of value) {
      const before = out.errors.length;
      splitAuditPayload(item, out, depth + 1);
      // Upstream stops at the first element that is not audit data.
      if (out.errors.length > before && out.errors[out.errors.length - 1].startsWith(NOT_AUDIT)) return out;
    }
    return out;
  }
  const kind = jsonGet(value, 'kind');
  if (kind === 'EventList') {
    const items = jsonGet(value, 'items');
    if (Array.isArray(items)) {
      for (const item of items) addEvent(item, out);
      return out;
    }
  } else if (kind === 'Event') {
    addEvent(value, out);
    return out;
  }
  out.errors.push(NOT_AUDIT);
  return out;
}

function addEvent(event: unknown, out: AuditSplit): void {
  const problem = auditEventProblem(event);
  if (problem === undefined) out.events.push(event);
  else out.errors.push(problem);
}
