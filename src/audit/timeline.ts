/**
 * The timeline questions in a user's words: times like `2h` or an RFC 3339 instant, objects
 * named `KIND/NAME` the way kubectl names them, and the answers as a table, CSV or JSON lines.
 */
import type { StoredAlert, StoredEvent, Summary } from '../store/index.js';
import { micros } from './record.js';

const UNIT_MICROS: Record<string, number> = { s: 1e6, m: 60e6, h: 3600e6, d: 86400e6, w: 7 * 86400e6 };

/** A duration `90s`, `15m`, `2h`, `7d`, `1w` (or a sum: `1h30m`) → µs; undefined if not one. */
export function parseDurationMicros(text: string): number | undefined {
  if (!/^(\d+(\.\d+)?[smhdw])+$/.test(text)) return undefined;
  let total = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)([smhdw])/g)) total += Number(m[1]) * UNIT_MICROS[m[2]];
  return Math.round(total);
}

/**
 * `--since`/`--until`: a duration back from now (`2h`), an RFC 3339 instant, or a date
 * (`2026-11-22`, midnight UTC). Throws a one-line message otherwise.
 */
export function parseTimeSpec(text: string, flag: string, nowMicros = Date.now() * 1000): number {
  const d = parseDurationMicros(text);
  if (d !== undefined) return nowMicros - d;
  const t = micros(text) ?? (/^\d{4}-\d{2}-\d{2}$/.test(text) ? micros(`${text}T00:00:00Z`) : undefined);
  if (t === undefined) throw new Error(`${flag}: expected a duration (30m, 2h, 7d) or an RFC 3339 time (2026-11-22T02:00:00Z), got "${text}"`);
  return t;
}

/** A size like `500MB`, `10GiB`, `2G` → bytes. */
export function parseSize(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?i?b?)?$/i.exec(text.trim());
  if (!m) throw new Error(`${flag}: expected a size such as 500MB or 10GiB, got "${text}"`);
  const unit = (m[2] ?? '').toLowerCase().replace(/b$/, '');
  const power = { '': 0, k: 1, m: 2, g: 3, t: 4 }[unit.replace('i', '')] ?? 0;
  const base = unit.endsWith('i') ? 1024 : 1000;
  return Math.round(Number(m[1]) * base ** power);
}

// --- naming objects -------------------------------------------------------------------------

/** kubectl's short names and the kinds whose plural is not regular. */
const ALIASES: Record<string, { resource: string; group?: string }> = {
  po: { resource: 'pods' }, svc: { resource: 'services' }, cm: { resource: 'configmaps' }, sa: { resource: 'serviceaccounts' },
  ns: { resource: 'namespaces' }, no: { resource: 'nodes' }, pv: { resource: 'persistentvolumes' }, pvc: { resource: 'persistentvolumeclaims' },
  ep: { resource: 'endpoints' }, endpoints: { resource: 'endpoints' }, ev: { resource: 'events' }, rc: { resource: 'replicationcontrollers' },
  limits: { resource: 'limitranges' }, quota: { resource: 'resourcequotas' },
  deploy: { resource: 'deployments', group: 'apps' }, ds: { resource: 'daemonsets', group: 'apps' }, sts: { resource: 'statefulsets', group: 'apps' },
  rs: { resource: 'replicasets', group: 'apps' }, cj: { resource: 'cronjobs', group: 'batch' }, ing: { resource: 'ingresses', group: 'networking.k8s.io' },
  netpol: { resource: 'networkpolicies', group: 'networking.k8s.io' }, pdb: { resource: 'poddisruptionbudgets', group: 'policy' },
  hpa: { resource: 'horizontalpodautoscalers', group: 'autoscaling' }, crd: { resource: 'customresourcedefinitions', group: 'apiextensions.k8s.io' },
  psp: { resource: 'podsecuritypolicies', group: 'policy' }, sc: { resource: 'storageclasses', group: 'storage.k8s.io' },
  csr: { resource: 'certificatesigningrequests', group: 'certificates.k8s.io' },
};

/** Kind or resource name → the resource (plural, lower case) the audit log records. */
export function resourceOf(kind: string): { resource: string; group?: string } {
  const [head, ...groupParts] = kind.split('.');
  const group = groupParts.length > 0 ? groupParts.join('.') : undefined;
  const lower = head.toLowerCase();
  const alias = ALIASES[lower];
  if (alias) return group !== undefined ? { resource: alias.resource, group } : alias;
  let resource: string;
  if (lower.endsWith('ss') || /(x|ch|sh)$/.test(lower)) resource = `${lower}es`; // ingress → ingresses
  else if (lower.endsWith('s')) resource = lower; // already plural: pods, networkpolicies
  else if (/[^aeiou]y$/.test(lower)) resource = `${lower.slice(0, -1)}ies`; // networkpolicy → networkpolicies
  else resource = `${lower}s`;
  return group !== undefined ? { resource, group } : { resource };
}

