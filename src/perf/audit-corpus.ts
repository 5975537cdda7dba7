/**
 * A realistic Kubernetes audit log: a day of a small cluster (3 nodes, controllers, a CI
 * service account, a few developers) as the API server's log backend writes it — one
 * audit.k8s.io/v1 Event per line, Metadata level for most requests and RequestResponse for
 * writes to workloads, RBAC and ConfigMaps (the levels the recommended policy uses) — with
 * an attack sequence in the middle of the night:
 *
 *   02:12  anonymous probing: five requests denied (403)
 *   02:13  an anonymous request is allowed (a misconfigured binding)
 *   02:14  a developer's stolen kubeconfig (dave) lists and reads Secrets in prod
 *   02:16  dave creates a privileged pod with the node's / mounted (hostPath)
 *   02:17  dave execs into it (`sh`)
 *   02:19  a ClusterRole with wildcards is created and cluster-admin is bound to a new SA
 *   02:21  a ConfigMap with a password is written
 *   02:24  the namespace holding the log shipper is deleted
 *
 * Deterministic (seeded): the same call writes the same bytes.
 */
import { rng } from './corpus.js';

export interface AuditEvent {
  kind: 'Event';
  apiVersion: 'audit.k8s.io/v1';
  level: 'Metadata' | 'Request' | 'RequestResponse';
  auditID: string;
  stage: 'ResponseComplete';
  requestURI: string;
  verb: string;
  user: { username: string; uid?: string; groups: string[] };
  sourceIPs: string[];
  userAgent: string;
  objectRef?: { resource: string; namespace?: string; name?: string; apiGroup?: string; apiVersion: string; subresource?: string };
  responseStatus: { metadata: Record<string, never>; code: number; status?: string; reason?: string; message?: string };
  requestObject?: unknown;
  responseObject?: unknown;
  requestReceivedTimestamp: string;
  stageTimestamp: string;
  annotations: Record<string, string>;
}

/** The attack steps, by the rule each one should raise (Palisade's default k8s_audit rules). */
export const ATTACK_ALERTS: ReadonlyArray<{ rule: string; count: number }> = [
  { rule: 'Anonymous request allowed', count: 1 },
  { rule: 'Secret read by a non-system user', count: 3 },
  { rule: 'Privileged pod created', count: 1 },
  { rule: 'Pod with hostPath volume created', count: 1 },
  { rule: 'Exec or attach into pod', count: 1 },
  { rule: 'Role or ClusterRole with wildcard created', count: 1 },
  { rule: 'Role or ClusterRole with write privileges created', count: 1 },
  { rule: 'Cluster-admin role bound', count: 1 },
  { rule: 'ConfigMap with credential-looking values', count: 1 },
  { rule: 'Namespace deleted', count: 1 },
];

const NODES = ['node-a', 'node-b', 'node-c'];
const NAMESPACES = ['prod', 'staging', 'monitoring', 'logging'];
const KUBECTL = 'kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46';

function uuid(r: () => number): string {
  const h = () => Math.floor(r() * 0x10000).toString(16).padStart(4, '0');
  return `${h()}${h()}-${h()}-4${h().slice(1)}-a${h().slice(1)}-${h()}${h()}${h()}`;
}

function iso(ms: number, extraMicros: number): string {
  const d = new Date(ms).toISOString(); // 2026-11-22T02:13:00.123Z
  return `${d.slice(0, 23)}${String(extraMicros).padStart(3, '0')}Z`;
}

interface Req {
  verb: string;
  user: string;
  groups: string[];
  ip: string;
  agent: string;
  resource?: string;
  apiGroup?: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  uri?: string;
  code?: number;
  level?: AuditEvent['level'];
  requestObject?: unknown;
  responseObject?: unknown;
  reason?: string;
}

function groupPath(apiGroup: string | undefined): string {
  return apiGroup ? `/apis/${apiGroup}/v1` : '/api/v1';
}

function uriOf(q: Req): string {
  if (q.uri) return q.uri;
  let u = groupPath(q.apiGroup);
  if (q.namespace) u += `/namespaces/${q.namespace}`;
  u += `/${q.resource}`;
  if (q.name) u += `/${q.name}`;
  if (q.subresource) u += `/${q.subresource}`;
  if (q.verb === 'watch') u += '?watch=true&timeoutSeconds=540';
  return u;
}

