/**
 * Retention on the SQLite block layout: the oldest events found by a scan (time, then id,
 * as on PostgreSQL), removed block by block. A block losing some of its events is written
 * again without them under the same id, its events keeping their slots (so their ids, which
 * alerts refer to, stay the same); a block losing all of them goes. Their `seen` keys and
 * alerts go with them.
 */
import type Database from 'better-sqlite3';
import { encodeBlock, F_RECEIVED, F_TIME, rowOf, SLOTS, textLocation, timeRange, U_SLOT, U_STAGE } from './block.js';
import { scan, textsOf, type BlockSource } from './scan.js';
import type { Victim } from './sql.js';
import { seenId, type PostingWriter } from './sqlite-write.js';

export class BlockRetention {
  private readonly delSeen: Database.Statement;
  private readonly delAlerts: Database.Statement;
  private readonly delBlock: Database.Statement;
  private readonly updBlock: Database.Statement;
  private readonly addTotals: Database.Statement;

  constructor(
    db: Database.Database,
    private readonly src: BlockSource,
    private readonly postings: PostingWriter,
  ) {
    this.delSeen = db.prepare('DELETE FROM seen WHERE received = ? AND audit_id = ? AND stage_id = ?');
    this.delAlerts = db.prepare('DELETE FROM alerts WHERE event_id = ?');
    this.delBlock = db.prepare('DELETE FROM blocks WHERE id = ?');
    this.updBlock = db.prepare('UPDATE blocks SET t_min = ?, t_max = ?, n = ?, bytes = ?, cols = ?, text = ? WHERE id = ?');
    this.addTotals = db.prepare('UPDATE totals SET events = events + ?, alerts = alerts + ?, bytes = bytes + ? WHERE id = 1');
  }

  /** Up to `limit` oldest events (time, then id), only those before `before` when given. */
  oldest(limit: number, before: number | undefined): Victim[] {
    const hits = scan(this.src, {
      keys: null,
      ...(before !== undefined ? { until: before } : {}),
      asc: true,
      limit,
      match: before === undefined ? () => true : (c, i) => c.f[F_TIME][i] < before,
    });
    // The age pass needs no sizes. The size pass needs only each event's text, not the rest of it.
    if (before !== undefined) return hits.map((h) => ({ id: h.id, time: h.time, bytes: 0 }));
    const texts = textsOf(this.src, hits);
    return hits.map((h, k) => ({ id: h.id, time: h.time, bytes: Buffer.byteLength(texts[k].event, 'utf8') }));
  }

  /** Inside a write transaction. */
  remove(victims: readonly Victim[]): { events: number; alerts: number } {
    const byBlock = new Map<number, Set<number>>();
    for (const v of victims) {
      const block = Math.floor(v.id / SLOTS);
      let slots = byBlock.get(block);
      if (!slots) byBlock.set(block, (slots = new Set()));
      slots.add(v.id % SLOTS);
    }
    const out = { events: 0, alerts: 0, bytes: 0 };
    for (const [block, slots] of byBlock) this.removeFrom(block, slots, out);
    this.addTotals.run(-out.events, -out.alerts, -out.bytes);
    return { events: out.events, alerts: out.alerts };
  }

  private removeFrom(block: number, slots: ReadonlySet<number>, out: { events: number; alerts: number; bytes: number }): void {
    const c = this.src.columns(block);
    const text = this.src.textOf(block);
    const rows: number[] = [];
    const events: string[] = [];
    const ids: string[] = [];
    const uris: string[] = [];
    for (let i = 0; i < c.n; i++) {
      const slot = c.u[U_SLOT][i];
      const t = text.get(textLocation(c, i));
      if (slots.has(slot)) {
        this.delSeen.run(c.f[F_RECEIVED][i], seenId(t.auditId), c.u[U_STAGE][i]);
        out.alerts += this.delAlerts.run(block * SLOTS + slot).changes;
        out.events++;
        out.bytes += Buffer.byteLength(t.event, 'utf8');
      } else {
        rowOf(c, i, rows);
        events.push(t.event);
        ids.push(t.auditId);
        uris.push(t.requestUri);
      }
    }
    this.postings.remove(block, { cols: c, tMin: timeRange(c).tMin });
    if (events.length === 0) {
      this.delBlock.run(block);
      return;
    }
    const enc = encodeBlock(rows, events, ids, uris);
    this.updBlock.run(enc.tMin, enc.tMax, enc.cols.n, enc.bytes, enc.colsBlob, enc.textBlob, block);
    this.postings.add(block, enc);
  }
}
