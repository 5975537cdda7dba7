/**
 * Checks: RBAC objects one at a time — risky rules in Roles/ClusterRoles and risky
 * (Cluster)RoleBindings. Rule matching follows the API server's authorizer: `*` in verbs,
 * apiGroups and resources, `""` for the core group, subresource wildcards (star-slash-scale), and `pods` not
 * granting `pods/exec`. Rules with only nonResourceURLs are ignored. Who ends up holding a
 * rule (which binding, which namespace) is the RBAC engine's job, not these checks'.
 */
import { apiGroupOf, asArray, cappedList, isObj, memoizeLast, NO_ITEMS, type JsonPath, type KubeObject, type Obj, type Severity } from '../../model/index.js';
import { severityRank } from '../../model/types.js';
import { defineCheck } from './define.js';
import { quotedList } from './util.js';
import type { CheckDef, ResourceContext } from './types.js';

const RBAC_GROUP = 'rbac.authorization.k8s.io';
const ROLE_KINDS = ['Role', 'ClusterRole'] as const;
const BINDING_KINDS = ['RoleBinding', 'ClusterRoleBinding'] as const;

/**
 * Only the built-in RBAC group (a CRD may reuse the kind names), and not the API server's own
 * bootstrap policy (`kubernetes.io/bootstrapping: rbac-defaults`, found in cluster dumps): it is
 * reconciled at every start, so reporting `cluster-admin` itself would be noise.
 */
function isRbac(ctx: ResourceContext): boolean {
  const v = ctx.object.apiVersion;
  if (typeof v === 'string' && v !== '' && apiGroupOf(v) !== RBAC_GROUP) return false;
  const labels = ctx.resource.metadata.labels;
  return !(isObj(labels) && labels['kubernetes.io/bootstrapping'] === 'rbac-defaults');
}

/** A list field of a rule: its string values and where each one is. */
interface Field {
  values: readonly string[];
  /**
   * Index of each value in the written list (-1: the field is a lone string); null when the
   * values are the written list itself (every item a string, the usual case: nothing copied).
   */
  indices: readonly number[] | null;
  /** Where the field is: paths are built from it only for what is reported. */
  base: JsonPath;
}

/** The path of value `i` of a field. */
function pathOf(field: Field, i: number): JsonPath {
  const at = field.indices === null ? i : field.indices[i];
  return at === -1 ? field.base : [...field.base, at];
}

const LONE = Object.freeze([-1]);

/** A list of strings; a lone string counts as a one-item list (kubectl would reject it, the intent is clear). */
function fieldOf(rule: Obj, rulePath: JsonPath, key: string): Field {
  const raw = rule[key];
  const base = [...rulePath, key];
  if (typeof raw === 'string') return { values: [raw], indices: LONE, base };
  if (!Array.isArray(raw)) return { values: NO_ITEMS, indices: null, base };
  // Rules are read by every RBAC check: the written list serves as it is unless it holds other things than strings.
  if (raw.every((item) => typeof item === 'string')) return { values: raw as string[], indices: null, base };
  const values: string[] = [];
  const indices: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    if (typeof raw[i] !== 'string') continue;
    values.push(raw[i] as string);
    indices.push(i);
  }
  return { values, indices, base };
}

interface Rule {
  path: JsonPath;
  verbs: Field;
  apiGroups: Field;
  resources: Field;
  resourceNames: readonly string[];
}

/**
 * The resource rules of a Role/ClusterRole (nonResourceURL-only rules and non-objects skipped).
 * Several checks read the rules of the same object one after the other: the last answer is kept.
 */
const rulesOf = memoizeLast((obj: KubeObject): Rule[] => {
  const out: Rule[] = [];
  const rules = asArray(obj.rules);
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i];
    if (!isObj(r)) continue;
    const path: JsonPath = ['rules', i];
    const resources = fieldOf(r, path, 'resources');
    if (resources.values.length === 0) continue;
    out.push({
      path,
      verbs: fieldOf(r, path, 'verbs'),
      apiGroups: fieldOf(r, path, 'apiGroups'),
      resources,
      resourceNames: fieldOf(r, path, 'resourceNames').values,
    });
  }
  return out;
});

