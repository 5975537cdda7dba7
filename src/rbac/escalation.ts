/**
 * Escalation paths, computed: a graph whose nodes are identities (ServiceAccounts, users, group
 * members) and whose edges are things the authorizer allows that hand over another identity:
 *
 * - create pods (or a pod controller) in namespace N ⇒ run as any ServiceAccount of N, read its token;
 * - create serviceaccounts/token for SA s ⇒ become s;
 * - get/list secrets in N ⇒ become the SAs whose legacy token Secrets (type
 *   kubernetes.io/service-account-token) are in the input;
 * - impersonate users / serviceaccounts ⇒ become them; impersonate groups (system:masters) ⇒ cluster-admin;
 * - bind or escalate (with the write that uses it) ⇒ cluster-admin cluster-wide, full control of N in a namespace;
 * - an identity allowed `*` on `*` in every group cluster-wide, or in system:masters, is cluster-admin.
 *
 * A breadth-first search backwards from cluster-admin gives every identity its shortest chain.
 * "Every SA of N" and "every namespace" are hub nodes, so cluster-wide powers do not multiply edges.
 */
import { PRIVILEGED_GROUP, subjectLabel, type Authorizer } from './authorizer.js';
import { POD_CREATE_PROBES, SECRETS_READ_PROBES, probeRequest, type Probe } from './capabilities.js';
import { ALL_AUTHENTICATED, ALL_UNAUTHENTICATED, ANONYMOUS_USER, serviceAccountIdentity } from './identity.js';
import { ruleAllows } from './match.js';
import type { Grant, Subject, UserInfo } from './types.js';

const RBAC = 'rbac.authorization.k8s.io';
const SINK = 'cluster-admin';

interface Edge {
  to: string;
  /** What the source does (`create pods in ns prod`), or '' for a hub's fan-out. */
  label: string;
  grant?: Grant;
}

interface GraphNode {
  id: string;
  /** Identities: `sa:ns/name`, `user:name`, `group:name`; hubs have none. */
  label?: string;
  user?: UserInfo;
  edges: Edge[];
}

export interface ChainStep {
  /** What is done, e.g. `create pods in ns prod` ('' when the identity itself is cluster-admin). */
  action: string;
  /** The identity it yields (`sa:prod/admin-bot`), or `cluster-admin`. */
  reaches: string;
  /** The rule that allows it. */
  grant?: Grant;
}

export interface EscalationChain {
  start: Subject;
  steps: ChainStep[];
  /** `sa:ci/deployer → create pods in ns prod → sa:prod/admin-bot token → cluster-admin`. */
  text: string;
}

const probe = (verb: string, apiGroup: string, resource: string, subresource?: string): Probe => ({ verb, apiGroup, resource, subresource, label: `${verb} ${resource}${subresource ? '/' + subresource : ''}` });

const TOKEN = probe('create', '', 'serviceaccounts', 'token');
const IMPERSONATE_SA = probe('impersonate', '', 'serviceaccounts');
const IMPERSONATE_USER = probe('impersonate', '', 'users');
const IMPERSONATE_GROUP = probe('impersonate', '', 'groups');
const ALL = probe('*', '*', '*');

/** The identity a binding subject stands for (a Group: any member of it). */
export function subjectIdentity(s: Subject): UserInfo {
  switch (s.kind) {
    case 'ServiceAccount': return serviceAccountIdentity(s.namespace, s.name);
    case 'Group': return { name: `(a member of ${s.name})`, groups: s.name === ALL_UNAUTHENTICATED ? [s.name] : [...new Set([s.name, ALL_AUTHENTICATED])] };
    default: return { name: s.name, groups: s.name === ANONYMOUS_USER ? [ALL_UNAUTHENTICATED] : [ALL_AUTHENTICATED] };
  }
}

function nodeId(s: Subject): string {
  if (s.kind === 'User' && s.name.startsWith('system:serviceaccount:')) {
    const [ns, name] = s.name.slice('system:serviceaccount:'.length).split(':');
    if (name !== undefined) return `sa:${ns}/${name}`;
  }
  return subjectLabel(s);
}

/** A principal's rules, cluster-wide and per namespace, with first-match lookups. */
class Powers {
  private readonly cluster: Grant[];
  readonly byNs = new Map<string, Grant[]>();

