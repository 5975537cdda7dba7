/**
 * `palisade audit …`: ingest audit logs and the webhook backend into the store (with detection),
 * and ask the store the timeline questions. Policy tooling lives in audit-policy.ts.
 */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import {
  alertsJsonLines, alertsTable, eventsCsv, eventsJsonLines, eventsTable, ingestFiles, Ingestor,
  parseObjectRef, parseSize, parseTimeSpec, summaryText, webhookKubeconfig, type FileIngestStats,
} from '../audit/index.js';
import { buildServer, DEFAULT_BODY_LIMIT } from '../server/index.js';
import { addAuditBackendOptions, addServerOptions, retentionFrom, serveUntilSignal, serverFromFlags, startAuditBackend, type AuditBackendFlags, type ServerFlags } from './serving.js';
import { openStore, type EventQuery, type Store } from '../store/index.js';
import { addOutputOptions, addRuleOptions, closeSinks, limitedReporter, loadRulesFromFlags, sinksFor, untilInterrupted, type OutputFlags, type RuleFlags } from './alerting.js';
import { registerAuditPolicy } from './audit-policy.js';
import { FatalError, UsageError } from './errors.js';
import { errorCode } from '../model/index.js';

const DB_HELP = 'event store: a SQLite file (default ./palisade.db) or a postgres://user@host/db URL (also $PALISADE_DB)';

interface DbFlags {
  db?: string;
}

/**
 * `durable: false` (file ingestion) lets SQLite skip the fsync of each commit: the WAL still
 * never corrupts, and a re-run after a crash stores what was lost (duplicates are skipped).
 * The webhook acknowledges events, so it keeps every commit durable. File ingestion writes at
 * the end of the blocks and of the duplicate keys: a 48 MiB page cache holds what it reads
 * again (measured as fast as 256 MiB on a million events), so its memory does not grow with
 * the database up to the default cache's size.
 */
async function open(flags: DbFlags, durable = true): Promise<Store> {
  try {
    return await openStore(flags.db || process.env.PALISADE_DB || undefined, durable ? {} : { sqlite: { synchronous: 'NORMAL', mmapMiB: 0, cacheMiB: 48 } });
  } catch (err) {
    throw new FatalError(err instanceof Error ? err.message : String(err));
  }
}

async function withStore<T>(flags: DbFlags, run: (store: Store) => Promise<T>, durable = true): Promise<T> {
  const store = await open(flags, durable);
  try {
    return await run(store);
  } finally {
    await store.close();
  }
}