/** A permission a check looks for: any of `verbs` on any of `resources` in `group`. */
interface Grant {
  verbs: readonly string[];
  group: string;
  /** `pods`, `pods/exec`, or `userextras/*` for "any subresource". */
  resources: readonly string[];
  /** What the permission lets its holder do, for the message. */
  why: string;
  /** Report at the verb (escalate, bind, impersonate) rather than at the resource. */
  atVerb?: boolean;
  /** A lower severity than the check's, for grants that are serious but not a direct escalation. */
  severity?: Severity;
}

interface Hit {
  verbs: string[];
  resources: string[];
  /** Fields that matched only through a wildcard. */
  via: string[];
  why: string;
  path: JsonPath;
  severity?: Severity;
}

/** Index of the rule's resources entry that covers `target` (authorizer semantics), or -1. */
function resourceEntry(field: Field, target: string): number {
  const values = field.values;
  // One loop, no closure: this runs for every grant of every rule. Only a subresource target
  // (`pods/exec`, `deployments/*`) can also be covered by `*/sub` or, for `/*`, by `base/…`.
  const slash = target.indexOf('/');
  const sub = slash === -1 ? '' : target.slice(slash + 1);
  const base = slash === -1 ? '' : target.slice(0, slash + 1);
  const anyBase = sub === '' ? '' : `*/${sub}`;
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (x === '*' || x === target) return i;
    if (sub === '') continue;
    if (sub === '*' ? x.startsWith(base) || x.startsWith('*/') : x === anyBase) return i;
  }
  return -1;
}

function grantsOf(rule: Rule, grants: readonly Grant[]): Hit[] {
  const hits: Hit[] = [];
  const allVerbs = rule.verbs.values.includes('*');
  for (const grant of grants) {
    const exactGroup = rule.apiGroups.values.includes(grant.group);
    if (!exactGroup && !rule.apiGroups.values.includes('*')) continue;
    if (!allVerbs && !grant.verbs.some((v) => rule.verbs.values.includes(v))) continue;
    // Most rules grant none of the resources: the lists and the hit are made only for a match.
    let verbs: readonly string[] | undefined;
    let topVerbs: readonly string[] | undefined;
    let hit: Hit | undefined;
    for (const target of grant.resources) {
      const idx = resourceEntry(rule.resources, target);
      if (idx === -1) continue;
      verbs ??= allVerbs ? ['*'] : grant.verbs.filter((v) => rule.verbs.values.includes(v));
      // With resourceNames a request must name its object; `create` on a resource never does.
      topVerbs ??= rule.resourceNames.length > 0 ? verbs.filter((v) => v !== 'create') : verbs;
      const effective = target.includes('/') ? verbs : topVerbs;
      if (effective.length === 0) continue;
      hit ??= { verbs: [], resources: [], via: [], why: grant.why, path: [], ...(grant.severity ? { severity: grant.severity } : {}) };
      for (const v of effective) if (!hit.verbs.includes(v)) hit.verbs.push(v);
      hit.resources.push(target.endsWith('/*') ? target.slice(0, -2) : target);
      const entry = rule.resources.values[idx];
      if ((entry === '*' || entry.startsWith('*/')) && !hit.via.includes('resources')) hit.via.push('resources');
      if (hit.path.length === 0) {
        // The rule's first verb that grants the permission, for verb-shaped permissions.
        const verbIdx = rule.verbs.values.findIndex((v) => effective.includes(v));
        hit.path = grant.atVerb && !allVerbs && verbIdx !== -1 ? pathOf(rule.verbs, verbIdx) : pathOf(rule.resources, idx);
      }
    }
    if (hit === undefined) continue;
    if (!exactGroup) hit.via.push('apiGroups');
    hits.push(hit);
  }
  return hits;
}

function verbText(verbs: readonly string[]): string {
  return verbs.includes('*') ? 'all verbs ("*")' : verbs.join(', ');
}

/**
 * `create, patch on deployments, jobs (run pods); get on secrets via wildcard resources (…)`:
 * hits with the same verbs and wildcards merge, and long lists are cut so the message stays one line.
 */