  constructor(authz: Authorizer, readonly user: UserInfo) {
    this.cluster = authz.grantsFor(user, '').grants;
    for (const ns of authz.roleBindingNamespaces(user)) this.byNs.set(ns, authz.roleBindingGrants(user, ns).grants);
  }

  /** The grant allowing the probe cluster-wide (every namespace), if any. */
  clusterWide(p: Probe, name = ''): Grant | undefined {
    const req = probeRequest(p, '', name);
    return this.cluster.find((g) => ruleAllows(req, g.role.rules[g.ruleIndex]));
  }

  /** The grant of namespace ns's RoleBindings allowing the probe there. */
  local(p: Probe, ns: string, name = ''): Grant | undefined {
    const req = probeRequest(p, ns, name);
    return this.byNs.get(ns)?.find((g) => ruleAllows(req, g.role.rules[g.ruleIndex]));
  }

  /** The grant allowing the probe in namespace ns: cluster-wide rules, or that namespace's RoleBindings. */
  inNamespace(p: Probe, ns: string, name = ''): Grant | undefined {
    return this.clusterWide(p, name) ?? this.local(p, ns, name);
  }

  /** First allowed of several probes, cluster-wide (ns undefined) or by the namespace's own RoleBindings. */
  anyIn(probes: readonly Probe[], ns: string | undefined, name = ''): { grant: Grant; probe: Probe } | undefined {
    for (const p of probes) {
      const grant = ns === undefined ? this.clusterWide(p, name) : this.local(p, ns, name);
      if (grant) return { grant, probe: p };
    }
    return undefined;
  }

  /** Whether a rule with resourceNames may allow the probe for some name: cluster-wide (ns undefined) or in ns. */
  mentions(p: Probe, ns?: string): boolean {
    const check = (g: Grant) => {
      const r = g.role.rules[g.ruleIndex];
      return r.resourceNames.length > 0 && r.verbs.some((v) => v === '*' || v === p.verb);
    };
    return ns === undefined ? this.cluster.some(check) : (this.byNs.get(ns) ?? []).some(check);
  }
}

export interface EscalationOptions {
  /** Start subjects; default: every subject of every binding. */
  starts: readonly Subject[];
}

