/**
 * From parsed resources to the RBAC state a cluster would hold after `kubectl apply` of them:
 * Roles, ClusterRoles (with Kubernetes' defaults built in and aggregation resolved),
 * RoleBindings, ClusterRoleBindings, plus the facts escalation analysis needs (ServiceAccounts,
 * legacy token Secrets, namespaces, CRD scopes).
 *
 * Objects the API server would reject (validation.go of pkg/apis/rbac: a rule without verbs, a
 * resource rule without apiGroups or resources, nonResourceURLs in a Role, a roleRef of the wrong
 * kind, a ClusterRoleBinding ServiceAccount subject without a namespace…) are reported and left
 * out, as `kubectl apply` would leave them out. The same kind/namespace/name twice: the later
 * one wins, as a second apply would, and both places are reported.
 */
import { apiGroupOf, asArray, isObj, labelsOf, podSpecOf, type JsonPath, type Resource, type ResourceRef, type Severity } from '../model/index.js';
import { aggregateClusterRoles } from './aggregate.js';
import { BUILTIN_CLUSTER_ROLES, BUILTIN_CLUSTER_ROLE_BINDINGS, BOOTSTRAP_LABEL } from './bootstrap.js';
import type { ApiResource } from './resources.js';
import type { BindingDef, BindingKind, Origin, PolicyRule, RoleDef, RoleKind, RoleRef, Subject } from './types.js';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';

export type DiagnosticCode = 'invalid-object' | 'duplicate-object' | 'namespace-defaulted' | 'aggregation';

/** Something about the input worth telling the user (reported as a finding or a warning). */
export interface Diagnostic {
  code: DiagnosticCode;
  severity: Severity;
  message: string;
  object: ResourceRef;
  path: JsonPath;
  line: number;
}

export interface ServiceAccountFact {
  namespace: string;
  name: string;
  origin?: Origin;
}

/** A Secret of type kubernetes.io/service-account-token: reading it yields the SA's token. */
export interface TokenSecretFact {
  namespace: string;
  name: string;
  serviceAccount: string;
  origin: Origin;
}

export interface RbacPolicy {
  readonly clusterRoles: Map<string, RoleDef>;
  /** Key: `namespace/name`. */
  readonly roles: Map<string, RoleDef>;
  readonly clusterRoleBindings: BindingDef[];
  readonly roleBindings: BindingDef[];
  /** Key: `namespace/name`: ServiceAccount objects, SAs pods run as, SAs named in bindings. */
  readonly serviceAccounts: Map<string, ServiceAccountFact>;
  readonly tokenSecrets: TokenSecretFact[];
  /** Every namespace the input mentions. */
  readonly namespaces: Set<string>;
  /** Resources defined by CustomResourceDefinitions in the input. */
  readonly customResources: ApiResource[];
  readonly diagnostics: Diagnostic[];
  /** Objects read (all kinds). */
  objects: number;
}

export interface PolicyOptions {
  /** Include Kubernetes' default ClusterRoleBindings (default true). Default ClusterRoles are always known. */
  defaultBindings?: boolean;
  /** Namespace for namespaced objects without one (kubectl uses the context's; default `default`). */
  defaultNamespace?: string;
}

const BUILTIN_ORIGIN: Origin = { file: '<built-in>', line: 0, builtin: true };

export function roleKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

interface Problem {
  path: JsonPath;
  message: string;
}

/** A list of strings; `problems` gets anything else. Absent and null are empty. */
function stringList(v: unknown, path: JsonPath, problems: Problem[]): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    problems.push({ path, message: `${String(path[path.length - 1])} must be a list of strings` });
    return [];
  }
  const out: string[] = [];
  v.forEach((x, i) => {
    if (typeof x === 'string') out.push(x);
    else problems.push({ path: [...path, i], message: `${String(path[path.length - 1])}[${i}] is not a string` });
  });
  return out;
}