function describe(hits: readonly Hit[]): string {
  const parts: Array<{ head: string; via: string; resources: string[]; whys: string[] }> = [];
  for (const h of hits) {
    const head = verbText(h.verbs);
    const via = h.via.join(' and ');
    let part = parts.find((p) => p.head === head && p.via === via);
    if (!part) parts.push((part = { head, via, resources: [], whys: [] }));
    for (const r of h.resources) if (!part.resources.includes(r)) part.resources.push(r);
    if (!part.whys.includes(h.why)) part.whys.push(h.why);
  }
  return parts
    .map((p) => {
      const why = p.whys.length > 2 ? `${p.whys.slice(0, 2).join('; ')}; …` : p.whys.join('; ');
      return `${p.head} on ${cappedList(p.resources, 4)}${p.via ? ` via wildcard ${p.via}` : ''} (${why})`;
    })
    .join('; ');
}

function limitedText(rule: Rule): string {
  return rule.resourceNames.length > 0 ? ` limited to resourceNames ${quotedList(rule.resourceNames, 5)}` : '';
}

/** Runs `grants` over every rule and reports one finding per rule. */
function reportGrants(ctx: ResourceContext, grants: readonly Grant[], limitedSeverity?: Severity): void {
  if (!isRbac(ctx)) return;
  for (const rule of rulesOf(ctx.object)) {
    const hits = grantsOf(rule, grants);
    if (hits.length === 0) continue;
    const limited = rule.resourceNames.length > 0;
    // A rule whose every grant is a lower-severity one takes the highest of those severities.
    const lowered = hits.every((h) => h.severity !== undefined) ? hits.map((h) => h.severity!).sort((a, b) => severityRank(a) - severityRank(b))[0] : undefined;
    ctx.report(hits[0].path, `rule grants ${describe(hits)}${limitedText(rule)}`, limited ? limitedSeverity : lowered);
  }
}

// ---------------------------------------------------------------------------------------------

const wildcard = defineCheck({
  id: 'rbac/wildcard',
  title: 'RBAC rule uses wildcards',
  severity: 'high',
  defaultOn: true,
  stride: ['E'],
  kinds: ROLE_KINDS,
  description:
    'A `*` in verbs, resources or apiGroups grants everything that exists today **and** everything added later: new ' +
    'subresources, CRDs installed by operators, new verbs. `*` verbs on `*` resources is cluster-admin (critical). ' +
    '`*/<subresource>` (e.g. `*/scale`) is a wildcard over resources too.',
  remediation: 'List the apiGroups, resources and verbs the workload actually uses.',
  example: `rules:
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["get", "list", "watch"]`,
  refs: {
    cis: ['5.1.3'],
    trivy: ['KSV-0044', 'KSV-0045', 'KSV-0046', 'KSV-0112'],
    kubescape: ['C-0187'],
    kubeLinter: ['wildcard-in-rules'],
    links: ['https://kubernetes.io/docs/concepts/security/rbac-good-practices/'],
  },
  rationale:
    'Like every rbac/* check, objects of the API server\'s bootstrap policy (label kubernetes.io/bootstrapping: ' +
    'rbac-defaults, as found in cluster dumps) are skipped: the API server recreates them at every start. ' +
    '`pods/*` is not reported: the authorizer reads it as a subresource literally named "*", which grants nothing.',
  run(ctx) {
    if (!isRbac(ctx)) return;
    for (const rule of rulesOf(ctx.object)) {
      const verbIdx = rule.verbs.values.indexOf('*');
      const resIdx = rule.resources.values.findIndex((r) => r === '*' || r.startsWith('*/'));
      const groupIdx = rule.apiGroups.values.indexOf('*');
      if (verbIdx === -1 && resIdx === -1 && groupIdx === -1) continue;
      const groups = rule.apiGroups.values.length > 0 ? quotedList(rule.apiGroups.values, 5) : 'none';
      if (verbIdx !== -1 && rule.resources.values[resIdx] === '*') {
        ctx.report(pathOf(rule.verbs, verbIdx), `rule grants all verbs on all resources ("*") in apiGroups ${groups}: full control`, 'critical');
        continue;
      }
      const used: string[] = [];
      if (verbIdx !== -1) used.push('verbs ("*")');
      if (resIdx !== -1) used.push(`resources ("${rule.resources.values[resIdx]}")`);
      if (groupIdx !== -1) used.push('apiGroups ("*")');
      const path = verbIdx !== -1 ? pathOf(rule.verbs, verbIdx) : resIdx !== -1 ? pathOf(rule.resources, resIdx) : pathOf(rule.apiGroups, groupIdx);
      ctx.report(path, `rule uses a wildcard in ${used.join(' and ')}; it also grants whatever is added later`);
    }
  },
});

