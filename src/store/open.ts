/**
 * `openStore(spec)`: which backend a `--db` value means.
 *
 *   undefined or ''                    ./palisade.db (SQLite)
 *   postgres://… or postgresql://…     PostgreSQL (see postgres.ts; `?schema=NAME` puts the tables in that schema)
 *   :memory:                           a private in-memory SQLite database (gone on close)
 *   anything else                      a SQLite file path (created when absent; its directory must exist)
 *
 * Failures are thrown as an Error whose message is one line a user can act on, naming the
 * file or host:port/database and never the password of a URL:
 *   cannot open database /no/such/dir/x.db: directory /no/such/dir does not exist
 *   cannot connect to PostgreSQL at 127.0.0.1:5432/palisade: connection refused
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { PostgresStore, type PostgresOptions } from './postgres.js';
import { SqliteStore, type SqliteOptions } from './sqlite.js';
import type { Store } from './types.js';

export const DEFAULT_DB = './palisade.db';

export interface OpenOptions {
  sqlite?: SqliteOptions;
  postgres?: PostgresOptions;
}

export function isPostgresSpec(spec: string): boolean {
  return /^postgres(ql)?:\/\//i.test(spec);
}

export async function openStore(spec: string | undefined, opts: OpenOptions = {}): Promise<Store> {
  const s = spec === undefined || spec === '' ? DEFAULT_DB : spec;
  if (isPostgresSpec(s)) return PostgresStore.open(s, opts.postgres);
  return openSqlite(s, opts.sqlite);
}

/** Opens a SQLite store, turning better-sqlite3's errors into one line naming the file. */
export function openSqlite(file: string, opts: SqliteOptions = {}): SqliteStore {
  try {
    return new SqliteStore(file, opts);
  } catch (e) {
    throw new Error(`cannot open database ${file}: ${sqliteReason(file, e)}`);
  }
}

function sqliteReason(file: string, e: unknown): string {
  const err = e as { code?: string; message?: string };
  const msg = String(err?.message ?? e);
  if (file !== ':memory:') {
    const dir = dirname(resolve(file));
    if (/directory does not exist/i.test(msg) || !existsSync(dir)) return `directory ${dirname(file)} does not exist`;
    if (existsSync(file) && statSync(file).isDirectory()) return 'it is a directory';
  }
  switch (err?.code) {
    case 'SQLITE_NOTADB':
      return 'not a SQLite database (or encrypted)';
    case 'SQLITE_CORRUPT':
      return 'the database file is corrupt';
    case 'SQLITE_CANTOPEN':
      return 'permission denied or not a regular file';
    case 'SQLITE_READONLY':
    case 'SQLITE_PERM':
      return 'permission denied (read-only)';
    case 'SQLITE_BUSY':
      return 'the database is locked by another process';
    case 'SQLITE_FULL':
      return 'disk full';
  }
  const line = msg.split('\n')[0].trim();
  return line.charAt(0).toLowerCase() + line.slice(1);
}
