/**
 * Opening a version 1 SQLite file (a row per event): migration 2 renamed its tables to
 * events_v1 / alerts_v1; their rows are moved into blocks here, a batch per transaction
 * (each batch deleted from the old tables in the transaction that stores it, so an
 * interrupted upgrade goes on where it stopped), and the old tables dropped at the end.
 */
import type Database from 'better-sqlite3';
import type { Dict } from './sqlite-dict.js';
import type { IngestItem } from './types.js';

const BATCH = 20_000;

export function hasV1Events(db: Database.Database): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events_v1'").get() !== undefined;
}

/**
 * The next batch of version 1 events as items (with their alerts), oldest rows first, and a
 * function that deletes them from the old tables; undefined when none are left (the old
 * tables are dropped then).
 */
export function nextV1Batch(db: Database.Database, dict: Dict): { items: IngestItem[]; done(): void } | undefined {
  const rows = db
    .prepare(
      `SELECT id, received, audit_id, stage_id, time, level_id, user_id, group_set, impersonated_id, verb_id, api_group_id, api_version_id,
        resource_id, subresource_id, namespace_id, name_id, code, decision_id, ip_set, agent_id, request_uri, event
       FROM events_v1 ORDER BY id LIMIT ?`,
    )
    .raw(true)
    .all(BATCH) as unknown[][];
  if (rows.length === 0) {
    db.exec('DROP TABLE events_v1; DROP TABLE alerts_v1');
    return undefined;
  }
  const last = rows[rows.length - 1][0] as number;
  const alerts = new Map<number, IngestItem['alerts'][number][]>();
  const alertRows = db
    .prepare('SELECT event_id, audit_id, stage, time, rule, priority, source, output, alert FROM alerts_v1 WHERE event_id <= ? ORDER BY id')
    .raw(true)
    .all(last) as unknown[][];
  for (const a of alertRows) {
    const list = alerts.get(a[0] as number) ?? [];
    list.push({ auditId: a[1] as string, stage: a[2] as string, time: a[3] as number, rule: a[4] as string, priority: a[5] as string, source: a[6] as string, output: a[7] as string, alert: a[8] as string });
    alerts.set(a[0] as number, list);
  }
  const s = (v: unknown) => dict.str(v as number);
  const items = rows.map((r): IngestItem => ({
    record: {
      received: r[1] as number, auditId: r[2] as string, stage: s(r[3]), time: r[4] as number, level: s(r[5]), user: s(r[6]),
      groups: JSON.parse(s(r[7])) as string[], impersonatedUser: s(r[8]), verb: s(r[9]), apiGroup: s(r[10]), apiVersion: s(r[11]),
      resource: s(r[12]), subresource: s(r[13]), namespace: s(r[14]), name: s(r[15]), code: r[16] as number | null, decision: s(r[17]),
      sourceIps: JSON.parse(s(r[18])) as string[], userAgent: s(r[19]), requestUri: r[20] as string, event: r[21] as string,
    },
    alerts: alerts.get(r[0] as number) ?? [],
  }));
  return {
    items,
    done: () => {
      db.prepare('DELETE FROM events_v1 WHERE id <= ?').run(last);
      db.prepare('DELETE FROM alerts_v1 WHERE event_id <= ?').run(last);
    },
  };
}
