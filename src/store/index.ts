/** The audit store: one interface, SQLite and PostgreSQL adapters. */
export * from './types.js';