/** Built-in ClusterRoles that are (close to) administrator, with what they allow. */
const ADMIN_ROLES: Readonly<Record<string, { why: string; severity: Severity; clusterSeverity: Severity }>> = {
  'cluster-admin': { why: 'full control of every resource', severity: 'high', clusterSeverity: 'high' },
  admin: { why: 'read Secrets, run pods as any ServiceAccount and manage RoleBindings', severity: 'medium', clusterSeverity: 'high' },
  edit: { why: 'read Secrets and run pods as any ServiceAccount', severity: 'medium', clusterSeverity: 'high' },
};

interface Subject {
  kind: string;
  name: string;
  namespace: string;
  index: number;
}

function subjectsOf(obj: KubeObject): Subject[] {
  const out: Subject[] = [];
  const items = asArray(obj.subjects);
  for (let i = 0; i < items.length; i++) {
    const s = items[i];
    if (!isObj(s) || typeof s.name !== 'string' || s.name === '') continue;
    out.push({ kind: typeof s.kind === 'string' ? s.kind : '', name: s.name, namespace: typeof s.namespace === 'string' ? s.namespace : '', index: i });
  }
  return out;
}

function subjectText(s: Subject): string {
  const name = s.kind === 'ServiceAccount' && s.namespace ? `${s.namespace}/${s.name}` : s.name;
  return `${s.kind || 'subject'} "${name}"`;
}

function roleRefOf(obj: KubeObject): { kind: string; name: string } | undefined {
  const ref = obj.roleRef;
  if (!isObj(ref) || typeof ref.name !== 'string' || ref.name === '') return undefined;
  return { kind: typeof ref.kind === 'string' ? ref.kind : '', name: ref.name };
}

const clusterAdminBinding = defineCheck({
  id: 'rbac/cluster-admin-binding',
  title: 'Binding to cluster-admin, admin or edit',
  severity: 'high',
  defaultOn: true,
  stride: ['E'],
  kinds: BINDING_KINDS,
  description:
    '`cluster-admin` is full control of the cluster (or of a namespace, through a RoleBinding). `admin` and `edit` read ' +
    'every Secret and create pods with any ServiceAccount of the namespaces they cover, which is usually a path to more. ' +
    'Bindings named `system:*` are the cluster\'s own and are skipped.',
  remediation: 'Bind a dedicated Role that lists only the permissions the subject needs.',
  example: `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: ci-deployer
  namespace: shop
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: deployer
subjects:
- kind: ServiceAccount
  name: ci
  namespace: shop`,
  refs: {
    cis: ['5.1.1'],
    trivy: ['KSV-0111'],
    kubescape: ['C-0035'],
    polaris: ['clusterrolebindingClusterAdmin', 'rolebindingClusterAdminClusterRole'],
    kubeLinter: ['cluster-admin-role-binding'],
    links: ['https://kubernetes.io/docs/reference/access-authn-authz/rbac/#user-facing-roles'],
  },
  rationale:
    'A ClusterRoleBinding to `admin` or `edit` is high rather than medium: it covers kube-system too, where running a ' +
    'pod as a controller\'s ServiceAccount is cluster takeover. Bindings without subjects grant nothing and are skipped.',
  run(ctx) {
    if (!isRbac(ctx) || ctx.resource.name.startsWith('system:')) return;
    const ref = roleRefOf(ctx.object);
    if (!ref || ref.kind !== 'ClusterRole' || !Object.prototype.hasOwnProperty.call(ADMIN_ROLES, ref.name)) return;
    const subjects = subjectsOf(ctx.object);
    if (subjects.length === 0) return;
    const role = ADMIN_ROLES[ref.name];
    const cluster = ctx.kind === 'ClusterRoleBinding';
    const ns = ctx.resource.namespace;
    const scope = cluster ? 'cluster-wide' : ns ? `in namespace "${ns}"` : 'in its namespace';
    const who = cappedList(subjects.map(subjectText), 3);
    ctx.report(['roleRef', 'name'], `${ctx.kind} grants ClusterRole "${ref.name}" (${role.why}) ${scope} to ${who}`, cluster ? role.clusterSeverity : role.severity);
  },
});

