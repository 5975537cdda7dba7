/**
 * The audit webhook backend's receiving end, independent of the HTTP framework: the API server
 * POSTs an EventList per batch and treats any 2xx as "delivered" (then forgets the batch), any
 * other answer as "retry later" (5 tries, backing off from 10 s). So:
 *
 *  - 2xx only once every event of the batch is durably stored (or was already: a duplicate);
 *  - 429 when too many events are waiting for the store, so the API server backs off;
 *  - 400 with a reason for a body that is not audit data (retrying it cannot help, but the
 *    API server will anyway — the reason is in our log, once per request);
 *  - 503 when the store fails, so the batch comes back later instead of being lost.
 */
import { emptyStats, type Ingestor, type IncomingEvent, type IngestStats, type Outcome } from './ingest.js';

export interface ReceiverOptions {
  /** Events accepted but not yet stored, beyond which new batches get 429 (default 50,000). */
  maxPendingEvents?: number;
  /** One line per problem (bad events inside an accepted batch, store failures). */
  report: (message: string) => void;
}

export interface ReceiverAnswer {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

export interface ReceiverCounters {
  requests: number;
  events: number;
  stored: number;
  duplicates: number;
  rejected: number;
  alerts: number;
  /** Answers by status code. */
  answers: Map<number, number>;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The events of a webhook body, or why it is not audit data. */
export function eventsOfBody(body: unknown): unknown[] | string {
  if (!isObject(body)) return 'expected an audit.k8s.io EventList object';
  if (body.kind !== 'EventList' && body.kind !== 'Event') {
    return `expected kind EventList or Event, got ${body.kind === undefined ? 'no kind' : JSON.stringify(body.kind)}`;
  }
  const apiVersion = body.apiVersion;
  if (apiVersion !== undefined && apiVersion !== 'audit.k8s.io/v1' && apiVersion !== 'audit.k8s.io/v1beta1') {
    return `unsupported apiVersion ${JSON.stringify(apiVersion)} (expected audit.k8s.io/v1 or v1beta1)`;
  }
  if (body.kind === 'EventList') {
    if (body.items === undefined || body.items === null) return [];
    if (!Array.isArray(body.items)) return 'EventList.items is not an array';
    return body.items;
  }
  return [body];
}

export class AuditReceiver {
  private pending = 0;
  readonly counters: ReceiverCounters = { requests: 0, events: 0, stored: 0, duplicates: 0, rejected: 0, alerts: 0, answers: new Map() };
  private readonly maxPending: number;

  constructor(private readonly ingestor: Ingestor, private readonly opts: ReceiverOptions) {
    this.maxPending = opts.maxPendingEvents ?? 50_000;
  }

  /**
   * Group commit: batches that arrive while a commit is being prepared share one store
   * transaction (one fsync), and each request is answered with its own events' outcome.
   */
  private queue: Array<{ events: IncomingEvent[]; resolve: (s: IngestStats) => void; reject: (e: unknown) => void }> = [];
  private scheduled = false;

  private commit(events: IncomingEvent[]): Promise<IngestStats> {
    return new Promise((resolve, reject) => {
      this.queue.push({ events, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const group = this.queue;
    this.queue = [];
    const all = group.flatMap((g) => g.events);
    const outcomes: Outcome[] = new Array(all.length);
    try {
      const total = await this.ingestor.ingest(all, this.opts.report, outcomes);
      let at = 0;
      for (const g of group) {
        const stats = emptyStats();
        for (let i = 0; i < g.events.length; i++, at++) {
          stats.received++;
          if (outcomes[at] === 'stored') stats.stored++;
          else if (outcomes[at] === 'duplicate') stats.duplicates++;
          else stats.rejected++;
        }
        // Alerts are counted for the group; credit them to its first request.
        if (g === group[0]) stats.alerts = total.alerts;
        g.resolve(stats);
      }
    } catch (err) {
      for (const g of group) g.reject(err);
    }
  }

  /** Events accepted and not yet stored. */
  get pendingEvents(): number {
    return this.pending;
  }

  async receive(body: unknown, from = 'POST /audit'): Promise<ReceiverAnswer> {
    const answer = await this.answer(body, from);
    this.counters.requests++;
    this.counters.answers.set(answer.status, (this.counters.answers.get(answer.status) ?? 0) + 1);
    return answer;
  }

  private async answer(body: unknown, from: string): Promise<ReceiverAnswer> {
    const events = eventsOfBody(body);
    if (typeof events === 'string') return { status: 400, body: { error: events } };
    // A batch larger than the whole allowance is taken when nothing else waits, or it would never be.
    if (this.pending > 0 && this.pending + events.length > this.maxPending) {
      return { status: 429, body: { error: `over capacity: ${this.pending} events waiting to be stored; retry later` }, headers: { 'retry-after': '1' } };
    }
    const incoming: IncomingEvent[] = events.map((event, i) => ({ event, where: `${from} item ${i}` }));
    this.pending += events.length;
    let stats: IngestStats;
    try {
      stats = await this.commit(incoming);
    } catch (err) {
      this.opts.report(`${from}: store failed, batch not acknowledged (the API server will resend it): ${err instanceof Error ? err.message : String(err)}`);
      return { status: 503, body: { error: 'the event store is unavailable; retry later' }, headers: { 'retry-after': '5' } };
    } finally {
      this.pending -= events.length;
    }
    const c = this.counters;
    c.events += stats.received;
    c.stored += stats.stored;
    c.duplicates += stats.duplicates;
    c.rejected += stats.rejected;
    c.alerts += stats.alerts;
    return { status: 200, body: { stored: stats.stored, duplicates: stats.duplicates, rejected: stats.rejected } };
  }
}