/** ValidatePolicyRule (pkg/apis/rbac/validation/validation.go). */
function readRule(raw: unknown, path: JsonPath, namespaced: boolean, problems: Problem[]): PolicyRule | undefined {
  if (!isObj(raw)) {
    problems.push({ path, message: 'rule is not an object' });
    return undefined;
  }
  const before = problems.length;
  const rule: PolicyRule = {
    verbs: stringList(raw.verbs, [...path, 'verbs'], problems),
    apiGroups: stringList(raw.apiGroups, [...path, 'apiGroups'], problems),
    resources: stringList(raw.resources, [...path, 'resources'], problems),
    resourceNames: stringList(raw.resourceNames, [...path, 'resourceNames'], problems),
    nonResourceURLs: stringList(raw.nonResourceURLs, [...path, 'nonResourceURLs'], problems),
  };
  if (rule.verbs.length === 0) problems.push({ path: [...path, 'verbs'], message: 'rule has no verbs (verbs: Required value)' });
  if (rule.nonResourceURLs.length > 0) {
    if (namespaced) problems.push({ path: [...path, 'nonResourceURLs'], message: 'namespaced rules cannot apply to non-resource URLs' });
    if (rule.apiGroups.length > 0 || rule.resources.length > 0) {
      problems.push({ path: [...path, 'nonResourceURLs'], message: 'rules cannot apply to both regular resources and non-resource URLs' });
    }
  } else {
    if (rule.apiGroups.length === 0) problems.push({ path: [...path, 'apiGroups'], message: 'resource rules must supply at least one api group' });
    if (rule.resources.length === 0) problems.push({ path: [...path, 'resources'], message: 'resource rules must supply at least one resource' });
  }
  return problems.length === before ? rule : undefined;
}

/** ValidateRoleBindingSubject. */
function readSubject(raw: unknown, path: JsonPath, namespaced: boolean, problems: Problem[]): Subject {
  if (!isObj(raw)) {
    problems.push({ path, message: 'subject is not an object' });
    return { kind: '', name: '', namespace: '', apiGroup: '' };
  }
  const s: Subject = { kind: str(raw.kind), name: str(raw.name), namespace: str(raw.namespace), apiGroup: str(raw.apiGroup) };
  if (s.name === '') problems.push({ path: [...path, 'name'], message: 'subject has no name' });
  switch (s.kind) {
    case 'ServiceAccount':
      if (s.apiGroup !== '') problems.push({ path: [...path, 'apiGroup'], message: `ServiceAccount subject apiGroup must be "" (found "${s.apiGroup}")` });
      if (!namespaced && s.namespace === '') problems.push({ path: [...path, 'namespace'], message: 'ServiceAccount subject of a ClusterRoleBinding needs a namespace' });
      break;
    case 'User':
    case 'Group':
      if (s.apiGroup !== RBAC_GROUP) problems.push({ path: [...path, 'apiGroup'], message: `${s.kind} subject apiGroup must be ${RBAC_GROUP} (found "${s.apiGroup}")` });
      break;
    default:
      problems.push({ path: [...path, 'kind'], message: `subject kind "${s.kind}" is not User, Group or ServiceAccount` });
  }
  return s;
}

interface Builder {
  diagnostics: Diagnostic[];
  seq: number;
  defaultNamespace: string;
}

function diag(b: Builder, r: Resource, code: Diagnostic['code'], severity: Severity, message: string, path: JsonPath = []): void {
  b.diagnostics.push({ code, severity, message, object: r.ref(), path, line: r.lineOf(path) });
}

function originOf(r: Resource): Origin {
  return { file: r.file, line: r.line, builtin: false };
}

function namespaceOf(b: Builder, r: Resource): string {
  const ns = r.namespace;
  if (ns !== undefined) return ns;
  diag(b, r, 'namespace-defaulted', 'info', `${r.kind} ${r.name} has no metadata.namespace; assuming "${b.defaultNamespace}" (kubectl applies it to the context's namespace)`, ['metadata']);
  return b.defaultNamespace;
}

