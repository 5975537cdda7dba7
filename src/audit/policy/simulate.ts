/**
 * Replays recorded audit events through a candidate policy: which rule each request reaches,
 * which events the candidate would still write, and how many bytes a day that makes compared
 * with the log as it is. Sizes are estimates made from the recorded events: bodies the log does
 * not have (recorded at a lower level than the candidate's) cannot be counted.
 */
import { stat } from 'node:fs/promises';
import { readEvents } from '../../rules/index.js';
import { describeFsError } from '../../model/index.js';
import { attributesFromEvent } from './attributes.js';
import { describeRule } from './describe.js';
import { PolicyEvaluator } from './evaluate.js';
import { isLevel, levelRank, type Level, type Policy, type PolicyProblem } from './types.js';

export interface SimulationRow {
  /** Rule index, or null for requests no rule matches (level None). */
  rule: number | null;
  line: number | null;
  level: Level;
  description: string;
  /** Events in the log whose request reaches this rule. */
  matched: number;
  /** Events the candidate would write (its stage not omitted, level not None), estimated ones included. */
  kept: number;
  /** RequestReceived events the log lacks but the candidate would write (estimated from the request's last event). */
  estimated: number;
  /** Bytes of the matched events as they are in the log. */
  bytesNow: number;
  /** Bytes of the kept events at the candidate's level. */
  bytesAfter: number;
}

export interface SimulationReport {
  policy: string;
  /** The inputs that could be read. */
  inputs: string[];
  events: number;
  malformed: number;
  /** Events repeated in the input (same auditID and stage): counted once after. */
  duplicates: number;
  /** Events recorded at a lower level than the candidate's: their size after is underestimated. */
  underRecorded: number;
  /** Earliest and latest timestamps (RFC 3339) and the seconds between them. */
  span: { from: string; to: string; seconds: number } | null;
  rules: SimulationRow[];
  noRule: SimulationRow;
  totals: { matched: number; kept: number; bytesNow: number; bytesAfter: number; bytesPerDayNow: number | null; bytesPerDayAfter: number | null };
}

export interface SimulateOptions {
  /** Malformed lines and unreadable inputs, one at a time; simulation goes on. */
  onProblem?: (p: PolicyProblem) => void;
  stdin?: NodeJS.ReadableStream;
}

type Json = Record<string, unknown>;

const bytes = (v: unknown): number => Buffer.byteLength(JSON.stringify(v) ?? '', 'utf8');
/** `,"key":value` */
const fieldBytes = (key: string, v: unknown): number => key.length + 4 + bytes(v);

function managedFieldsBytes(obj: unknown): number {
  if (obj === null || typeof obj !== 'object') return 0;
  const o = obj as Json;
  const meta = o.metadata as Json | undefined;
  let n = meta && typeof meta === 'object' && meta.managedFields !== undefined ? fieldBytes('managedFields', meta.managedFields) : 0;
  if (Array.isArray(o.items)) for (const item of o.items) n += managedFieldsBytes(item);
  return n;
}

/** The event's size as the candidate would write it at `level`. */
export function sizeAtLevel(event: Json, size: number, level: Level, omitManagedFields: boolean): number {
  let n = size;
  if (typeof event.level === 'string') n += level.length - event.level.length;
  const keepRequest = levelRank(level) >= levelRank('Request');
  const keepResponse = level === 'RequestResponse';
  if (event.requestObject !== undefined) {
    if (!keepRequest) n -= fieldBytes('requestObject', event.requestObject);
    else if (omitManagedFields) n -= managedFieldsBytes(event.requestObject);
  }
  if (event.responseObject !== undefined) {
    if (!keepResponse) n -= fieldBytes('responseObject', event.responseObject);
    else if (omitManagedFields) n -= managedFieldsBytes(event.responseObject);
  }
  return n;
}

function row(rule: number | null, line: number | null, level: Level, description: string): SimulationRow {
  return { rule, line, level, description, matched: 0, kept: 0, estimated: 0, bytesNow: 0, bytesAfter: 0 };
}

function timeOf(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  const t = Date.parse(v);
  return Number.isFinite(t) ? t : undefined;
}

/** The last stage a request reaches; its event stands in for a RequestReceived event the log lacks. */
const FINAL_STAGES = new Set(['ResponseComplete', 'Panic']);

