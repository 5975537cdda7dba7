/**
 * The RBAC benchmark: a synthetic cluster of 2,000 roles and 10,000 bindings (YAML on disk),
 * loaded the way `palisade rbac` loads it (read, parse, build the policy, resolve aggregation),
 * then who-can and can() queries timed one by one (p50/p99), the who-can index build and the
 * risk analysis measured on their own.
 *
 *   node dist/perf/rbac-bench.js [--quick] [--corpus-out FILE (write the corpus and stop)]
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Authorizer, analyzeRisks, buildRequest, impersonatedUser, loadPolicy, type RequestAttributes, type UserInfo } from '../rbac/index.js';
import { rng } from './corpus.js';
import { collectGarbage, flag, fmtMB, median, percentile, printRows, progress, type BenchRow } from './measure.js';

const quick = process.argv.includes('--quick');
const ROLES = 2_000;
const BINDINGS = 10_000;
const NAMESPACES = 200;
const TARGET_WHO_CAN_MS = 50;

const RESOURCES: Array<[group: string, resource: string]> = [
  ['', 'pods'], ['', 'pods/log'], ['', 'pods/exec'], ['', 'pods/portforward'], ['', 'secrets'], ['', 'configmaps'], ['', 'services'],
  ['', 'serviceaccounts'], ['', 'serviceaccounts/token'], ['', 'persistentvolumeclaims'], ['', 'events'], ['', 'endpoints'],
  ['apps', 'deployments'], ['apps', 'deployments/scale'], ['apps', 'statefulsets'], ['apps', 'daemonsets'], ['apps', 'replicasets'],
  ['batch', 'jobs'], ['batch', 'cronjobs'], ['networking.k8s.io', 'ingresses'], ['networking.k8s.io', 'networkpolicies'],
  ['rbac.authorization.k8s.io', 'roles'], ['rbac.authorization.k8s.io', 'rolebindings'], ['autoscaling', 'horizontalpodautoscalers'],
  ['policy', 'poddisruptionbudgets'], ['coordination.k8s.io', 'leases'], ['example.com', 'widgets'], ['example.com', 'gadgets'],
];
const VERB_SETS = [['get', 'list', 'watch'], ['get'], ['create', 'update', 'patch', 'delete'], ['*'], ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'], ['list', 'watch']];
const BUILTIN_REFS = ['view', 'edit', 'admin', 'cluster-admin', 'system:basic-user'];

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)];
}

function ruleYaml(r: () => number): string {
  const special = r();
  if (special < 0.03) return `- apiGroups: ["*"]\n  resources: ["*/scale"]\n  verbs: [update, patch]\n`;
  if (special < 0.05) return `- apiGroups: ["*"]\n  resources: ["*"]\n  verbs: [get, list, watch]\n`;
  const n = 1 + Math.floor(r() * 4);
  const chosen = new Map<string, string[]>();
  for (let i = 0; i < n; i++) {
    const [g, res] = pick(r, RESOURCES);
    chosen.set(g, [...new Set([...(chosen.get(g) ?? []), res])]);
  }
  const [group, resources] = [...chosen][0];
  const names = r() < 0.1 ? `  resourceNames: [item-${Math.floor(r() * 50)}]\n` : '';
  return `- apiGroups: ["${group}"]\n  resources: [${resources.map((x) => `"${x}"`).join(', ')}]\n  verbs: [${pick(r, VERB_SETS).map((v) => `"${v}"`).join(', ')}]\n${names}`;
}