const PRIVILEGED_SUBJECTS: Readonly<Record<string, string>> = {
  'system:anonymous': 'the user of every unauthenticated request',
  'system:unauthenticated': 'every unauthenticated request',
  'system:authenticated': 'every authenticated user and every ServiceAccount',
  'system:masters': 'a group that bypasses authorization entirely; do not hand it out',
};

/** Bindings every cluster has (bootstrap policy): role → the special groups it is bound to. */
const DEFAULT_GRANTS: Readonly<Record<string, readonly string[]>> = {
  'system:public-info-viewer': ['system:authenticated', 'system:unauthenticated'],
  'system:discovery': ['system:authenticated'],
  'system:basic-user': ['system:authenticated'],
};

const privilegedSubject = defineCheck({
  id: 'rbac/privileged-subject',
  title: 'Binding to anonymous, all-users or system:masters',
  severity: 'critical',
  defaultOn: true,
  stride: ['S', 'E'],
  kinds: BINDING_KINDS,
  description:
    'Binding a role to `system:anonymous` or `system:unauthenticated` gives it to anyone who can reach the API server; ' +
    '`system:authenticated` gives it to every user and every ServiceAccount token in the cluster. `system:masters` ' +
    'bypasses RBAC altogether, so its members can never be restricted. The bootstrap bindings of ' +
    '`system:public-info-viewer`, `system:discovery` and `system:basic-user` are expected and skipped.',
  remediation: 'Bind the role to the specific users, groups or ServiceAccounts that need it.',
  example: `subjects:
- kind: Group
  name: platform-team
  apiGroup: rbac.authorization.k8s.io`,
  rationale:
    'Trivy flags every binding to system:unauthenticated, including the default system:public-info-viewer one; ' +
    'the bootstrap grants are expected here and only bindings beyond them are reported.',
  refs: {
    cis: ['5.1.7'],
    kubesec: ['BindingsToSystemAnonymous'],
    trivy: ['KSV-0122', 'KSV-0123', 'KSV-01011'],
    kubescape: ['C-0262'],
    links: ['https://kubernetes.io/docs/reference/access-authn-authz/rbac/#default-roles-and-role-bindings'],
  },
  run(ctx) {
    if (!isRbac(ctx)) return;
    const ref = roleRefOf(ctx.object);
    const refText = ref ? `${ref.kind || 'role'} "${ref.name}"` : 'its role';
    const allowed = ref && ref.kind === 'ClusterRole' && Object.prototype.hasOwnProperty.call(DEFAULT_GRANTS, ref.name) ? DEFAULT_GRANTS[ref.name] : [];
    for (const s of subjectsOf(ctx.object)) {
      if (s.kind !== 'User' && s.kind !== 'Group' && s.kind !== '') continue;
      if (!Object.prototype.hasOwnProperty.call(PRIVILEGED_SUBJECTS, s.name) || allowed.includes(s.name)) continue;
      ctx.report(['subjects', s.index, 'name'], `${ctx.kind} grants ${refText} to ${subjectText(s)} (${PRIVILEGED_SUBJECTS[s.name]})`);
    }
  },
});

const SECRETS: readonly Grant[] = [
  { verbs: ['get', 'list', 'watch'], group: '', resources: ['secrets'], why: 'read Secrets, including ServiceAccount tokens' },
];