function event(r: () => number, ms: number, req: Req): AuditEvent {
  let q = req;
  const code = q.code ?? (q.verb === 'create' ? 201 : 200);
  const ev: AuditEvent = {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: q.level ?? 'Metadata',
    auditID: uuid(r),
    stage: 'ResponseComplete',
    requestURI: uriOf(req),
    verb: q.verb,
    user: { username: q.user, groups: q.groups },
    sourceIPs: [q.ip],
    userAgent: q.agent,
    responseStatus: code >= 400 ? { metadata: {}, status: 'Failure', reason: code === 403 ? 'Forbidden' : 'NotFound', code } : { metadata: {}, code },
    requestReceivedTimestamp: iso(ms, Math.floor(r() * 1000)),
    stageTimestamp: iso(ms + 3 + Math.floor(r() * 40), Math.floor(r() * 1000)),
    annotations: {
      'authorization.k8s.io/decision': code === 403 ? 'forbid' : 'allow',
      'authorization.k8s.io/reason': q.reason ?? (code === 403 ? '' : `RBAC: allowed by ClusterRoleBinding "${q.user.startsWith('system:') ? q.user.replace(/^system:/, 'system:') : 'developers'}"`),
    },
  };
  // The API server fills objectRef.name of a create from the object's metadata (LogRequestObject).
  const objectName = (q.requestObject as { metadata?: { name?: string } } | undefined)?.metadata?.name;
  if (q.name === undefined && q.verb === 'create' && objectName !== undefined) q = { ...q, name: objectName };
  if (q.resource) {
    ev.objectRef = { resource: q.resource, apiVersion: 'v1', ...(q.apiGroup ? { apiGroup: q.apiGroup } : {}), ...(q.namespace ? { namespace: q.namespace } : {}), ...(q.name ? { name: q.name } : {}), ...(q.subresource ? { subresource: q.subresource } : {}) };
  }
  if (q.requestObject !== undefined) ev.requestObject = q.requestObject;
  if (q.responseObject !== undefined) ev.responseObject = q.responseObject;
  return ev;
}

function pod(name: string, ns: string, spec: Record<string, unknown>): Record<string, unknown> {
  return { kind: 'Pod', apiVersion: 'v1', metadata: { name, namespace: ns, labels: { app: name.split('-')[0] } }, spec };
}