/** The corpus as one multi-document YAML file, and the names the queries use. */
function corpus(): { text: string; clusterRoles: number; roles: number; crbs: number; rbs: number } {
  const r = rng(20_240_611);
  const docs: string[] = [];
  const clusterRoles = ROLES / 5;
  const roles = ROLES - clusterRoles;
  for (let i = 0; i < clusterRoles; i++) {
    const agg = i % 40 === 0 ? `  labels: {rbac.authorization.k8s.io/aggregate-to-view: "true"}\n` : i % 97 === 0 ? `  labels: {team-agg: "true"}\n` : '';
    const rules = Array.from({ length: 2 + Math.floor(r() * 5) }, () => ruleYaml(r)).join('');
    docs.push(`apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: cr-${i}\n${agg}rules:\n${rules}`);
  }
  docs.push(`apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: team-aggregate\naggregationRule:\n  clusterRoleSelectors:\n  - matchLabels: {team-agg: "true"}\n`);
  for (let i = 0; i < roles; i++) {
    const rules = Array.from({ length: 1 + Math.floor(r() * 5) }, () => ruleYaml(r)).join('');
    docs.push(`apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: role-${i}\n  namespace: ns-${i % NAMESPACES}\nrules:\n${rules}`);
  }
  const subject = () => {
    const k = r();
    if (k < 0.4) return `- kind: User\n  apiGroup: rbac.authorization.k8s.io\n  name: user-${Math.floor(r() * 3_000)}\n`;
    if (k < 0.6) return `- kind: Group\n  apiGroup: rbac.authorization.k8s.io\n  name: group-${Math.floor(r() * 300)}\n`;
    return `- kind: ServiceAccount\n  name: sa-${Math.floor(r() * 40)}\n  namespace: ns-${Math.floor(r() * NAMESPACES)}\n`;
  };
  const crbs = BINDINGS / 10;
  for (let i = 0; i < BINDINGS; i++) {
    const subjects = Array.from({ length: 1 + Math.floor(r() * 3) }, subject).join('');
    if (i < crbs) {
      const ref = r() < 0.05 ? pick(r, BUILTIN_REFS) : r() < 0.01 ? 'team-aggregate' : `cr-${Math.floor(r() * clusterRoles)}`;
      docs.push(`apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: crb-${i}\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: ${ref}\nsubjects:\n${subjects}`);
    } else {
      const ns = Math.floor(r() * NAMESPACES);
      const toRole = r() < 0.7;
      // Roles live in namespace i % NAMESPACES: pick one of this namespace's.
      const roleIndex = ns + NAMESPACES * Math.floor(r() * (roles / NAMESPACES));
      const ref = toRole ? `kind: Role\n  name: role-${roleIndex}` : `kind: ClusterRole\n  name: ${r() < 0.3 ? pick(r, BUILTIN_REFS) : `cr-${Math.floor(r() * clusterRoles)}`}`;
      docs.push(`apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: rb-${i}\n  namespace: ns-${ns}\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  ${ref}\nsubjects:\n${subjects}`);
    }
  }
  return { text: docs.join('---\n'), clusterRoles: clusterRoles + 1, roles, crbs, rbs: BINDINGS - crbs };
}

function ms(n: number): string {
  return n >= 10 ? `${n.toFixed(1)} ms` : `${n.toFixed(2)} ms`;
}

function us(n: number): string {
  return `${(n * 1000).toFixed(1)} µs`;
}

