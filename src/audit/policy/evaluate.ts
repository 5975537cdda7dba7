/**
 * kube-apiserver's audit policy evaluation (k8s.io/apiserver pkg/audit/policy/checker.go): the
 * first rule that matches a request decides its level, omitted stages and omitManagedFields;
 * no match means level None with the policy's own omitStages.
 */
import type { Level, Policy, PolicyRule, Stage } from './types.js';

/** What the apiserver knows about a request when it audits it (authorizer.Attributes). */
export interface Attributes {
  /** The authenticated user (not the impersonated one); absent when authentication failed. */
  user?: { name: string; groups: readonly string[] };
  /** Authorizer verb (get, list, watch, create, …); lower-case HTTP method for non-resource requests. */
  verb: string;
  resourceRequest: boolean;
  /** API group without version; "" is the core group. */
  apiGroup: string;
  resource: string;
  subresource: string;
  /** "" for cluster-scoped resources. */
  namespace: string;
  /** "" for list, watch of a collection, and create. */
  name: string;
  /** URL path without the query string. */
  path: string;
}

export interface Evaluation {
  level: Level;
  /** Stages without events for this request: the union of the policy's and the rule's, sorted. */
  omitStages: Stage[];
  omitManagedFields: boolean;
  /** Index of the rule that matched, or null when none did. */
  rule: number | null;
}

/** A policy prepared once for many evaluations (the union of omitStages is computed up front). */
export class PolicyEvaluator {
  private readonly omit: Stage[][];
  private readonly policyOmit: Stage[];

  constructor(readonly policy: Policy) {
    this.policyOmit = sortedUnique(policy.omitStages);
    this.omit = policy.rules.map((r) => sortedUnique([...policy.omitStages, ...r.omitStages]));
  }

  /** The stages a rule omits once the policy's are added (sorted). */
  ruleOmitStages(index: number): readonly Stage[] {
    return this.omit[index];
  }

  evaluate(attrs: Attributes): Evaluation {
    const rules = this.policy.rules;
    for (let i = 0; i < rules.length; i++) {
      const r = rules[i];
      if (ruleMatches(r, attrs)) {
        return { level: r.level, omitStages: [...this.omit[i]], omitManagedFields: r.omitManagedFields ?? this.policy.omitManagedFields, rule: i };
      }
    }
    return { level: 'None', omitStages: [...this.policyOmit], omitManagedFields: this.policy.omitManagedFields, rule: null };
  }
}

const evaluators = new WeakMap<Policy, PolicyEvaluator>();

/** Evaluates one request against a policy (the prepared evaluator is cached per policy object). */
export function evaluatePolicy(policy: Policy, attrs: Attributes): Evaluation {
  let ev = evaluators.get(policy);
  if (!ev) {
    ev = new PolicyEvaluator(policy);
    evaluators.set(policy, ev);
  }
  return ev.evaluate(attrs);
}

function sortedUnique(stages: readonly Stage[]): Stage[] {
  return [...new Set(stages)].sort();
}

/** checker.go ruleMatches. Comparisons are exact and case-sensitive. */
export function ruleMatches(r: PolicyRule, a: Attributes): boolean {
  const user = a.user;
  // A request whose authentication failed has no user: rules naming users or groups skip it.
  if (r.users.length > 0 && (!user || !r.users.includes(user.name))) return false;
  if (r.userGroups.length > 0 && (!user || !user.groups.some((g) => r.userGroups.includes(g)))) return false;
  if (r.verbs.length > 0 && !r.verbs.includes(a.verb)) return false;
  // With namespaces or resources, nonResourceURLs are not looked at (validation forbids both anyway).
  if (r.namespaces.length > 0 || r.resources.length > 0) return ruleMatchesResource(r, a);
  if (r.nonResourceURLs.length > 0) return ruleMatchesNonResource(r, a);
  return true;
}

function ruleMatchesNonResource(r: PolicyRule, a: Attributes): boolean {
  if (a.resourceRequest) return false;
  return r.nonResourceURLs.some((spec) => pathMatches(a.path, spec));
}

/** `*` matches every path; `/p*` every path that starts with `/p` (no `/` boundary: `/api*` matches `/apis`). */
export function pathMatches(path: string, spec: string): boolean {
  if (spec === '*' || spec === path) return true;
  return spec.endsWith('*') && path.startsWith(spec.replace(/\*+$/, ''));
}

function ruleMatchesResource(r: PolicyRule, a: Attributes): boolean {
  if (!a.resourceRequest) return false;
  // Cluster-scoped requests have namespace "", which a rule selects by listing "".
  if (r.namespaces.length > 0 && !r.namespaces.includes(a.namespace)) return false;
  if (r.resources.length === 0) return true;
  const combined = a.subresource !== '' ? `${a.resource}/${a.subresource}` : a.resource;
  for (const gr of r.resources) {
    if (gr.group !== a.apiGroup && gr.group !== '*') continue;
    // No resources: the whole group (resourceNames, which validation forbids here, are ignored).
    if (gr.resources.length === 0) return true;
    for (const res of gr.resources) {
      // A list or a create has no name, so resourceNames never matches them.
      if (gr.resourceNames.length > 0 && !gr.resourceNames.includes(a.name)) continue;
      if (resourceMatches(res, a.resource, a.subresource, combined)) return true;
    }
  }
  return false;
}

/**
 * One entry of `resources`: `pods` (not its subresources), `pods/log`, `*` (everything,
 * subresources included), `*\/status` (that subresource of anything), `pods/*` (pods and
 * every subresource of pods: the bare resource too).
 */
export function resourceMatches(res: string, resource: string, subresource: string, combined = subresource !== '' ? `${resource}/${subresource}` : resource): boolean {
  if (res === combined || res === '*') return true;
  if (subresource !== '' && res.startsWith('*/') && subresource === res.slice(2)) return true;
  return res.endsWith('/*') && resource === res.slice(0, -2);
}