export async function simulatePolicy(policy: Policy, inputs: readonly string[], opts: SimulateOptions = {}): Promise<SimulationReport> {
  const ev = new PolicyEvaluator(policy);
  const rules = policy.rules.map((r) => row(r.index, r.line, r.level, describeRule(r)));
  const noRule = row(null, null, 'None', 'no rule matches (default level None)');
  const report: SimulationReport = {
    policy: policy.file, inputs: [], events: 0, malformed: 0, duplicates: 0, underRecorded: 0, span: null, rules, noRule,
    totals: { matched: 0, kept: 0, bytesNow: 0, bytesAfter: 0, bytesPerDayNow: null, bytesPerDayAfter: null },
  };
  const seen = new Set<string>();
  const receivedSeen = new Set<string>();
  let first = Infinity;
  let last = -Infinity;

  for (const input of inputs) {
    const name = input === '-' ? '<stdin>' : input;
    if (input !== '-') {
      try {
        if ((await stat(input)).isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
      } catch (err) {
        opts.onProblem?.({ file: name, message: `cannot read: ${describeFsError(err)}` });
        continue;
      }
    }
    report.inputs.push(name);
    for await (const item of readEvents(input === '-' ? (opts.stdin ?? process.stdin) : input, 'k8s_audit')) {
      if ('error' in item) {
        report.malformed++;
        opts.onProblem?.({ file: name, line: item.line, message: item.error });
        continue;
      }
      const event = item.event as Json;
      report.events++;
      const size = bytes(event);
      const e = ev.evaluate(attributesFromEvent(event));
      const r = e.rule === null ? noRule : rules[e.rule];
      r.matched++;
      r.bytesNow += size;
      for (const t of [timeOf(event.requestReceivedTimestamp), timeOf(event.stageTimestamp)]) {
        if (t === undefined) continue;
        if (t < first) first = t;
        if (t > last) last = t;
      }
      const stage = typeof event.stage === 'string' ? event.stage : '';
      const auditID = typeof event.auditID === 'string' && event.auditID !== '' ? event.auditID : undefined;
      if (auditID !== undefined) {
        const key = `${auditID}\u0000${stage}`;
        if (seen.has(key)) {
          report.duplicates++;
          continue;
        }
        seen.add(key);
        if (stage === 'RequestReceived') receivedSeen.add(auditID);
      }
      if (e.level === 'None') continue;
      if (isLevel(event.level) && levelRank(event.level) < levelRank(e.level)) report.underRecorded++;
      if (!(e.omitStages as readonly string[]).includes(stage)) {
        r.kept++;
        r.bytesAfter += sizeAtLevel(event, size, e.level, e.omitManagedFields);
      }
      // The candidate writes a RequestReceived event the log does not have: metadata only,
      // no response status; estimated from the request's last event.
      if (auditID !== undefined && FINAL_STAGES.has(stage) && !e.omitStages.includes('RequestReceived') && !receivedSeen.has(auditID)) {
        receivedSeen.add(auditID);
        let n = sizeAtLevel(event, size, 'Metadata', false) + (e.level.length - 'Metadata'.length) + ('RequestReceived'.length - stage.length);
        if (event.responseStatus !== undefined) n -= fieldBytes('responseStatus', event.responseStatus);
        r.kept++;
        r.estimated++;
        r.bytesAfter += n;
      }
    }
  }

  const t = report.totals;
  for (const x of [...rules, noRule]) {
    t.matched += x.matched;
    t.kept += x.kept;
    t.bytesNow += x.bytesNow;
    t.bytesAfter += x.bytesAfter;
  }
  if (first !== Infinity) {
    const seconds = (last - first) / 1000;
    report.span = { from: new Date(first).toISOString(), to: new Date(last).toISOString(), seconds };
    if (seconds > 0) {
      t.bytesPerDayNow = Math.round((t.bytesNow * 86400) / seconds);
      t.bytesPerDayAfter = Math.round((t.bytesAfter * 86400) / seconds);
    }
  }
  return report;
}

/** Bytes a day for one row, scaled like the totals (null when the log has no time span). */
export function perDay(report: SimulationReport, b: number): number | null {
  return report.span && report.span.seconds > 0 ? Math.round((b * 86400) / report.span.seconds) : null;
}