async function main(): Promise<void> {
  const out = flag('--corpus-out');
  if (out) {
    writeFileSync(out, corpus().text);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'palisade-rbac-bench-'));
  const rows: BenchRow[] = [];
  try {
    progress('generating the corpus');
    const c = corpus();
    const file = join(dir, 'rbac.yaml');
    writeFileSync(file, c.text);
    const size = statSync(file).size;
    progress(`corpus: ${c.clusterRoles} ClusterRoles, ${c.roles} Roles, ${c.crbs} ClusterRoleBindings, ${c.rbs} RoleBindings, ${fmtMB(size)} MB`);

    // Load: read + parse + policy (validation, built-ins, aggregation), several runs.
    const loadRuns = quick ? 2 : 5;
    const loadMs: number[] = [];
    let loaded = await loadPolicy([file]);
    for (let i = 0; i < loadRuns; i++) {
      collectGarbage();
      const t0 = performance.now();
      loaded = await loadPolicy([file]);
      loadMs.push(performance.now() - t0);
      progress(`load run ${i + 1}/${loadRuns}: ${ms(loadMs[i])}`);
    }
    const policy = loaded.policy;
    if (loaded.errors.length > 0) throw new Error(`corpus has input errors: ${loaded.errors[0].message}`);
    const invalid = policy.diagnostics.filter((d) => d.code === 'invalid-object').length;
    const roleCount = policy.clusterRoles.size + policy.roles.size;
    const bindingCount = policy.clusterRoleBindings.length + policy.roleBindings.length;

    const t0 = performance.now();
    const authz = new Authorizer(policy);
    const subjectIndexMs = performance.now() - t0;
    const t1 = performance.now();
    authz.buildWhoCanIndex();
    const whoCanIndexMs = performance.now() - t1;

    // who-can: a mix of questions, one namespace or any namespace.
    const r = rng(7);
    const questions: Array<{ q: Parameters<typeof buildRequest>[0]; any: boolean }> = [];
    const verbs = ['get', 'list', 'create', 'update', 'delete', 'patch', 'watch'];
    const resources = ['pods', 'secrets', 'pods/exec', 'pods/log', 'deployments.apps', 'deployments.apps/scale', 'statefulsets.apps/scale', 'configmaps', 'serviceaccounts/token', 'rolebindings.rbac.authorization.k8s.io', 'widgets.example.com', 'nodes'];
    const nQueries = quick ? 300 : 2_000;
    for (let i = 0; i < nQueries; i++) {
      const any = r() < 0.5;
      const q = { verb: pick(r, verbs), resource: pick(r, resources), namespace: any ? undefined : `ns-${Math.floor(r() * NAMESPACES)}`, name: r() < 0.1 ? `item-${Math.floor(r() * 50)}` : undefined };
      questions.push({ q, any });
    }
    questions.push({ q: { verb: 'get', nonResourceURL: '/metrics' }, any: false });
    const requests = questions.map(({ q, any }) => ({ req: buildRequest(q, authz.catalog).request, any }));
    for (const { req, any } of requests.slice(0, 50)) authz.whoCan(req, { anyNamespace: any });
    collectGarbage();
    const whoMs: number[] = [];
    let subjectsSeen = 0;
    for (const { req, any } of requests) {
      const s = performance.now();
      const out = authz.whoCan(req, { anyNamespace: any });
      whoMs.push(performance.now() - s);
      subjectsSeen += out.length;
    }

    // can(): users, groups and ServiceAccounts from the corpus.
    const users: UserInfo[] = [];
    for (let i = 0; i < 500; i++) {
      const k = r();
      users.push(k < 0.5 ? impersonatedUser(`user-${Math.floor(r() * 3_000)}`, [`group-${Math.floor(r() * 300)}`]) : impersonatedUser(`system:serviceaccount:ns-${Math.floor(r() * NAMESPACES)}:sa-${Math.floor(r() * 40)}`));
    }
    const canQueries = quick ? 5_000 : 50_000;
    const canReqs: Array<{ user: UserInfo; req: RequestAttributes }> = [];
    for (let i = 0; i < canQueries; i++) {
      const { req } = requests[i % requests.length];
      const withNs: RequestAttributes = req.resourceRequest && req.namespace === '' && r() < 0.7 ? { ...req, namespace: `ns-${Math.floor(r() * NAMESPACES)}` } : req;
      canReqs.push({ user: users[i % users.length], req: withNs });
    }
    for (const { user, req } of canReqs.slice(0, 2_000)) authz.authorize(user, req);
    collectGarbage();
    const canMs: number[] = [];
    let allowed = 0;
    const canStart = performance.now();
    for (const { user, req } of canReqs) {
      const s = performance.now();
      if (authz.authorize(user, req).allowed) allowed++;
      canMs.push(performance.now() - s);
    }
    const canTotal = performance.now() - canStart;
    // The API server's own way: stop at the first allowing rule.
    const firstStart = performance.now();
    for (const { user, req } of canReqs) authz.authorize(user, req, { first: true });
    const firstTotal = performance.now() - firstStart;

    collectGarbage();
    const rs = performance.now();
    const risks = analyzeRisks(authz);
    const risksMs = performance.now() - rs;

    const whoP99 = percentile(whoMs, 99);
    rows.push(
      { name: 'corpus', value: `${roleCount} roles`, note: `${policy.clusterRoles.size} ClusterRoles (${policy.clusterRoles.size - c.clusterRoles} built-in) + ${policy.roles.size} Roles; ${bindingCount} bindings (${c.crbs} ClusterRoleBindings + ${c.rbs} RoleBindings + ${bindingCount - BINDINGS} default); ${fmtMB(size)} MB YAML; ${invalid} invalid` },
      { name: 'load: read + parse + policy', value: ms(median(loadMs)), note: `median of ${loadRuns} (best ${ms(Math.min(...loadMs))}); validation, built-ins, aggregation included` },
      { name: 'authorizer: subject index', value: ms(subjectIndexMs) },
      { name: 'who-can: index build (once)', value: ms(whoCanIndexMs) },
      { name: 'who-can: p50 per query', value: ms(median(whoMs)), note: `${requests.length} queries, half -n NS, half any namespace; ${Math.round(subjectsSeen / requests.length)} subjects per answer on average` },
      { name: 'who-can: p99 per query', value: ms(whoP99), target: `< ${TARGET_WHO_CAN_MS} ms`, pass: whoP99 < TARGET_WHO_CAN_MS, note: `max ${ms(Math.max(...whoMs))}` },
      { name: 'can(): p50 per query', value: us(median(canMs)), note: `${canQueries} queries by ${users.length} identities; ${(100 * allowed / canQueries).toFixed(0)}% allowed; every allowing rule collected` },
      { name: 'can(): p99 per query', value: us(percentile(canMs, 99)), note: `mean ${us(canTotal / canQueries)}; first-match only (the API server's way): mean ${us(firstTotal / canQueries)}` },
      { name: 'risks: whole corpus', value: ms(risksMs), note: `${risks.findings.length} findings (escalation chains included)` },
    );
    printRows(`palisade rbac benchmark (node ${process.version}${quick ? ', --quick' : ''})`, rows);
    if (!rows.every((x) => x.pass !== false)) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