/** `deployment/web`, `deployments.apps/web`, `clusterrolebinding/x` → resource, group, name. */
export function parseObjectRef(text: string): { resource: string; group?: string; name: string } {
  const slash = text.indexOf('/');
  if (slash <= 0 || slash === text.length - 1 || text.indexOf('/', slash + 1) >= 0) {
    throw new Error(`expected KIND/NAME (e.g. deployment/web, clusterrolebinding/admins), got "${text}"`);
  }
  return { ...resourceOf(text.slice(0, slash)), name: text.slice(slash + 1) };
}

// --- answers --------------------------------------------------------------------------------

export function isoMicros(t: number): string {
  const ms = Math.floor(t / 1000);
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 19)}.${String(Math.floor(t % 1e6)).padStart(6, '0')}Z`;
}

export const EVENT_COLUMNS = ['time', 'user', 'verb', 'resource', 'namespace', 'name', 'code', 'decision', 'sourceIP', 'userAgent', 'auditID', 'stage'] as const;

/** One row of the who/what/when/where table. */
export function eventRow(e: StoredEvent): Record<(typeof EVENT_COLUMNS)[number], string> {
  const resource = e.resource === '' ? e.requestUri.split('?')[0] : `${e.resource}${e.subresource ? `/${e.subresource}` : ''}`;
  const user = e.impersonatedUser ? `${e.user || '(anonymous)'} as ${e.impersonatedUser}` : e.user || '(anonymous)';
  return {
    time: isoMicros(e.time),
    user,
    verb: e.verb,
    resource,
    namespace: e.namespace,
    name: e.name,
    code: e.code === null ? '' : String(e.code),
    decision: e.decision,
    sourceIP: e.sourceIps[0] ?? '',
    userAgent: e.userAgent,
    auditID: e.auditId,
    stage: e.stage,
  };
}

function csvCell(value: string): string {
  // Cells that a spreadsheet would run as a formula are quoted with a leading apostrophe.
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function eventsCsv(events: readonly StoredEvent[]): string {
  const lines = [EVENT_COLUMNS.join(',')];
  for (const e of events) {
    const row = eventRow(e);
    lines.push(EVENT_COLUMNS.map((c) => csvCell(row[c])).join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** JSON lines of the stored events: the same shape as the API server's log, so it pipes into `palisade detect`. */
export function eventsJsonLines(events: readonly StoredEvent[]): string {
  return events.map((e) => `${e.event}\n`).join('');
}

export function alertsJsonLines(alerts: readonly StoredAlert[]): string {
  return alerts.map((a) => `${a.alert}\n`).join('');
}

export function summaryText(s: Summary): string {
  const out: string[] = [];
  const span = s.first !== null && s.last !== null ? `${isoMicros(s.first)} … ${isoMicros(s.last)}` : 'no events';
  out.push(`${s.events} events, ${span}`);
  const list = (title: string, rows: Summary['topUsers']) => {
    out.push('', `${title}:`);
    if (rows.length === 0) out.push('  (none)');
    const width = Math.max(...rows.map((r) => String(r.count).length), 1);
    for (const r of rows) out.push(`  ${String(r.count).padStart(width)}  ${r.key || '(anonymous)'}`);
  };
  list('Top users', s.topUsers);
  list('Verbs', s.verbs);
  list('Top resources', s.topResources);
  list('Denied requests by user', s.deniedByUser);
  out.push('', 'Anomalies:');
  const anomalies: string[] = [];
  if (s.anonymous > 0) anomalies.push(`${s.anonymous} requests from unauthenticated users (system:anonymous)`);
  for (const r of s.deniedByUser.slice(0, 3)) if (r.count >= 5) anomalies.push(`${r.key || '(anonymous)'} was denied ${r.count} times (probing?)`);
  for (const a of s.alertsByRule) anomalies.push(`${a.count} × alert "${a.key}"`);
  out.push(...(anomalies.length > 0 ? anomalies.map((a) => `  ${a}`) : ['  (none)']));
  return `${out.join('\n')}\n`;
}

/** Rows as aligned text columns (the last column is not padded). */
export function alignColumns(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  return all.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ').trimEnd()).join('\n') + '\n';
}

const TABLE_COLUMNS = ['time', 'user', 'verb', 'resource', 'namespace', 'name', 'code', 'sourceIP'] as const;

export function eventsTable(events: readonly StoredEvent[]): string {
  return alignColumns(
    TABLE_COLUMNS.map((c) => c.toUpperCase()),
    events.map((e) => {
      const row = eventRow(e);
      return TABLE_COLUMNS.map((c) => (c === 'code' && row.decision === 'forbid' ? `${row.code} forbid` : row[c]));
    }),
  );
}

export function alertsTable(alerts: readonly StoredAlert[]): string {
  return alignColumns(['TIME', 'PRIORITY', 'RULE', 'OUTPUT'], alerts.map((a) => [isoMicros(a.time), a.priority, a.rule, a.output]));
}
