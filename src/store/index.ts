/**
 * The audit event store: one interface (types.ts), two adapters (SQLite embedded,
 * PostgreSQL shared), opened from a `--db` spec by openStore.
 */
export * from './types.js';
export { openStore, openSqlite, isPostgresSpec, DEFAULT_DB, type OpenOptions } from './open.js';
export { SqliteStore, type SqliteOptions } from './sqlite.js';
export { PostgresStore, type PostgresOptions } from './postgres.js';
export { SCHEMA_VERSION } from './schema.js';