function readRole(b: Builder, r: Resource, kind: RoleKind): RoleDef | undefined {
  const problems: Problem[] = [];
  const o = r.object;
  const name = str(r.metadata.name);
  if (name === '') problems.push({ path: ['metadata'], message: `${kind} has no metadata.name` });
  const namespaced = kind === 'Role';
  const rules: PolicyRule[] = [];
  const rawRules = o.rules;
  if (rawRules !== undefined && rawRules !== null && !Array.isArray(rawRules)) problems.push({ path: ['rules'], message: 'rules must be a list' });
  asArray(rawRules).forEach((raw, i) => {
    const rule = readRule(raw, ['rules', i], namespaced, problems);
    if (rule) rules.push(rule);
  });
  let aggregationSelectors: unknown[] | undefined;
  if (kind === 'ClusterRole' && o.aggregationRule !== undefined && o.aggregationRule !== null) {
    const ar = o.aggregationRule;
    if (!isObj(ar) || !Array.isArray(ar.clusterRoleSelectors) || ar.clusterRoleSelectors.length === 0) {
      problems.push({ path: ['aggregationRule'], message: 'aggregationRule needs at least one clusterRoleSelector' });
    } else {
      aggregationSelectors = ar.clusterRoleSelectors;
      if (rules.length > 0) {
        diag(b, r, 'aggregation', 'info', `ClusterRole ${name} aggregates: the aggregation controller replaces its ${rules.length} listed rule(s) with the selected roles' rules`, ['rules']);
      }
    }
  }
  if (problems.length > 0) {
    for (const p of problems) diag(b, r, 'invalid-object', 'medium', `${kind} ${name || '(unnamed)'}: ${p.message}; the API server would reject this object, so it is left out`, p.path);
    return undefined;
  }
  const role: RoleDef = {
    kind, name, namespace: namespaced ? namespaceOf(b, r) : '', labels: labelsOf(r.metadata.labels),
    rules, ruleSources: [], aggregationSelectors, origin: originOf(r), resource: r, seq: b.seq++,
  };
  role.ruleSources = rules.map((_, index) => ({ role, index }));
  return role;
}

function readBinding(b: Builder, r: Resource, kind: BindingKind): BindingDef | undefined {
  const problems: Problem[] = [];
  const o = r.object;
  const name = str(r.metadata.name);
  if (name === '') problems.push({ path: ['metadata'], message: `${kind} has no metadata.name` });
  const namespaced = kind === 'RoleBinding';
  let roleRef: RoleRef = { apiGroup: '', kind: '', name: '' };
  if (!isObj(o.roleRef)) {
    problems.push({ path: ['roleRef'], message: 'roleRef is missing' });
  } else {
    roleRef = { apiGroup: str(o.roleRef.apiGroup), kind: str(o.roleRef.kind), name: str(o.roleRef.name) };
    if (roleRef.apiGroup !== RBAC_GROUP) problems.push({ path: ['roleRef', 'apiGroup'], message: `roleRef.apiGroup must be ${RBAC_GROUP} (found "${roleRef.apiGroup}")` });
    const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
    if (!kinds.includes(roleRef.kind)) problems.push({ path: ['roleRef', 'kind'], message: `roleRef.kind must be ${kinds.join(' or ')} (found "${roleRef.kind}")` });
    if (roleRef.name === '') problems.push({ path: ['roleRef', 'name'], message: 'roleRef.name is empty' });
  }
  if (o.subjects !== undefined && o.subjects !== null && !Array.isArray(o.subjects)) problems.push({ path: ['subjects'], message: 'subjects must be a list' });
  const subjects = asArray(o.subjects).map((s, i) => readSubject(s, ['subjects', i], namespaced, problems));
  if (problems.length > 0) {
    for (const p of problems) diag(b, r, 'invalid-object', 'medium', `${kind} ${name || '(unnamed)'}: ${p.message}; the API server would reject this object, so it is left out`, p.path);
    return undefined;
  }
  return {
    kind, name, namespace: namespaced ? namespaceOf(b, r) : '', labels: labelsOf(r.metadata.labels),
    roleRef, subjects, origin: originOf(r), resource: r, seq: b.seq++,
  };
}