function usage<T>(run: () => T): T {
  try {
    return run();
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

function ingestSummary(s: FileIngestStats, dropped: number): string {
  const malformed = s.malformed > 0 ? `, ${s.malformed} malformed lines skipped` : '';
  return `palisade: ${s.received} events read, ${s.stored} stored, ${s.duplicates} duplicates, ${s.rejected} rejected${malformed}, ${s.alerts} alerts` +
    `${dropped > 0 ? `, ${dropped} alerts not delivered by an output channel` : ''}\n`;
}

interface IngestFlags extends DbFlags, OutputFlags, RuleFlags {
  follow?: boolean;
  detect: boolean;
}

function registerIngest(audit: Command, setExit: (code: number) => void): void {
  const cmd = audit
    .command('ingest')
    .description('Store audit logs (JSON lines as the API server writes them, v1/v1beta1, rotated files, .gz) and run the k8s_audit rules on them')
    .argument('[logs...]', 'audit log files, or - for standard input (default: -)')
    .option('--db <spec>', DB_HELP)
    .option('--follow', 'keep reading the files as they grow, across rotation; stop with Ctrl-C')
    .option('--no-detect', 'store only, run no rules');
  addRuleOptions(cmd);
  addOutputOptions(cmd);
  cmd.action(async (logs: string[], flags: IngestFlags) => {
    const sinks = sinksFor(flags);
    const rules = flags.detect ? await loadRulesFromFlags(flags) : undefined;
    if (flags.detect && !rules) {
      await closeSinks(sinks);
      setExit(1);
      return;
    }
    await untilInterrupted((signal) => withStore(flags, async (store) => {
      const ingestor = new Ingestor({
        store, sinks, ...(rules ? { built: rules.built, source: rules.sources.k8s_audit } : {}),
        alertOptions: flags.hostname ? { hostname: flags.hostname } : {},
      });
      const problems = limitedReporter();
      const stats = await ingestFiles(logs.length > 0 ? logs : ['-'], ingestor, { follow: flags.follow === true, signal, report: problems.report });
      const dropped = await closeSinks(sinks);
      process.stderr.write(ingestSummary(stats, dropped));
      setExit(stats.unreadable > 0 ? 2 : 0);
    }, false));
  });
}

function registerServe(audit: Command): void {
  const cmd = audit
    .command('serve')
    .description("The audit webhook backend: receives the API server's EventList POSTs at /audit, stores them before answering, runs the k8s_audit rules");
  addServerOptions(cmd);
  addAuditBackendOptions(cmd, DB_HELP);
  cmd.option('--max-body <size>', 'largest request body; bigger ones get 413', '64MiB');
  cmd.action(async (flags: ServerFlags & AuditBackendFlags & { maxBody: string }) => {
    const server = serverFromFlags(flags);
    const bodyLimit = usage(() => parseSize(flags.maxBody, '--max-body'));
    const backend = await startAuditBackend(flags, (f) => open(f));
    const app = buildServer({ ...(server.tls ? { tls: server.tls } : {}), bodyLimit: bodyLimit || DEFAULT_BODY_LIMIT, audit: backend.receiver, log: server.log });
    await serveUntilSignal(app, server, `audit webhook listening on {url}/audit (store: ${backend.storeKind})`, backend.stop);
  });
}

function registerWebhookConfig(audit: Command): void {
  audit
    .command('webhook-config')
    .description("Print the kubeconfig for kube-apiserver's --audit-webhook-config-file, pointing at `palisade audit serve`")
    .requiredOption('--url <url>', 'the receiver, e.g. https://palisade.palisade.svc:8443/audit')
    .option('--ca-file <file>', "PEM CA that signed the receiver's certificate (embedded)")
    .option('--client-cert <path>', 'client certificate path on the control-plane node (mutual TLS)')
    .option('--client-key <path>', 'client key path on the control-plane node')
    .option('--token-file <path>', 'bearer token file path on the control-plane node')
    .option('--name <name>', 'cluster/user/context name', 'palisade-audit')
    .action((flags: { url: string; caFile?: string; clientCert?: string; clientKey?: string; tokenFile?: string; name: string }) => {
      let caPem: string | undefined;
      if (flags.caFile !== undefined) {
        try {
          caPem = readFileSync(flags.caFile, 'utf8');
        } catch (err) {
          throw new UsageError(`--ca-file ${flags.caFile}: cannot read (${errorCode(err)})`);
        }
      }
      process.stdout.write(usage(() => webhookKubeconfig({
        url: flags.url, name: flags.name,
        ...(caPem !== undefined ? { caPem } : {}),
        ...(flags.clientCert !== undefined ? { clientCertificate: flags.clientCert } : {}),
        ...(flags.clientKey !== undefined ? { clientKey: flags.clientKey } : {}),
        ...(flags.tokenFile !== undefined ? { tokenFile: flags.tokenFile } : {}),
      })));
    });
}

interface QueryFlags extends DbFlags {
  user?: string;
  group?: string;
  verb?: string[];
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  sourceIp?: string;
  userAgent?: string;
  since?: string;
  until?: string;
  denied?: boolean;
  limit: string;
  order: 'asc' | 'desc';
  format: 'table' | 'json' | 'csv';
}

function limitOf(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--limit: expected a positive number, got "${text}"`);
  return n;
}

function timeWindow(flags: { since?: string; until?: string }): { since?: number; until?: number } {
  return usage(() => ({
    ...(flags.since !== undefined ? { since: parseTimeSpec(flags.since, '--since') } : {}),
    ...(flags.until !== undefined ? { until: parseTimeSpec(flags.until, '--until') } : {}),
  }));
}

function printEvents(events: Parameters<typeof eventsTable>[0], format: QueryFlags['format'], limit: number): void {
  if (format === 'json') process.stdout.write(eventsJsonLines(events));
  else if (format === 'csv') process.stdout.write(eventsCsv(events));
  else {
    process.stdout.write(events.length > 0 ? eventsTable(events) : '');
    process.stderr.write(`palisade: ${events.length} events${events.length === limit ? ` (the first ${limit}: raise --limit for more)` : ''}\n`);
  }
}

function registerQuery(audit: Command): void {
  audit
    .command('query')
    .description('Who did what, when and where: stored audit events matching every filter given, oldest first')
    .option('--db <spec>', DB_HELP)
    .option('--user <name>', 'authenticated user name')
    .option('--group <group>', 'one of the user\'s groups')
    .option('--verb <verb>', 'verb (repeatable: any of them)', (v: string, prev: string[] | undefined) => [...(prev ?? []), v])
    .option('--resource <resource>', 'resource (pods, secrets, …) or resource/subresource (pods/exec)')
    .option('-n, --namespace <namespace>', 'namespace')
    .option('--name <name>', 'object name')
    .option('--source-ip <ip>', 'client address')
    .option('--user-agent <ua>', 'exact user agent')
    .option('--since <time>', 'from this time: 2h, 7d, or RFC 3339')
    .option('--until <time>', 'until this time (exclusive)')
    .option('--denied', 'only requests denied by authorization or authentication (forbid, 401, 403)')
    .option('--limit <n>', 'at most this many events', '1000')
    .addOption(new Option('--order <order>', 'oldest or newest first').choices(['asc', 'desc']).default('asc'))
    .addOption(new Option('-f, --format <format>', 'output format (json: the stored events as JSON lines)').choices(['table', 'json', 'csv']).default('table'))
    .action(async (flags: QueryFlags) => {
      const limit = limitOf(flags.limit);
      const q: EventQuery = { ...timeWindow(flags), order: flags.order, limit };
      if (flags.user !== undefined) q.user = flags.user;
      if (flags.group !== undefined) q.group = flags.group;
      if (flags.verb !== undefined) q.verb = flags.verb;
      if (flags.resource !== undefined) {
        const [resource, subresource] = flags.resource.split('/', 2);
        q.resource = resource;
        if (subresource !== undefined) q.subresource = subresource;
      }
      if (flags.namespace !== undefined) q.namespace = flags.namespace;
      if (flags.name !== undefined) q.name = flags.name;
      if (flags.sourceIp !== undefined) q.sourceIp = flags.sourceIp;
      if (flags.userAgent !== undefined) q.userAgent = flags.userAgent;
      if (flags.denied) q.denied = true;
      const events = await withStore(flags, (store) => store.queryEvents(q));
      printEvents(events, flags.format, limit);
    });
}

function registerWhoTouched(audit: Command): void {
  audit
    .command('who-touched')
    .description('Every change to one object (create, update, patch, delete, and subresources such as pods/exec), oldest first')
    .argument('<object>', 'KIND/NAME, e.g. deployment/web, secret/db-password, clusterrolebinding/admins')
    .option('-n, --namespace <namespace>', 'namespace of the object (omit for cluster-scoped objects)')
    .option('--db <spec>', DB_HELP)
    .option('--all-verbs', 'reads too (get, list, watch), not only changes')
    .option('--limit <n>', 'at most this many events', '1000')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json', 'csv']).default('table'))
    .action(async (object: string, flags: DbFlags & { namespace?: string; allVerbs?: boolean; limit: string; format: QueryFlags['format'] }) => {
      const ref = usage(() => parseObjectRef(object));
      const limit = limitOf(flags.limit);
      const events = await withStore(flags, (store) => store.whoTouched({
        resource: ref.resource, name: ref.name, limit,
        ...(flags.namespace !== undefined ? { namespace: flags.namespace } : {}),
        ...(flags.allVerbs ? { verbs: ['create', 'update', 'patch', 'delete', 'deletecollection', 'get', 'list', 'watch'] } : {}),
      }));
      printEvents(events, flags.format, limit);
    });
}

function registerSummary(audit: Command): void {
  audit
    .command('summary')
    .description('Top users, verbs and resources, denied requests, anonymous access and alerts')
    .option('--db <spec>', DB_HELP)
    .option('--since <time>', 'from this time: 2h, 7d, or RFC 3339')
    .option('--until <time>', 'until this time (exclusive)')
    .option('--top <n>', 'rows per list', '10')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (flags: DbFlags & { since?: string; until?: string; top: string; format: 'text' | 'json' }) => {
      const summary = await withStore(flags, (store) => store.summary({ ...timeWindow(flags), top: limitOf(flags.top) }));
      process.stdout.write(flags.format === 'json' ? `${JSON.stringify(summary, null, 2)}\n` : summaryText(summary));
    });
}

function registerAlerts(audit: Command): void {
  audit
    .command('alerts')
    .description('Alerts the rules raised on ingested events, oldest first')
    .option('--db <spec>', DB_HELP)
    .option('--since <time>', 'from this time: 2h, 7d, or RFC 3339')
    .option('--until <time>', 'until this time (exclusive)')
    .option('--rule <name>', 'only this rule')
    .option('--limit <n>', 'at most this many alerts', '1000')
    .addOption(new Option('-f, --format <format>', "output format (json: Falco's JSON alerts, one per line)").choices(['table', 'json']).default('table'))
    .action(async (flags: DbFlags & { since?: string; until?: string; rule?: string; limit: string; format: 'table' | 'json' }) => {
      const limit = limitOf(flags.limit);
      const alerts = await withStore(flags, (store) => store.queryAlerts({ ...timeWindow(flags), limit, ...(flags.rule !== undefined ? { rule: flags.rule } : {}) }));
      if (flags.format === 'json') process.stdout.write(alertsJsonLines(alerts));
      else {
        process.stdout.write(alerts.length > 0 ? alertsTable(alerts) : '');
        process.stderr.write(`palisade: ${alerts.length} alerts\n`);
      }
    });
}

function registerPrune(audit: Command): void {
  audit
    .command('prune')
    .description('Apply retention now: delete events (and their alerts) by age and by total size')
    .option('--db <spec>', DB_HELP)
    .option('--retain-age <duration>', 'delete events older than this (e.g. 30d)')
    .option('--retain-size <size>', 'delete the oldest events beyond this much stored event data (e.g. 20GB)')
    .action(async (flags: DbFlags & { retainAge?: string; retainSize?: string }) => {
      const retention = retentionFrom(flags);
      if (!retention) throw new UsageError('prune: give --retain-age, --retain-size or both');
      const removed = await withStore(flags, (store) => store.applyRetention(retention));
      process.stderr.write(`palisade: ${removed.events} events and ${removed.alerts} alerts deleted\n`);
    });
}

export function registerAudit(program: Command, setExit: (code: number) => void): void {
  const audit = program.command('audit').description('Kubernetes audit: policy tooling, log and webhook ingestion with detection, timeline queries');
  registerAuditPolicy(audit, setExit);
  registerIngest(audit, setExit);
  registerServe(audit);
  registerWebhookConfig(audit);
  registerQuery(audit);
  registerWhoTouched(audit);
  registerSummary(audit);
  registerAlerts(audit);
  registerPrune(audit);
}