export function escalationChains(authz: Authorizer, opts: EscalationOptions): EscalationChain[] {
  const policy = authz.policy;
  const nodes = new Map<string, GraphNode>();
  const node = (id: string, extra: Partial<GraphNode> = {}): GraphNode => {
    let n = nodes.get(id);
    if (!n) nodes.set(id, (n = { id, edges: [], ...extra }));
    return n;
  };
  node(SINK, { label: SINK });

  // Identities that can be taken over: ServiceAccounts (and "any SA" of each namespace as its default SA), users.
  const sasByNs = new Map<string, string[]>();
  const addSa = (ns: string, name: string) => {
    const list = sasByNs.get(ns) ?? [];
    if (!list.includes(name)) list.push(name);
    sasByNs.set(ns, list);
  };
  for (const sa of policy.serviceAccounts.values()) addSa(sa.namespace, sa.name);
  for (const ns of policy.namespaces) addSa(ns, 'default');
  const users = new Set<string>();
  for (const b of [...policy.clusterRoleBindings, ...policy.roleBindings]) {
    for (const s of b.subjects) if (s.kind === 'User' && !s.name.startsWith('system:serviceaccount:')) users.add(s.name);
  }
  for (const [ns, names] of sasByNs) {
    for (const name of names) node(`sa:${ns}/${name}`, { label: `sa:${ns}/${name}`, user: serviceAccountIdentity(ns, name) });
    const pods = node(`hub:pods:${ns}`);
    for (const name of names) pods.edges.push({ to: `sa:${ns}/${name}`, label: '' });
  }
  for (const u of users) node(`user:${u}`, { label: `user:${u}`, user: subjectIdentity({ kind: 'User', name: u, namespace: '', apiGroup: '' }) });
  const everyNs = node('hub:pods:*');
  for (const ns of sasByNs.keys()) everyNs.edges.push({ to: `hub:pods:${ns}`, label: '' });
  const everyUser = node('hub:users:*');
  for (const u of users) everyUser.edges.push({ to: `user:${u}`, label: '' });
  const startIds = new Map<string, Subject>();
  for (const s of opts.starts) {
    const id = nodeId(s);
    if (!startIds.has(id)) startIds.set(id, s);
    if (!nodes.has(id)) node(id, { label: id, user: subjectIdentity(s) });
  }
  const tokenSecretsByNs = new Map<string, typeof policy.tokenSecrets>();
  for (const t of policy.tokenSecrets) tokenSecretsByNs.set(t.namespace, [...(tokenSecretsByNs.get(t.namespace) ?? []), t]);

  const allSas = [...sasByNs].flatMap(([ns, names]) => names.map((name) => ({ ns, name })));
  for (const n of [...nodes.values()]) {
    if (!n.user) continue;
    const p = new Powers(authz, n.user);
    const targets = new Set<string>();
    const edge = (to: string, label: string, grant?: Grant) => {
      if (targets.has(to)) return;
      targets.add(to);
      n.edges.push({ to, label, grant });
    };
    // Cluster-admin already?
    const all = p.clusterWide(ALL);
    if (all || n.user.groups.includes(PRIVILEGED_GROUP)) {
      edge(SINK, '', all);
      continue;
    }
    const bindAll = p.clusterWide(probe('bind', RBAC, 'clusterroles'), 'cluster-admin');
    const createCrb = bindAll && p.clusterWide(probe('create', RBAC, 'clusterrolebindings'));
    if (bindAll && createCrb) edge(SINK, 'bind ClusterRole cluster-admin with a new ClusterRoleBinding', bindAll);
    const escalate = p.clusterWide(probe('escalate', RBAC, 'clusterroles'));
    const writeCr = escalate && p.anyIn([probe('create', RBAC, 'clusterroles'), probe('update', RBAC, 'clusterroles'), probe('patch', RBAC, 'clusterroles')], undefined);
    if (escalate && writeCr) edge(SINK, 'escalate: write a ClusterRole with every permission', escalate);
    const masters = p.clusterWide(IMPERSONATE_GROUP, PRIVILEGED_GROUP);
    if (masters) edge(SINK, `impersonate group ${PRIVILEGED_GROUP}`, masters);
    const anyUser = p.clusterWide(IMPERSONATE_USER);
    if (anyUser) edge('hub:users:*', 'impersonate any user', anyUser);
    else if (p.mentions(IMPERSONATE_USER)) {
      for (const u of users) {
        const g = p.clusterWide(IMPERSONATE_USER, u);
        if (g) edge(`user:${u}`, `impersonate user ${u}`, g);
      }
    }

    // Cluster-wide powers over every namespace's ServiceAccounts.
    const podsEverywhere = p.anyIn(POD_CREATE_PROBES, undefined);
    if (podsEverywhere) edge('hub:pods:*', `${podsEverywhere.probe.label} in any namespace`, podsEverywhere.grant);
    for (const [pr, what] of [[TOKEN, 'create serviceaccounts/token'], [IMPERSONATE_SA, 'impersonate serviceaccounts']] as const) {
      const g = p.clusterWide(pr);
      if (g) edge('hub:pods:*', `${what} in any namespace`, g);
      else if (p.mentions(pr)) {
        for (const sa of allSas) {
          const named = p.clusterWide(pr, sa.name);
          if (named) edge(`sa:${sa.ns}/${sa.name}`, `${what.replace(/ serviceaccounts$/, '')} for sa:${sa.ns}/${sa.name}`, named);
        }
      }
    }
    const secretsEverywhere = p.anyIn(SECRETS_READ_PROBES, undefined);
    const getSecret = SECRETS_READ_PROBES.filter((x) => x.verb === 'get');
    const namedSecrets = p.mentions(getSecret[0]);
    for (const t of policy.tokenSecrets) {
      const read = secretsEverywhere ?? (namedSecrets ? p.anyIn(getSecret, undefined, t.name) : undefined);
      if (read) edge(`sa:${t.namespace}/${t.serviceAccount}`, `read secret ${t.namespace}/${t.name}`, read.grant);
    }

    // What the principal's RoleBindings add, namespace by namespace.
    for (const ns of p.byNs.keys()) {
      const names = sasByNs.get(ns) ?? [];
      if (!podsEverywhere) {
        const pods = p.anyIn(POD_CREATE_PROBES, ns);
        if (pods) edge(`hub:pods:${ns}`, `${pods.probe.label} in ns ${ns}`, pods.grant);
        // bind/escalate in the namespace: full control of it (a RoleBinding to admin or cluster-admin).
        const bind = p.inNamespace(probe('bind', RBAC, 'clusterroles'), ns, 'admin') ?? p.inNamespace(probe('bind', RBAC, 'clusterroles'), ns, 'cluster-admin');
        const createRb = bind && p.inNamespace(probe('create', RBAC, 'rolebindings'), ns);
        if (bind && createRb) edge(`hub:pods:${ns}`, `bind ClusterRole admin in ns ${ns} with a new RoleBinding`, bind);
        const esc = p.inNamespace(probe('escalate', RBAC, 'roles'), ns);
        const writeRole = esc && (p.clusterWide(probe('update', RBAC, 'roles')) ?? p.anyIn([probe('create', RBAC, 'roles'), probe('update', RBAC, 'roles'), probe('patch', RBAC, 'roles')], ns));
        if (esc && writeRole) edge(`hub:pods:${ns}`, `escalate: write a Role with every permission in ns ${ns}`, esc);
      }
      for (const [pr, what] of [[TOKEN, 'create serviceaccounts/token'], [IMPERSONATE_SA, 'impersonate serviceaccounts']] as const) {
        const g = p.local(pr, ns);
        if (g) edge(`hub:pods:${ns}`, `${what} in ns ${ns}`, g);
        else if (p.mentions(pr, ns)) {
          for (const name of names) {
            const named = p.local(pr, ns, name);
            if (named) edge(`sa:${ns}/${name}`, `${what.replace(/ serviceaccounts$/, '')} for sa:${ns}/${name}`, named);
          }
        }
      }
      if (!secretsEverywhere) {
        const inNs = p.anyIn(SECRETS_READ_PROBES, ns);
        const named = !inNs && p.mentions(getSecret[0], ns);
        for (const t of tokenSecretsByNs.get(ns) ?? []) {
          const read = inNs ?? (named ? p.anyIn(getSecret, ns, t.name) : undefined);
          if (read) edge(`sa:${ns}/${t.serviceAccount}`, `read secret ${ns}/${t.name}`, read.grant);
        }
      }
    }
  }

  // Shortest paths to cluster-admin: BFS over reversed edges.
  const reverse = new Map<string, Array<{ from: string; edge: Edge }>>();
  for (const n of nodes.values()) for (const e of n.edges) {
    const list = reverse.get(e.to) ?? [];
    list.push({ from: n.id, edge: e });
    reverse.set(e.to, list);
  }
  const next = new Map<string, Edge>();
  const seen = new Set<string>([SINK]);
  let frontier = [SINK];
  while (frontier.length > 0) {
    const following: string[] = [];
    for (const id of frontier) {
      for (const { from, edge } of reverse.get(id) ?? []) {
        if (seen.has(from)) continue;
        seen.add(from);
        next.set(from, edge);
        following.push(from);
      }
    }
    frontier = following;
  }

  const chains: EscalationChain[] = [];
  for (const [id, start] of startIds) {
    if (!next.has(id)) continue;
    const steps: ChainStep[] = [];
    let cur = id;
    let action = '';
    let grant: Grant | undefined;
    let identities = 0;
    for (let guard = 0; guard < nodes.size && cur !== SINK; guard++) {
      const e = next.get(cur)!;
      if (e.label !== '') {
        action = e.label;
        grant = e.grant;
      } else if (e.grant && !grant) {
        grant = e.grant;
      }
      const target = nodes.get(e.to)!;
      if (target.label !== undefined) {
        steps.push({ action, reaches: target.label, grant });
        if (target.id !== SINK) identities++;
        action = '';
        grant = undefined;
      }
      cur = e.to;
    }
    // Only chains through another identity: direct powers are findings of their own.
    if (identities === 0) continue;
    const parts = [nodes.get(id)!.label ?? id];
    for (const s of steps) {
      if (s.action) parts.push(s.action);
      parts.push(s.reaches === SINK ? SINK : s.reaches.startsWith('sa:') ? `${s.reaches} token` : s.reaches);
    }
    chains.push({ start, steps, text: parts.join(' → ') });
  }
  return chains;
}