/** Kubernetes' own object of this kind and name, from a cluster dump or a copy of the defaults. */
export function isBootstrapObject(o: { labels: Readonly<Record<string, string>>; origin: Origin }): boolean {
  return o.origin.builtin || o.labels[BOOTSTRAP_LABEL] === 'rbac-defaults';
}

function crdResources(r: Resource): ApiResource | undefined {
  const spec = r.object.spec;
  if (!isObj(spec) || !isObj(spec.names)) return undefined;
  const group = str(spec.group);
  const plural = str(spec.names.plural);
  if (group === '' || plural === '') return undefined;
  const shortNames = asArray(spec.names.shortNames).filter((s): s is string => typeof s === 'string');
  return { group, plural, singular: str(spec.names.singular) || str(spec.names.kind).toLowerCase(), shortNames, namespaced: spec.scope !== 'Cluster' };
}

/** Builds the policy. Later objects replace earlier ones of the same kind/namespace/name. */
export function buildPolicy(resources: readonly Resource[], opts: PolicyOptions = {}): RbacPolicy {
  const b: Builder = { diagnostics: [], seq: 0, defaultNamespace: opts.defaultNamespace ?? 'default' };
  const policy: RbacPolicy = {
    clusterRoles: new Map(), roles: new Map(), clusterRoleBindings: [], roleBindings: [],
    serviceAccounts: new Map(), tokenSecrets: [], namespaces: new Set(), customResources: [], diagnostics: b.diagnostics, objects: resources.length,
  };
  const seen = new Map<string, Resource>();
  const crbs = new Map<string, BindingDef>();
  const rbs = new Map<string, BindingDef>();
  const addSa = (namespace: string, name: string, origin?: Origin) => {
    if (namespace === '' || name === '') return;
    const key = roleKey(namespace, name);
    const had = policy.serviceAccounts.get(key);
    if (!had || (!had.origin && origin)) policy.serviceAccounts.set(key, { namespace, name, origin });
    policy.namespaces.add(namespace);
  };

  for (const r of resources) {
    const kind = r.kind;
    const group = apiGroupOf(r.apiVersion);
    const isRbacKind = kind === 'Role' || kind === 'ClusterRole' || kind === 'RoleBinding' || kind === 'ClusterRoleBinding';
    if (isRbacKind && group !== RBAC_GROUP) continue;
    if (isRbacKind) {
      // Duplicates: same kind, namespace and name (the namespace as given; defaulting comes later).
      const clusterScoped = kind === 'ClusterRole' || kind === 'ClusterRoleBinding';
      const id = `${kind}/${clusterScoped ? '' : r.namespace ?? ''}/${str(r.metadata.name)}`;
      const before = seen.get(id);
      if (before && str(r.metadata.name) !== '') {
        diag(b, r, 'duplicate-object', 'low', `${kind} ${clusterScoped ? '' : `${r.namespace ?? ''}/`}${str(r.metadata.name)} is defined twice: at ${before.file}:${before.line} and at ${r.file}:${r.line}; the later one replaces the earlier, as a second kubectl apply would`);
      }
      seen.set(id, r);
    }
    switch (kind) {
      case 'ClusterRole': {
        const role = readRole(b, r, 'ClusterRole');
        if (role) policy.clusterRoles.set(role.name, role);
        break;
      }
      case 'Role': {
        const role = readRole(b, r, 'Role');
        if (role) {
          policy.roles.set(roleKey(role.namespace, role.name), role);
          policy.namespaces.add(role.namespace);
        }
        break;
      }
      case 'ClusterRoleBinding': {
        const binding = readBinding(b, r, 'ClusterRoleBinding');
        if (binding) crbs.set(binding.name, binding);
        break;
      }
      case 'RoleBinding': {
        const binding = readBinding(b, r, 'RoleBinding');
        if (binding) {
          rbs.set(roleKey(binding.namespace, binding.name), binding);
          policy.namespaces.add(binding.namespace);
        }
        break;
      }
      case 'ServiceAccount':
        if (group === '') addSa(r.namespace ?? b.defaultNamespace, str(r.metadata.name), originOf(r));
        break;
      case 'Namespace':
        if (group === '' && str(r.metadata.name) !== '') policy.namespaces.add(str(r.metadata.name));
        break;
      case 'Secret': {
        const annotations = isObj(r.metadata.annotations) ? r.metadata.annotations : {};
        const sa = str(annotations['kubernetes.io/service-account.name']);
        if (group === '' && r.object.type === 'kubernetes.io/service-account-token' && sa !== '') {
          const namespace = r.namespace ?? b.defaultNamespace;
          policy.tokenSecrets.push({ namespace, name: str(r.metadata.name), serviceAccount: sa, origin: originOf(r) });
          addSa(namespace, sa);
        }
        break;
      }
      case 'CustomResourceDefinition': {
        const crd = group === 'apiextensions.k8s.io' ? crdResources(r) : undefined;
        if (crd) policy.customResources.push(crd);
        break;
      }
      default: {
        const pod = podSpecOf(r.object);
        if (pod) {
          const name = str(pod.spec.serviceAccountName) || str(pod.spec.serviceAccount) || 'default';
          addSa(r.namespace ?? b.defaultNamespace, name);
        }
      }
    }
  }

  // Kubernetes' defaults, unless the input defines an object of the same name.
  for (const def of BUILTIN_CLUSTER_ROLES) {
    if (policy.clusterRoles.has(def.name)) continue;
    const role: RoleDef = {
      kind: 'ClusterRole', name: def.name, namespace: '', labels: def.labels, rules: [...def.rules], ruleSources: [],
      aggregationSelectors: def.aggregationSelectors, origin: BUILTIN_ORIGIN, seq: b.seq++,
    };
    role.ruleSources = role.rules.map((_, index) => ({ role, index }));
    policy.clusterRoles.set(def.name, role);
  }
  if (opts.defaultBindings !== false) {
    for (const def of BUILTIN_CLUSTER_ROLE_BINDINGS) {
      if (crbs.has(def.name)) continue;
      crbs.set(def.name, {
        kind: 'ClusterRoleBinding', name: def.name, namespace: '', labels: { [BOOTSTRAP_LABEL]: 'rbac-defaults' },
        roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: def.roleName },
        subjects: def.subjects.map((s) => ({ kind: s.kind, name: s.name, namespace: s.namespace ?? '', apiGroup: s.kind === 'ServiceAccount' ? '' : RBAC_GROUP })),
        origin: BUILTIN_ORIGIN, seq: b.seq++,
      });
    }
  }
  policy.clusterRoleBindings.push(...[...crbs.values()].sort((x, y) => x.seq - y.seq));
  policy.roleBindings.push(...[...rbs.values()].sort((x, y) => x.seq - y.seq));
  for (const binding of [...policy.clusterRoleBindings, ...policy.roleBindings]) {
    for (const s of binding.subjects) {
      if (s.kind === 'ServiceAccount') addSa(s.namespace || binding.namespace, s.name);
      else if (s.kind === 'Group' && s.name.startsWith('system:serviceaccounts:')) policy.namespaces.add(s.name.slice('system:serviceaccounts:'.length));
    }
  }
  const agg = aggregateClusterRoles(policy.clusterRoles);
  if (!agg.converged) {
    b.diagnostics.push({
      code: 'aggregation', severity: 'low', message: `ClusterRole aggregation did not settle after ${agg.passes} passes; aggregated roles may be incomplete`,
      object: { apiVersion: `${RBAC_GROUP}/v1`, kind: 'ClusterRole', name: '*', file: '<input>', line: 0 }, path: [], line: 0,
    });
  }
  return policy;
}
