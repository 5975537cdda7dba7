/**
 * What `palisade serve` and `palisade audit serve` share: listen and TLS flags (certificates
 * reloaded when their files change), the audit webhook backend, and running until a signal
 * with a drain of the requests in flight.
 */
import type { Command } from 'commander';
import type { FastifyInstance } from 'fastify';
import { AuditReceiver, Ingestor, parseDurationMicros, parseSize } from '../audit/index.js';
import { listen, parseListen, readTlsFiles, watchTls } from '../server/index.js';
import type { RetentionPolicy, Store } from '../store/index.js';
import { addOutputOptions, addRuleOptions, closeSinks, limitedReporter, loadRulesFromFlags, sinksFor, type OutputFlags, type RuleFlags } from './alerting.js';
import { FatalError, UsageError } from './errors.js';

export interface ServerFlags {
  listen: string;
  tlsCert?: string;
  tlsKey?: string;
  insecure?: boolean;
}

export interface ServerSetup {
  host: string;
  port: number;
  tls?: { cert: Buffer; key: Buffer };
  files?: { cert: string; key: string };
  log: (line: string) => void;
}

function usage<T>(run: () => T): T {
  try {
    return run();
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

export function addServerOptions(cmd: Command, defaultListen = '0.0.0.0:8443'): void {
  cmd
    .option('--listen <host:port>', 'address to listen on', defaultListen)
    .option('--tls-cert <file>', 'PEM certificate (with its chain) for HTTPS; reloaded when the file changes')
    .option('--tls-key <file>', 'PEM private key for HTTPS; reloaded when the file changes')
    .option('--insecure', 'plain HTTP instead of HTTPS (local testing only)');
}

export function serverFromFlags(flags: ServerFlags): ServerSetup {
  const { host, port } = usage(() => parseListen(flags.listen));
  if (!flags.insecure && (!flags.tlsCert || !flags.tlsKey)) {
    throw new UsageError('HTTPS needs --tls-cert and --tls-key (or --insecure for plain HTTP on a test machine)');
  }
  const log = (line: string) => process.stderr.write(`palisade: ${line}\n`);
  if (flags.insecure) return { host, port, log };
  const tls = usage(() => readTlsFiles(flags.tlsCert!, flags.tlsKey!));
  return { host, port, tls, files: { cert: flags.tlsCert!, key: flags.tlsKey! }, log };
}

/**
 * Listens, prints `banner` (with `{url}` replaced), and serves until SIGINT or SIGTERM; then
 * stops taking connections, lets the requests in flight finish, and runs `cleanup`.
 */
export async function serveUntilSignal(app: FastifyInstance, setup: ServerSetup, banner: string, cleanup: () => Promise<void> = async () => {}): Promise<void> {
  let url: string;
  try {
    url = await listen(app, setup.host, setup.port, setup.tls !== undefined);
  } catch (err) {
    await cleanup();
    throw new FatalError((err as Error).message);
  }
  const unwatch = setup.files ? watchTls(app, setup.files.cert, setup.files.key, setup.log) : () => {};
  setup.log(banner.replace('{url}', url));
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  unwatch();
  await app.close(); // finishes the requests in flight
  await cleanup();
}

export interface AuditBackendFlags extends OutputFlags, RuleFlags {
  db?: string;
  maxPending: string;
  retainAge?: string;
  retainSize?: string;
  detect: boolean;
}

export function addAuditBackendOptions(cmd: Command, dbHelp: string): void {
  cmd
    .option('--db <spec>', dbHelp)
    .option('--max-pending <events>', 'events waiting for the store beyond which requests get 429', '50000')
    .option('--retain-age <duration>', 'delete stored events older than this (e.g. 30d), checked every 10 minutes')
    .option('--retain-size <size>', 'delete the oldest events beyond this much stored event data (e.g. 20GB)')
    .option('--no-detect', 'store only, run no rules');
  addRuleOptions(cmd);
  addOutputOptions(cmd);
}

export function retentionFrom(flags: { retainAge?: string; retainSize?: string }): RetentionPolicy | undefined {
  const p: RetentionPolicy = {};
  if (flags.retainAge !== undefined) {
    const age = parseDurationMicros(flags.retainAge);
    if (age === undefined) throw new UsageError(`--retain-age: expected a duration such as 30d or 12h, got "${flags.retainAge}"`);
    p.maxAgeMicros = age;
  }
  if (flags.retainSize !== undefined) p.maxBytes = usage(() => parseSize(flags.retainSize!, '--retain-size'));
  return p.maxAgeMicros === undefined && p.maxBytes === undefined ? undefined : p;
}

export interface AuditBackend {
  receiver: AuditReceiver;
  storeKind: string;
  /** Stops retention, flushes output channels, closes the store, prints the counters. */
  stop(): Promise<void>;
}

/** The store, the rules and the receiver behind POST /audit, with retention running. */
export async function startAuditBackend(flags: AuditBackendFlags, openStore: (flags: { db?: string }) => Promise<Store>): Promise<AuditBackend> {
  const maxPending = Number(flags.maxPending);
  if (!Number.isInteger(maxPending) || maxPending < 1) throw new UsageError(`--max-pending: expected a positive number of events, got "${flags.maxPending}"`);
  const retention = retentionFrom(flags);
  const sinks = sinksFor(flags);
  const rules = flags.detect ? await loadRulesFromFlags(flags) : undefined;
  if (flags.detect && !rules) {
    await closeSinks(sinks);
    throw new FatalError('not serving without the rules (use --no-detect to store only)');
  }
  const store = await openStore(flags);
  const log = (line: string) => process.stderr.write(`palisade: ${line}\n`);
  const ingestor = new Ingestor({
    store, sinks, ...(rules ? { built: rules.built, source: rules.sources.k8s_audit } : {}),
    alertOptions: flags.hostname ? { hostname: flags.hostname } : {},
    maxBatch: 5000,
  });
  const receiver = new AuditReceiver(ingestor, { maxPendingEvents: maxPending, report: limitedReporter(1000).report });
  const prune = async () => {
    if (!retention) return;
    try {
      const removed = await store.applyRetention(retention);
      if (removed.events > 0) log(`retention: ${removed.events} events and ${removed.alerts} alerts deleted`);
    } catch (err) {
      log(`retention failed: ${(err as Error).message}`);
    }
  };
  await prune();
  const timer = retention ? setInterval(() => void prune(), 10 * 60_000) : undefined;
  timer?.unref();
  return {
    receiver,
    storeKind: store.kind,
    stop: async () => {
      if (timer) clearInterval(timer);
      await closeSinks(sinks);
      await store.close();
      const c = receiver.counters;
      log(`audit: ${c.requests} requests, ${c.events} events, ${c.stored} stored, ${c.duplicates} duplicates, ${c.rejected} rejected, ${c.alerts} alerts`);
    },
  };
}