/** Background traffic: one request of a healthy cluster at time `ms`. */
function background(r: () => number, ms: number): AuditEvent {
  const x = r();
  const node = NODES[Math.floor(r() * NODES.length)];
  const ns = NAMESPACES[Math.floor(r() * NAMESPACES.length)];
  if (x < 0.35) {
    return event(r, ms, { verb: 'update', user: `system:node:${node}`, groups: ['system:nodes', 'system:authenticated'], ip: '10.0.1.' + (NODES.indexOf(node) + 10), agent: 'kubelet/v1.31.2 (linux/amd64) kubernetes/5864a46', resource: 'leases', apiGroup: 'coordination.k8s.io', namespace: 'kube-node-lease', name: node });
  }
  if (x < 0.5) {
    return event(r, ms, { verb: 'patch', user: `system:node:${node}`, groups: ['system:nodes', 'system:authenticated'], ip: '10.0.1.' + (NODES.indexOf(node) + 10), agent: 'kubelet/v1.31.2 (linux/amd64) kubernetes/5864a46', resource: 'nodes', name: node, subresource: 'status' });
  }
  if (x < 0.65) {
    const res = ['pods', 'endpoints', 'configmaps', 'services'][Math.floor(r() * 4)];
    return event(r, ms, { verb: r() < 0.5 ? 'watch' : 'list', user: 'system:kube-controller-manager', groups: ['system:authenticated'], ip: '10.0.1.2', agent: 'kube-controller-manager/v1.31.2 (linux/amd64) kubernetes/5864a46/shared-informers', resource: res });
  }
  if (x < 0.72) {
    return event(r, ms, { verb: 'get', user: 'system:serviceaccount:kube-system:coredns', groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'], ip: '10.244.0.5', agent: 'coredns/v1.11.3', resource: 'endpointslices', apiGroup: 'discovery.k8s.io' });
  }
  if (x < 0.78) {
    return event(r, ms, { verb: 'get', user: 'system:serviceaccount:kube-system:kube-proxy', groups: ['system:serviceaccounts', 'system:authenticated'], ip: '10.0.1.10', agent: 'kube-proxy/v1.31.2', resource: 'secrets', namespace: 'kube-system', name: 'kube-proxy-token' });
  }
  if (x < 0.84) {
    return event(r, ms, { verb: 'get', user: 'system:anonymous', groups: ['system:unauthenticated'], ip: '10.0.0.1', agent: 'kube-probe/1.31', uri: '/readyz', reason: 'RBAC: allowed by ClusterRoleBinding "system:public-info-viewer" of ClusterRole "system:public-info-viewer" to Group "system:unauthenticated"' });
  }
  if (x < 0.93) {
    const user = r() < 0.5 ? 'alice' : 'bob';
    const verb = ['get', 'list', 'get', 'list', 'watch'][Math.floor(r() * 5)];
    const res = ['pods', 'deployments', 'services', 'events'][Math.floor(r() * 4)];
    return event(r, ms, { verb, user, groups: ['developers', 'system:authenticated'], ip: user === 'alice' ? '192.168.10.21' : '192.168.10.34', agent: KUBECTL, resource: res, apiGroup: res === 'deployments' ? 'apps' : undefined, namespace: ns, code: r() < 0.03 ? 403 : undefined });
  }
  // CI rolls out a deployment (RequestResponse for writes to workloads).
  const app = ['api', 'worker', 'frontend', 'checkout'][Math.floor(r() * 4)];
  const tag = `1.${Math.floor(r() * 40)}.${Math.floor(r() * 10)}`;
  const deploy = { kind: 'Deployment', apiVersion: 'apps/v1', metadata: { name: app, namespace: 'prod' }, spec: { replicas: 3, selector: { matchLabels: { app } }, template: { metadata: { labels: { app } }, spec: { containers: [{ name: app, image: `registry.example.com/shop/${app}:${tag}`, securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false } }] } } } };
  return event(r, ms, { verb: 'patch', user: 'system:serviceaccount:ci:deployer', groups: ['system:serviceaccounts', 'system:serviceaccounts:ci', 'system:authenticated'], ip: '10.244.2.17', agent: 'argocd-application-controller/v2.12', resource: 'deployments', apiGroup: 'apps', namespace: 'prod', name: app, level: 'RequestResponse', requestObject: { spec: { template: { spec: { containers: [{ name: app, image: `registry.example.com/shop/${app}:${tag}` }] } } } }, responseObject: deploy });
}

/** The attack, as events at their times (ms since the day's start are added by the caller). */
function attack(r: () => number, day: number): AuditEvent[] {
  const at = (h: number, m: number, s: number) => day + ((h * 60 + m) * 60 + s) * 1000;
  const dave = { user: 'dave', groups: ['developers', 'system:authenticated'], ip: '203.0.113.77', agent: KUBECTL };
  const evil = pod('debug-tools', 'prod', {
    hostPID: true,
    containers: [{ name: 'shell', image: 'docker.io/library/alpine:3.20', command: ['sleep', 'infinity'], securityContext: { privileged: true }, volumeMounts: [{ name: 'host', mountPath: '/host' }] }],
    volumes: [{ name: 'host', hostPath: { path: '/', type: 'Directory' } }],
  });
  const wildcard = { kind: 'ClusterRole', apiVersion: 'rbac.authorization.k8s.io/v1', metadata: { name: 'ops-helper' }, rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] };
  const binding = { kind: 'ClusterRoleBinding', apiVersion: 'rbac.authorization.k8s.io/v1', metadata: { name: 'ops-helper-admin' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ kind: 'ServiceAccount', name: 'ops-helper', namespace: 'kube-system' }] };
  const cm = { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'backup-settings', namespace: 'prod' }, data: { 'backup.conf': 'target=s3://backups\naws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY\n' } };
  const probe = { user: 'system:anonymous', groups: ['system:unauthenticated'], ip: '203.0.113.77', agent: 'curl/8.5.0', code: 403 };
  return [
    // Anonymous probing: what can an unauthenticated client see? Mostly nothing…
    event(r, at(2, 12, 1), { ...probe, verb: 'list', resource: 'secrets' }),
    event(r, at(2, 12, 2), { ...probe, verb: 'list', resource: 'pods' }),
    event(r, at(2, 12, 4), { ...probe, verb: 'list', resource: 'secrets', namespace: 'kube-system' }),
    event(r, at(2, 12, 6), { ...probe, verb: 'list', resource: 'clusterrolebindings', apiGroup: 'rbac.authorization.k8s.io' }),
    event(r, at(2, 12, 9), { ...probe, verb: 'list', resource: 'nodes' }),
    // …but a forgotten binding lets it list namespaces.
    event(r, at(2, 13, 5), { verb: 'list', user: 'system:anonymous', groups: ['system:unauthenticated'], ip: '203.0.113.77', agent: 'curl/8.5.0', resource: 'namespaces', reason: 'RBAC: allowed by ClusterRoleBinding "legacy-anonymous-view" of ClusterRole "view" to User "system:anonymous"' }),
    event(r, at(2, 14, 10), { ...dave, verb: 'list', resource: 'secrets', namespace: 'prod' }),
    event(r, at(2, 14, 31), { ...dave, verb: 'get', resource: 'secrets', namespace: 'prod', name: 'payments-db' }),
    event(r, at(2, 14, 40), { ...dave, verb: 'get', resource: 'secrets', namespace: 'prod', name: 'stripe-api-key' }),
    event(r, at(2, 16, 2), { ...dave, verb: 'create', resource: 'pods', namespace: 'prod', level: 'RequestResponse', requestObject: evil, responseObject: { ...evil, metadata: { ...(evil.metadata as object), uid: uuid(r) } } }),
    event(r, at(2, 17, 44), { ...dave, verb: 'create', resource: 'pods', namespace: 'prod', name: 'debug-tools', subresource: 'exec', code: 101, uri: '/api/v1/namespaces/prod/pods/debug-tools/exec?command=sh&container=shell&stdin=true&stdout=true&tty=true' }),
    event(r, at(2, 19, 3), { ...dave, verb: 'create', resource: 'clusterroles', apiGroup: 'rbac.authorization.k8s.io', level: 'RequestResponse', requestObject: wildcard, responseObject: wildcard }),
    event(r, at(2, 19, 20), { ...dave, verb: 'create', resource: 'clusterrolebindings', apiGroup: 'rbac.authorization.k8s.io', level: 'RequestResponse', requestObject: binding, responseObject: binding }),
    event(r, at(2, 21, 9), { ...dave, verb: 'create', resource: 'configmaps', namespace: 'prod', level: 'RequestResponse', requestObject: cm, responseObject: cm }),
    event(r, at(2, 24, 51), { ...dave, verb: 'delete', resource: 'namespaces', name: 'logging', level: 'RequestResponse' }),
  ];
}