const secretsAccess = defineCheck({
  id: 'rbac/secrets-access',
  title: 'RBAC rule can read Secrets',
  severity: 'high',
  defaultOn: true,
  stride: ['I', 'E'],
  kinds: ROLE_KINDS,
  description:
    '`get`, `list` or `watch` on `secrets` reads every credential in scope: database passwords, TLS keys and the ' +
    'token Secrets of ServiceAccounts, which turns read access into the permissions of those accounts. `list` and ' +
    '`watch` return the values too. Rules limited by `resourceNames` are reported at medium.',
  remediation: 'Remove the permission, or restrict it to `get` with resourceNames listing the Secrets the workload needs.',
  example: `rules:
- apiGroups: [""]
  resources: ["secrets"]
  resourceNames: ["app-tls"]
  verbs: ["get"]`,
  refs: {
    cis: ['5.1.2'],
    trivy: ['KSV-0041', 'KSV-0113'],
    kubescape: ['C-0186', 'C-0015'],
    kubeLinter: ['access-to-secrets'],
  },
  rationale: 'A rule restricted by resourceNames exposes only the named Secrets, the pattern CIS 5.1.2 recommends; it is medium rather than high.',
  run(ctx) {
    reportGrants(ctx, SECRETS, 'medium');
  },
});

const EXEC: readonly Grant[] = [
  { verbs: ['create', 'get'], group: '', resources: ['pods/exec', 'pods/attach'], why: 'run commands in running containers' },
  { verbs: ['create', 'get'], group: '', resources: ['pods/portforward'], why: 'reach any port of the pods' },
  { verbs: ['create', 'get'], group: '', resources: ['nodes/proxy'], why: 'the kubelet API, which runs commands in every pod of a node' },
];

const execAttach = defineCheck({
  id: 'rbac/exec-attach-portforward',
  title: 'RBAC rule can exec, attach or port-forward into pods',
  severity: 'high',
  defaultOn: true,
  stride: ['E', 'T'],
  kinds: ROLE_KINDS,
  description:
    '`pods/exec` and `pods/attach` run commands inside existing containers, with their ServiceAccount tokens, mounted ' +
    'Secrets and host access; `pods/portforward` reaches ports that NetworkPolicies would otherwise block. `nodes/proxy` ' +
    'is the kubelet API, which can exec into every pod on the node and bypasses API server audit. Both `create` and ' +
    '`get` count (WebSocket clients exec with `get`). Note that `pods` or `pods/*` does not grant these subresources.',
  remediation: 'Grant exec/attach/port-forward only to break-glass roles, and nodes/proxy to nobody but monitoring that needs metrics (use /metrics via the API instead).',
  example: `rules:
- apiGroups: [""]
  resources: ["pods", "pods/log"]
  verbs: ["get", "list", "watch"]`,
  refs: {
    cis: ['5.1.10'],
    trivy: ['KSV-0053', 'KSV-0054', 'KSV-0047'],
    kubescape: ['C-0002', 'C-0063'],
    polaris: ['clusterrolePodExecAttach', 'rolePodExecAttach'],
  },
  run(ctx) {
    reportGrants(ctx, EXEC);
  },
});

const WRITE = ['create', 'update', 'patch'] as const;

const ESCALATION: readonly Grant[] = [
  { verbs: ['escalate', 'bind'], group: RBAC_GROUP, resources: ['roles', 'clusterroles'], why: 'grant permissions the holder does not have', atVerb: true },
  { verbs: ['impersonate'], group: '', resources: ['users', 'groups', 'serviceaccounts'], why: 'act as any user, group or ServiceAccount', atVerb: true },
  { verbs: ['impersonate'], group: 'authentication.k8s.io', resources: ['uids', 'userextras/*'], why: 'act as any identity', atVerb: true },
  {
    verbs: WRITE,
    group: RBAC_GROUP,
    resources: ['roles', 'clusterroles', 'rolebindings', 'clusterrolebindings'],
    why: 'hand its own permissions to anyone; more only with escalate/bind',
    // The API server refuses a Role or binding that grants more than its writer holds, so
    // without escalate/bind this is delegation, not escalation: serious, not critical.
    severity: 'high',
  },
  {
    verbs: WRITE,
    group: 'admissionregistration.k8s.io',
    resources: [
      'validatingwebhookconfigurations',
      'mutatingwebhookconfigurations',
      'validatingadmissionpolicies',
      'validatingadmissionpolicybindings',
      'mutatingadmissionpolicies',
      'mutatingadmissionpolicybindings',
    ],
    why: 'intercept, change or disable admission of every object',
  },
  { verbs: ['update', 'patch'], group: 'certificates.k8s.io', resources: ['certificatesigningrequests/approval'], why: 'approve client certificates for any identity' },
  { verbs: ['create'], group: '', resources: ['serviceaccounts/token'], why: 'mint tokens for ServiceAccounts' },
];

