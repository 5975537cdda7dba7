/**
 * SQLite's dictionary (`dict`: id ↔ string) and group / source-IP sets (`set_members`), with
 * in-memory maps both ways, filled as strings are met: an insert costs a map lookup per
 * column, and a query turns its strings into ids before it runs.
 */
import type Database from 'better-sqlite3';
import { SEEDED, SET_GROUPS, SET_IPS } from './schema.js';

/** Cached strings beyond which the maps start again (a store of many distinct names must not grow the heap for ever). */
const DICT_CACHE_MAX = 1_000_000;

/**
 * id ↔ string. Ids handed out inside a transaction stay pending until it commits, so a
 * rolled-back insert cannot leave ids in the cache that the database does not have.
 */
export class Dict {
  private byStr = new Map<string, number>();
  private byId = new Map<number, string>();
  private pending = new Map<string, number>();
  private readonly ins: Database.Statement;
  private readonly sel: Database.Statement;
  private readonly selStr: Database.Statement;

  constructor(db: Database.Database) {
    this.ins = db.prepare('INSERT OR IGNORE INTO dict (s) VALUES (?)');
    this.sel = db.prepare('SELECT id FROM dict WHERE s = ?').pluck();
    this.selStr = db.prepare('SELECT s FROM dict WHERE id = ?').pluck();
    this.seed();
  }

  private seed(): void {
    this.byStr.clear();
    this.byId.clear();
    for (const [s, id] of Object.entries(SEEDED)) this.remember(s, id);
  }

  private remember(s: string, id: number): void {
    if (this.byStr.size >= DICT_CACHE_MAX) this.seed();
    this.byStr.set(s, id);
    this.byId.set(id, s);
  }

  /** The id of `s`, added to the dictionary when new (inside a write transaction). */
  id(s: string): number {
    const known = this.byStr.get(s) ?? this.pending.get(s);
    if (known !== undefined) return known;
    const r = this.ins.run(s);
    if (r.changes === 1) {
      const id = Number(r.lastInsertRowid);
      // Block columns hold ids as uint32 (block.ts).
      if (id >= 2 ** 32) throw new Error('the dictionary is full (2^32 distinct strings): store the events in a new database');
      this.pending.set(s, id);
      return id;
    }
    const id = this.sel.get(s) as number;
    this.remember(s, id);
    return id;
  }

  /** The id of `s` if some event has it. */
  find(s: string): number | undefined {
    const known = this.byStr.get(s);
    if (known !== undefined) return known;
    const id = this.sel.get(s) as number | undefined;
    if (id !== undefined) this.remember(s, id);
    return id;
  }

  str(id: number): string {
    const known = this.byId.get(id);
    if (known !== undefined) return known;
    const s = this.selStr.get(id) as string | undefined;
    if (s === undefined) throw new Error(`database is inconsistent: string id ${id} is not in the dictionary`);
    this.remember(s, id);
    return s;
  }

  commit(): void {
    for (const [s, id] of this.pending) this.remember(s, id);
    this.pending.clear();
  }

  rollback(): void {
    this.pending.clear();
  }
}

interface KnownSet {
  id: number;
  members: readonly string[];
}

function sameMembers(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Group sets and source-IP sets: an array's JSON text is its dict id; its members are
 * listed in set_members once. The cache is keyed by the members joined with newlines (cheaper
 * than JSON per event) and checks the members on a hit, so two arrays that join alike
 * (['a\nb'] and ['a', 'b']) still get their own sets.
 */
export class Sets {
  private known = [new Map<string, KnownSet>(), new Map<string, KnownSet>()];
  private pending = [new Map<string, KnownSet>(), new Map<string, KnownSet>()];
  private readonly insMember: Database.Statement;
  private readonly selIds: Database.Statement;

  constructor(db: Database.Database, private readonly dict: Dict) {
    this.insMember = db.prepare('INSERT OR IGNORE INTO set_members (kind, member, set_id) VALUES (?, ?, ?)');
    this.selIds = db.prepare('SELECT set_id FROM set_members WHERE kind = ? AND member = ? ORDER BY set_id').pluck();
  }

  /** The set id of `members` (inside a write transaction), its members listed when first met. */
  id(kind: typeof SET_GROUPS | typeof SET_IPS, members: readonly string[]): number {
    const k = kind - 1;
    let key = members.length === 1 ? members[0] : members.join('\n');
    let hit = this.known[k].get(key) ?? this.pending[k].get(key);
    if (hit && sameMembers(hit.members, members)) return hit.id;
    const json = JSON.stringify(members);
    if (hit) {
      // Another array joined to the same key: this one is cached under its JSON text.
      key = `\u0000${json}`;
      hit = this.known[k].get(key) ?? this.pending[k].get(key);
      if (hit) return hit.id;
    }
    const id = this.dict.id(json);
    for (const m of new Set(members)) this.insMember.run(kind, m, id);
    this.pending[k].set(key, { id, members: [...members] });
    return id;
  }

  /** Ids of the sets that hold `member`. */
  holding(kind: typeof SET_GROUPS | typeof SET_IPS, member: string): number[] {
    return this.selIds.all(kind, member) as number[];
  }

  commit(): void {
    for (let k = 0; k < 2; k++) {
      if (this.known[k].size + this.pending[k].size > DICT_CACHE_MAX) this.known[k].clear();
      for (const [s, v] of this.pending[k]) this.known[k].set(s, v);
      this.pending[k].clear();
    }
  }

  rollback(): void {
    for (const p of this.pending) p.clear();
  }
}
