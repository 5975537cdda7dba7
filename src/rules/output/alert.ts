/** Falco alerts (falco/userspace/engine/formats.cpp `format_event`): text line and JSON object. */
import { hostname as osHostname } from 'node:os';
import type { Alert, FieldSource, OutputFieldValue, Priority } from '../types.js';
import type { CompiledOutput } from './compile-output.js';
import { jsonSorted } from './json-line.js';
import { isoTimeOffset, isoTimeZ, localClockTime, nowNs } from './time-format.js';

/** What makeAlert needs from a rule. */
export interface AlertRule<E> {
  name: string;
  priority: Priority;
  tags: Iterable<string>;
  source: string;
  output: CompiledOutput<E>;
}

export interface MakeAlertOptions {
  /** Defaults to defaultHostname(). */
  hostname?: string;
  /**
   * falco.yaml `time_format_iso_8601`: true prints `%evt.time.iso8601` in the text line
   * (`2016-08-04T16:17:57.881781397+0000`); false prints `%evt.time` (local `HH:MM:SS.nnnnnnnnn`).
   * Default true: the result does not depend on the machine's time zone.
   */
  timeFormatIso8601?: boolean;
  /** Clock for events without a time (tests). */
  now?: () => bigint;
}

/** Falco's hostname: `FALCO_HOSTNAME` from the environment when set, else the machine's name. */
export function defaultHostname(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.FALCO_HOSTNAME;
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : osHostname();
}

/** Tags as Falco prints them: a std::set, so sorted and without duplicates. */
function tagSet(tags: Iterable<string>): string[] {
  return [...new Set(tags)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Builds the alert a rule raises on an event. */
export function makeAlert<E>(rule: AlertRule<E>, event: E, source: FieldSource<E>, opts: MakeAlertOptions = {}): Alert {
  const ns = source.timeNs(event) ?? (opts.now ?? nowNs)();
  const iso = opts.timeFormatIso8601 ?? true;
  const rendered = rule.output.render(event);
  const prefix = iso ? isoTimeOffset(ns) : localClockTime(ns);
  // The prefix formatter's own field joins the rule's fields (a rule output naming it gives the same value).
  const fields: Record<string, OutputFieldValue> = { ...rendered.fields };
  fields[iso ? 'evt.time.iso8601' : 'evt.time'] = ns <= BigInt(Number.MAX_SAFE_INTEGER) && ns >= 0n ? Number(ns) : ns;
  return {
    time: isoTimeZ(ns),
    rule: rule.name,
    priority: rule.priority,
    output: `${prefix}: ${rule.priority} ${rendered.text}`,
    output_fields: fields,
    source: rule.source,
    tags: tagSet(rule.tags),
    hostname: opts.hostname ?? defaultHostname(),
  };
}

/** The text line (`json_output: false`). */
export function formatAlertText(alert: Alert): string {
  return alert.output;
}

/** falco.yaml `json_include_*_property` toggles (Falco's defaults). */
export interface AlertJsonOptions {
  includeOutput?: boolean; // default true
  includeTags?: boolean; // default true
  includeMessage?: boolean; // default false (Falco 0.39+)
  includeOutputFields?: boolean; // default true
}

/** The rendered rule output without the `<time>: <Priority> ` prefix. */
export function alertMessage(alert: Alert): string {
  const marker = `: ${alert.priority} `;
  const at = alert.output.indexOf(marker);
  return at < 0 ? alert.output : alert.output.slice(at + marker.length);
}

/**
 * One JSON line as Falco prints it (nlohmann::json::dump: keys in byte order at every level, so
 * `hostname, output, output_fields, priority, rule, source, tags, time`).
 */
export function formatAlertJson(alert: Alert, opts: AlertJsonOptions = {}): string {
  return jsonSorted({
    hostname: alert.hostname,
    message: opts.includeMessage === true ? alertMessage(alert) : undefined,
    output: opts.includeOutput === false ? undefined : alert.output,
    output_fields: opts.includeOutputFields === false ? undefined : alert.output_fields,
    priority: alert.priority,
    rule: alert.rule,
    source: alert.source,
    tags: opts.includeTags === false ? undefined : alert.tags,
    time: alert.time,
  });
}

/** A function from alert to the line a channel writes. */
export type AlertFormatter = (alert: Alert) => string;

/** `json_output` true → JSON lines with the given toggles, false → the text line. */
export function alertFormatter(json: boolean, opts: AlertJsonOptions = {}): AlertFormatter {
  return json ? (alert) => formatAlertJson(alert, opts) : formatAlertText;
}