/**
 * The day's events in time order: `background` requests spread over 24 hours plus the
 * attack. 2026-11-22 UTC by default.
 */
export function* auditDay(opts: { background?: number; seed?: number; day?: string } = {}): Generator<AuditEvent> {
  const r = rng(opts.seed ?? 20261122);
  const day = Date.parse(opts.day ?? '2026-11-22T00:00:00Z');
  const n = opts.background ?? 5000;
  const attackEvents = attack(r, day);
  let next = 0;
  const step = 86_400_000 / n;
  for (let i = 0; i < n; i++) {
    const ms = Math.floor(day + i * step + r() * step * 0.9);
    while (next < attackEvents.length && Date.parse(attackEvents[next].stageTimestamp) <= ms) yield attackEvents[next++];
    yield background(r, ms);
  }
  while (next < attackEvents.length) yield attackEvents[next++];
}

/** Background events only, at a steady clock (for the benchmark's million-event stream). */
export function* auditStream(count: number, seed = 7): Generator<AuditEvent> {
  const r = rng(seed);
  const start = Date.parse('2026-11-22T00:00:00Z');
  for (let i = 0; i < count; i++) yield background(r, start + i * 10);
}

/** The example log in examples/audit/cluster-day.jsonl: one ordinary request a minute plus the attack. */
export function auditDayText(): string {
  let out = '';
  for (const ev of auditDay({ background: 1440 })) out += `${JSON.stringify(ev)}\n`;
  return out;
}