const escalationVerbs = defineCheck({
  id: 'rbac/escalation-verbs',
  title: 'RBAC rule allows privilege escalation',
  severity: 'critical',
  defaultOn: true,
  stride: ['E'],
  kinds: ROLE_KINDS,
  description:
    'Some permissions are a direct path to any other: `escalate` and `bind` on roles lift the API server\'s escalation ' +
    'check, `impersonate` acts as anyone (including `system:masters`), writing Roles/ClusterRoles/bindings hands the ' +
    'writer\'s own permissions to anyone (high: the API server refuses more unless escalate/bind are held), writing admission webhooks ' +
    'or policies sees and rewrites every object, approving CSRs issues certificates for any user, and ' +
    '`serviceaccounts/token` mints tokens for any ServiceAccount in scope. Rules limited by resourceNames are reported at high.',
  remediation: 'Remove these permissions from everything but the controllers that need them; use resourceNames to limit bind/escalate to specific roles.',
  example: `rules:
- apiGroups: ["rbac.authorization.k8s.io"]
  resources: ["clusterroles"]
  resourceNames: ["view"]
  verbs: ["bind"]`,
  refs: {
    cis: ['5.1.8', '5.1.11', '5.1.12', '5.1.13'],
    trivy: ['KSV-0043', 'KSV-0050', 'KSV-0114'],
    kubescape: ['C-0191', 'C-0065'],
    links: [
      'https://kubernetes.io/docs/concepts/security/rbac-good-practices/#privilege-escalation-risks',
      'https://kubernetes.io/docs/reference/access-authn-authz/rbac/#privilege-escalation-prevention-and-bootstrapping',
    ],
  },
  rationale:
    'With resourceNames, bind/escalate/impersonate and updates are limited to the named objects (the delegation pattern ' +
    'the Kubernetes docs recommend), so such rules are high rather than critical; `create` with resourceNames can never ' +
    'match a request and is not reported. escalate/bind/impersonate count only on the resources the API server checks ' +
    'them against (roles/clusterroles; users, groups, serviceaccounts, uids, userextras): `bind` on rolebindings or pods is inert.',
  run(ctx) {
    reportGrants(ctx, ESCALATION, 'high');
  },
});

const POD_CREATION: readonly Grant[] = [
  { verbs: WRITE, group: '', resources: ['pods', 'replicationcontrollers'], why: 'run pods' },
  { verbs: WRITE, group: 'apps', resources: ['deployments', 'replicasets', 'statefulsets', 'daemonsets'], why: 'run pods' },
  { verbs: WRITE, group: 'batch', resources: ['jobs', 'cronjobs'], why: 'run pods' },
];

const podCreation = defineCheck({
  id: 'rbac/pod-creation',
  title: 'RBAC rule can create pods or pod controllers',
  severity: 'medium',
  defaultOn: true,
  stride: ['E'],
  kinds: ROLE_KINDS,
  description:
    'Whoever can create or change a pod (directly or through a Deployment, Job, DaemonSet…) can run it as any ' +
    'ServiceAccount of the namespace and mount any of its Secrets and ConfigMaps, so they hold those permissions too; ' +
    'without Pod Security admission they also get the node (privileged, hostPath). `update`/`patch` count: they swap ' +
    'images and templates.',
  remediation: 'Keep pod-creating permissions to deployment pipelines and controllers, in namespaces that enforce the restricted Pod Security level.',
  example: `rules:
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["get", "list", "watch"]`,
  refs: {
    cis: ['5.1.4'],
    trivy: ['KSV-0048'],
    kubeLinter: ['access-to-create-pods'],
  },
  run(ctx) {
    reportGrants(ctx, POD_CREATION);
  },
});

export const CHECKS: CheckDef[] = [wildcard, clusterAdminBinding, privilegedSubject, secretsAccess, execAttach, escalationVerbs, podCreation];
