/**
 * The audit store: one interface, two adapters (SQLite embedded, PostgreSQL for clusters that
 * outgrow one machine). The audit folder turns API-server events into AuditRecords and asks
 * the questions; the store keeps them, indexed for those questions, and answers.
 *
 * Times are microseconds since the Unix epoch (audit timestamps are MicroTime: 6 digits).
 */

/** One audit Event, its queryable columns pulled out, the full event kept as JSON text. */
export interface AuditRecord {
  auditId: string;
  /** RequestReceived | ResponseStarted | ResponseComplete | Panic */
  stage: string;
  /** None | Metadata | Request | RequestResponse */
  level: string;
  /** stageTimestamp, µs since epoch: the event's time. */
  time: number;
  /** requestReceivedTimestamp, µs since epoch (= time when absent). */
  received: number;
  /** user.username ('' when the request was not authenticated). */
  user: string;
  groups: string[];
  /** impersonatedUser.username, '' when none. */
  impersonatedUser: string;
  verb: string;
  /** objectRef fields, '' when absent (non-resource requests have no objectRef). */
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  requestUri: string;
  /** responseStatus.code, null when the response is not known (RequestReceived). */
  code: number | null;
  /** annotations["authorization.k8s.io/decision"]: 'allow' | 'forbid' | ''. */
  decision: string;
  sourceIps: string[];
  userAgent: string;
  /** The whole event, as JSON text (what `--format json` gives back). */
  event: string;
}

/** An alert raised by a rule on one event; stored next to it. */
export interface AlertRecord {
  /** The event it was raised on (auditID + stage). */
  auditId: string;
  stage: string;
  /** Event time, µs since epoch. */
  time: number;
  rule: string;
  /** Falco priority name as in the alert (e.g. "Warning"). */
  priority: string;
  source: string;
  /** The rendered output line. */
  output: string;
  /** The whole Falco JSON alert. */
  alert: string;
}

/** An event and the alerts its rules raised, inserted together or not at all. */
export interface IngestItem {
  record: AuditRecord;
  alerts: AlertRecord[];
}

export interface InsertResult {
  /** inserted[i] is false when items[i] was a duplicate (same auditID, stage and requestReceivedTimestamp already stored). */
  inserted: boolean[];
  insertedCount: number;
  duplicates: number;
}

/** Every filter is optional and they combine with AND. Strings match exactly. */
export interface EventQuery {
  user?: string;
  group?: string;
  verb?: string | string[];
  resource?: string;
  subresource?: string;
  apiGroup?: string;
  namespace?: string;
  name?: string;
  sourceIp?: string;
  userAgent?: string;
  code?: number;
  /** Denied: authorization decision 'forbid' or a response code of 401 or 403. */
  denied?: boolean;
  /** µs since epoch, inclusive. */
  since?: number;
  /** µs since epoch, exclusive. */
  until?: number;
  /** Default 'asc' (oldest first). */
  order?: 'asc' | 'desc';
  /** Default 1000. */
  limit?: number;
}

/** A stored event: its columns and the full event JSON text. */
export interface StoredEvent extends AuditRecord {
  /**
   * The store's id of the event: increasing in insertion order among events of one 10-minute
   * bucket of event time (so among events of equal time); on SQLite, block × 4096 + slot.
   */
  id: number;
}

export interface WhoTouchedQuery {
  resource: string;
  name: string;
  /** Omit for cluster-scoped objects (matches namespace ''). */
  namespace?: string;
  apiGroup?: string;
  /** Verbs that count as touching; default: every verb that changes state. */
  verbs?: string[];
  limit?: number;
}

export interface AlertQuery {
  since?: number;
  until?: number;
  rule?: string;
  /** Only these priorities (names as stored). */
  priorities?: string[];
  order?: 'asc' | 'desc';
  limit?: number;
}

export interface StoredAlert extends AlertRecord {
  id: number;
}

export interface Count {
  key: string;
  count: number;
}

export interface SummaryQuery {
  since?: number;
  until?: number;
  /** How many rows per top-N list (default 10). */
  top?: number;
}

export interface Summary {
  events: number;
  first: number | null;
  last: number | null;
  topUsers: Count[];
  verbs: Count[];
  topResources: Count[];
  /** Denied requests (see EventQuery.denied) by user. */
  deniedByUser: Count[];
  /** Requests from unauthenticated users (system:anonymous or empty user). */
  anonymous: number;
  alertsByRule: Count[];
}

export interface RetentionPolicy {
  /** Delete events (and their alerts) older than this many µs before `now`. */
  maxAgeMicros?: number;
  /** Delete the oldest events until the stored event JSON totals at most this many bytes. */
  maxBytes?: number;
  /** µs since epoch (default: Date.now() * 1000). */
  now?: number;
}

export interface StoreStats {
  events: number;
  alerts: number;
  /** Sum of the stored event JSON lengths, bytes. */
  bytes: number;
  oldest: number | null;
  newest: number | null;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /**
   * Inserts a batch in one transaction, durable when the promise resolves (an acknowledged
   * event survives kill -9). Duplicates (same auditId, stage and received time — every copy of
   * one event has all three) are skipped along with their alerts.
   */
  insert(items: readonly IngestItem[]): Promise<InsertResult>;
  queryEvents(q: EventQuery): Promise<StoredEvent[]>;
  /** Every change to one object, oldest first. */
  whoTouched(q: WhoTouchedQuery): Promise<StoredEvent[]>;
  queryAlerts(q: AlertQuery): Promise<StoredAlert[]>;
  summary(q: SummaryQuery): Promise<Summary>;
  applyRetention(p: RetentionPolicy): Promise<{ events: number; alerts: number }>;
  stats(): Promise<StoreStats>;
  close(): Promise<void>;
}

/** Verbs that change state: what `who-touched` lists by default. */
export const WRITE_VERBS: readonly string[] = ['create', 'update', 'patch', 'delete', 'deletecollection'];
