/** The channel interface and its counters. */
import type { Alert } from '../types.js';

export interface SinkStats {
  /** Alerts handed over to the destination. */
  sent: number;
  /** Alerts discarded because a buffer was full or the channel was closing. */
  dropped: number;
  /** Alerts the destination did not accept (errors, retries exhausted). */
  failed: number;
}

export interface AlertSink {
  /** Synchronous and non-blocking. */
  write(alert: Alert): void;
  /** Flushes what it can (bounded in time) and releases the channel. */
  close(): Promise<void>;
  stats(): SinkStats;
}

/** Counters shared by the sinks. */
export class SinkCounters implements SinkStats {
  sent = 0;
  dropped = 0;
  failed = 0;

  snapshot(): SinkStats {
    return { sent: this.sent, dropped: this.dropped, failed: this.failed };
  }
}
