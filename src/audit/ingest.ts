/**
 * Ingestion: audit events (from log files or the webhook) → detection → the store, and the
 * alerts of newly stored events → the output channels. One path for both inputs, so a log
 * file and the webhook carrying the same events store the same rows and raise the same alerts.
 *
 * Detection runs before the insert so that an event and its alerts commit together: an event
 * acknowledged is stored with its alerts, and a resent event (a webhook retry, an overlapping
 * rotated file) is a duplicate that raises nothing twice.
 */
import {
  formatAlertJson, makeAlert, type Alert, type AlertSink, type BuiltRuleset, type FieldSource, type MakeAlertOptions,
} from '../rules/index.js';
import type { AlertRecord, IngestItem, Store } from '../store/index.js';
import { toAuditRecord } from './record.js';

export interface IngestOptions {
  store: Store;
  /** Rules run on every event (k8s_audit source); none = store only. */
  built?: BuiltRuleset;
  /** The k8s_audit field source the rules were compiled against. */
  source?: FieldSource;
  sinks?: readonly AlertSink[];
  alertOptions?: MakeAlertOptions;
  /** Largest number of events per store transaction. */
  maxBatch?: number;
}

export interface IngestStats {
  /** Events read (valid or not). */
  received: number;
  stored: number;
  duplicates: number;
  /** Events that could not be stored (no timestamp, not an object). */
  rejected: number;
  alerts: number;
}

/** An event as read, with where it came from (for messages). */
export interface IncomingEvent {
  event: unknown;
  /** The event's own JSON text when it was one line on its own (saves re-serialising). */
  text?: string;
  /** e.g. `POST /audit item 3`; when absent, `source:line` (see Ingestor.prepare). */
  where?: string;
  line?: number;
}

/** What became of one event of a batch. */
export type Outcome = 'stored' | 'duplicate' | 'rejected';

export function emptyStats(): IngestStats {
  return { received: 0, stored: 0, duplicates: 0, rejected: 0, alerts: 0 };
}

export function addStats(into: IngestStats, more: IngestStats): IngestStats {
  into.received += more.received;
  into.stored += more.stored;
  into.duplicates += more.duplicates;
  into.rejected += more.rejected;
  into.alerts += more.alerts;
  return into;
}

/**
 * Events detected and turned into records, waiting for their store transaction. Only the
 * records are kept: the parsed events are dropped as each read batch is prepared, so they
 * die young (held until a large transaction, they were promoted and cost major collections).
 */
export class PreparedBatch {
  readonly items: IngestItem[] = [];
  /** The alerts of items[i], sent to the sinks if it is stored. */
  readonly alerts: Alert[][] = [];
  /** The position of items[i] among the events prepared into this batch (for outcomes). */
  readonly positions: number[] = [];
  readonly stats = emptyStats();
  /** Events prepared so far, records or not. */
  events = 0;
}

export class Ingestor {
  /** Events per store transaction at most (file ingestion gathers reads up to it). */
  readonly maxBatch: number;

  constructor(private readonly opts: IngestOptions) {
    this.maxBatch = opts.maxBatch ?? 5000;
  }

  /**
   * Stores a batch of events (in transactions of at most maxBatch), durable when the promise
   * resolves. Problems with single events go to `report` as `where: message`; the rest is stored.
   */
  async ingest(events: readonly IncomingEvent[], report: (message: string) => void, outcomes?: Outcome[]): Promise<IngestStats> {
    const stats = emptyStats();
    for (let start = 0; start < events.length; start += this.maxBatch) {
      const batch = this.prepare(events.slice(start, start + this.maxBatch), report);
      addStats(stats, await this.commit(batch, outcomes, start));
    }
    return stats;
  }

  /**
   * Runs the rules on events and makes their records, into `into`. An event without `where`
   * is described as `source:line`. Rejected events are reported here.
   */
  prepare(events: readonly IncomingEvent[], report: (message: string) => void, into = new PreparedBatch(), source = ''): PreparedBatch {
    const stats = into.stats;
    for (let k = 0; k < events.length; k++, into.events++) {
      const incoming = events[k];
      stats.received++;
      const result = toAuditRecord(incoming.event, incoming.text);
      if ('error' in result) {
        stats.rejected++;
        report(`${placeOf(incoming, source)}: ${result.error}`);
        continue;
      }
      if (result.warning) report(`${placeOf(incoming, source)}: ${result.warning}`);
      const alerts = this.detect(incoming.event);
      const { record } = result;
      into.positions.push(into.events);
      into.alerts.push(alerts);
      into.items.push({ record, alerts: alerts.length === 0 ? NO_ALERTS : alerts.map((a) => alertRecord(a, record.auditId, record.stage, record.time)) });
    }
    return into;
  }

  /**
   * Stores a prepared batch in one transaction; alerts of newly stored events go to the sinks.
   * outcomes[offset + position] says what became of each event (rejected ones stay marked
   * 'rejected').
   */
  async commit(batch: PreparedBatch, outcomes?: Outcome[], offset = 0): Promise<IngestStats> {
    const stats = { ...batch.stats };
    if (outcomes) for (let k = 0; k < batch.events; k++) outcomes[offset + k] = 'rejected';
    if (batch.items.length === 0) return stats;
    const { inserted, insertedCount, duplicates } = await this.opts.store.insert(batch.items);
    stats.stored += insertedCount;
    stats.duplicates += duplicates;
    const sinks = this.opts.sinks ?? [];
    for (let i = 0; i < batch.items.length; i++) {
      if (outcomes) outcomes[offset + batch.positions[i]] = inserted[i] ? 'stored' : 'duplicate';
      if (!inserted[i]) continue;
      for (const alert of batch.alerts[i]) {
        stats.alerts++;
        for (const sink of sinks) sink.write(alert);
      }
    }
    return stats;
  }

  private detect(event: unknown): Alert[] {
    const { built, source } = this.opts;
    if (!built || !source) return NO_ALERTS;
    const matched = built.ruleset.match('k8s_audit', event);
    if (matched.length === 0) return NO_ALERTS;
    return matched.map((rule) => makeAlert(rule.alert, event, source, this.opts.alertOptions));
  }
}

/** Shared by every event without alerts (most): no array per event. */
const NO_ALERTS: never[] = [];

function placeOf(e: IncomingEvent, source: string): string {
  return e.where ?? `${source}:${e.line ?? '?'}`;
}

function alertRecord(alert: Alert, auditId: string, stage: string, time: number): AlertRecord {
  return {
    auditId,
    stage,
    time,
    rule: alert.rule,
    priority: alert.priority,
    source: alert.source,
    output: alert.output,
    alert: formatAlertJson(alert),
  };
}
