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
  formatAlertJson, makeAlert, type AlertSink, type BuiltRuleset, type FieldSource, type MakeAlertOptions,
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
  /** e.g. `audit.log:42` or `POST /audit item 3`. */
  where: string;
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

export class Ingestor {
  private readonly maxBatch: number;

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
      addStats(stats, await this.ingestChunk(events.slice(start, start + this.maxBatch), report, outcomes, start));
    }
    return stats;
  }

  private async ingestChunk(events: readonly IncomingEvent[], report: (message: string) => void, outcomes?: Outcome[], offset = 0): Promise<IngestStats> {
    const stats = emptyStats();
    const items: IngestItem[] = [];
    const positions: number[] = [];
    const pending: ReturnType<typeof makeAlert>[][] = [];
    for (let k = 0; k < events.length; k++) {
      const incoming = events[k];
      stats.received++;
      const result = toAuditRecord(incoming.event, incoming.text);
      if ('error' in result) {
        stats.rejected++;
        if (outcomes) outcomes[offset + k] = 'rejected';
        report(`${incoming.where}: ${result.error}`);
        continue;
      }
      positions.push(offset + k);
      if (result.warning) report(`${incoming.where}: ${result.warning}`);
      const alerts = this.detect(incoming.event);
      pending.push(alerts);
      items.push({ record: result.record, alerts: alerts.map((a) => alertRecord(a, result.record.auditId, result.record.stage, result.record.time)) });
    }
    if (items.length === 0) return stats;
    const { inserted, insertedCount, duplicates } = await this.opts.store.insert(items);
    stats.stored += insertedCount;
    stats.duplicates += duplicates;
    const sinks = this.opts.sinks ?? [];
    for (let i = 0; i < items.length; i++) {
      if (outcomes) outcomes[positions[i]] = inserted[i] ? 'stored' : 'duplicate';
      if (!inserted[i]) continue;
      for (const alert of pending[i]) {
        stats.alerts++;
        for (const sink of sinks) sink.write(alert);
      }
    }
    return stats;
  }

  private detect(event: unknown): ReturnType<typeof makeAlert>[] {
    const { built, source } = this.opts;
    if (!built || !source) return [];
    const matched = built.ruleset.match('k8s_audit', event);
    if (matched.length === 0) return [];
    return matched.map((rule) => makeAlert(rule.alert, event, source, this.opts.alertOptions));
  }
}

function alertRecord(alert: ReturnType<typeof makeAlert>, auditId: string, stage: string, time: number): AlertRecord {
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
