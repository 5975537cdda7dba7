/**
 * Rule matching exactly as the API server's RBAC authorizer does it:
 * kubernetes/kubernetes pkg/apis/rbac/v1/evaluation_helpers.go (VerbMatches, APIGroupMatches,
 * ResourceMatches, ResourceNameMatches, NonResourceURLMatches), plugin/pkg/auth/authorizer/rbac/rbac.go
 * (RuleAllows) and pkg/registry/rbac/validation/rule.go (appliesToUser).
 *
 * Everything is case-sensitive. `*` is a wildcard only where upstream says so: a whole verb,
 * a whole API group, a whole resource (which also covers every subresource), "star-slash-sub" (`*` `/sub`) for one
 * subresource of every resource, and a trailing `*` in a non-resource URL. `pods/*` is NOT a
 * wildcard (it only equals a literal subresource named `*`), and a User subject named `*` is a
 * user called `*`.
 */
import type { PolicyRule, RequestAttributes, Subject, UserInfo } from './types.js';

export const SA_PREFIX = 'system:serviceaccount:';

export function verbMatches(rule: PolicyRule, verb: string): boolean {
  for (const v of rule.verbs) if (v === '*' || v === verb) return true;
  return false;
}

export function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  for (const g of rule.apiGroups) if (g === '*' || g === group) return true;
  return false;
}

/** `combined` is `resource` or `resource/subresource`. */
export function resourceMatches(rule: PolicyRule, combined: string, subresource: string): boolean {
  for (const r of rule.resources) {
    if (r === '*' || r === combined) return true;
    // `*/sub`: the rule is exactly "*/" + the requested subresource.
    if (subresource !== '' && r.length === subresource.length + 2 && r.startsWith('*/') && r.endsWith(subresource)) return true;
  }
  return false;
}

/** An empty resourceNames list allows every name, including no name; otherwise the name must be listed. */
export function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  if (rule.resourceNames.length === 0) return true;
  for (const n of rule.resourceNames) if (n === name) return true;
  return false;
}

export function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  for (const u of rule.nonResourceURLs) {
    if (u === '*' || u === path) return true;
    // Go's strings.TrimRight(u, "*") drops every trailing star.
    if (u.endsWith('*') && path.startsWith(u.replace(/\*+$/, ''))) return true;
  }
  return false;
}

export function ruleAllows(req: RequestAttributes, rule: PolicyRule): boolean {
  if (req.resourceRequest) {
    const combined = req.subresource !== '' ? `${req.resource}/${req.subresource}` : req.resource;
    return verbMatches(rule, req.verb)
      && apiGroupMatches(rule, req.apiGroup)
      && resourceMatches(rule, combined, req.subresource)
      && resourceNameMatches(rule, req.name);
  }
  return verbMatches(rule, req.verb) && nonResourceURLMatches(rule, req.path);
}

/** The user name of a ServiceAccount. */
export function serviceAccountUser(namespace: string, name: string): string {
  return `${SA_PREFIX}${namespace}:${name}`;
}

/**
 * Whether a binding subject is this user. A ServiceAccount subject without a namespace takes
 * the binding's namespace (`namespace`, '' for ClusterRoleBindings, where it never matches).
 */
export function appliesToUser(user: UserInfo, subject: Subject, namespace: string): boolean {
  switch (subject.kind) {
    case 'User':
      return user.name === subject.name;
    case 'Group':
      return user.groups.includes(subject.name);
    case 'ServiceAccount': {
      const ns = subject.namespace !== '' ? subject.namespace : namespace;
      if (ns === '') return false;
      return user.name === serviceAccountUser(ns, subject.name);
    }
    default:
      return false;
  }
}

/** Index of the first subject that is this user, or -1 (appliesTo). */
export function appliesTo(user: UserInfo, subjects: readonly Subject[], namespace: string): number {
  for (let i = 0; i < subjects.length; i++) if (appliesToUser(user, subjects[i], namespace)) return i;
  return -1;
}

/** A rule in the API's shape, without empty lists (for JSON and messages). */
export function ruleJson(rule: PolicyRule): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (rule.apiGroups.length > 0) out.apiGroups = [...rule.apiGroups];
  if (rule.resources.length > 0) out.resources = [...rule.resources];
  if (rule.resourceNames.length > 0) out.resourceNames = [...rule.resourceNames];
  if (rule.nonResourceURLs.length > 0) out.nonResourceURLs = [...rule.nonResourceURLs];
  out.verbs = [...rule.verbs];
  return out;
}

/** One line: `get,list pods, pods/log (apiGroups "") [name1]`. */
export function ruleText(rule: PolicyRule): string {
  const verbs = rule.verbs.join(',');
  if (rule.nonResourceURLs.length > 0 && rule.resources.length === 0) return `${verbs} ${rule.nonResourceURLs.join(', ')}`;
  const groups = rule.apiGroups.map((g) => (g === '' ? '""' : g)).join(', ');
  const names = rule.resourceNames.length > 0 ? ` [${rule.resourceNames.join(', ')}]` : '';
  return `${verbs} ${rule.resources.join(', ')} (apiGroups ${groups})${names}`;
}

/** A stable key for semantic equality of rules (the aggregation controller's DeepEqual). */
export function ruleKey(rule: PolicyRule): string {
  return JSON.stringify([rule.verbs, rule.apiGroups, rule.resources, rule.resourceNames, rule.nonResourceURLs]);
}
