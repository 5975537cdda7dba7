/**
 * Whether a request is in a policy's matchConstraints or a binding's matchResources
 * (k8s.io/apiserver/pkg/admission/plugin/policy/matching): namespaceSelector, then
 * objectSelector (old or new object), then excludeResourceRules (exclusion wins), then
 * resourceRules (none listed: everything). Rule matching is the admission dialect
 * (webhook/predicates/rules): `*` is every resource WITHOUT subresources, `*\/*` everything,
 * `pods/*` pods and all its subresources, `*\/scale` any scale subresource.
 * matchPolicy Equivalent is treated as Exact: Palisade has no API discovery to find
 * equivalent resources (docs/vap.md).
 */
import { labelsOf, selectorMatches } from '../../model/index.js';
import { isObj } from './validate.js';
import type { AdmissionRequestLike, JsonObject } from './types.js';

const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

const exactOrWildcard = (items: string[], requested: string): boolean => items.some((i) => i === '*' || i === requested);

function isNamespaceResource(req: AdmissionRequestLike): boolean {
  return req.resource.group === '' && req.resource.version === 'v1' && req.resource.resource === 'namespaces';
}

/** One RuleWithOperations against a request. */
export function ruleMatches(rule: JsonObject, req: AdmissionRequestLike): boolean {
  const scope = typeof rule.scope === 'string' ? rule.scope : '*';
  const ns = req.namespace ?? '';
  if (scope === 'Namespaced' && (isNamespaceResource(req) || ns === '')) return false;
  if (scope === 'Cluster' && !(isNamespaceResource(req) || ns === '')) return false;
  if (scope !== '*' && scope !== 'Namespaced' && scope !== 'Cluster') return false;
  if (!list(rule.operations).some((op) => op === '*' || op === req.operation)) return false;
  if (!exactOrWildcard(list(rule.apiGroups), req.resource.group)) return false;
  if (!exactOrWildcard(list(rule.apiVersions), req.resource.version)) return false;
  const opRes = req.resource.resource;
  const opSub = req.subResource ?? '';
  return list(rule.resources).some((rs) => {
    const slash = rs.indexOf('/');
    const res = slash === -1 ? rs : rs.slice(0, slash);
    const sub = slash === -1 ? '' : rs.slice(slash + 1);
    return (res === '*' || res === opRes) && (sub === '*' || sub === opSub);
  });
}

/** A NamedRuleWithOperations list: a rule matches and (no resourceNames, or the name is listed). */
export function anyRuleMatches(rules: unknown, req: AdmissionRequestLike): boolean {
  if (!Array.isArray(rules)) return false;
  for (const r of rules) {
    if (!isObj(r) || !ruleMatches(r, req)) continue;
    const names = list(r.resourceNames);
    if (names.length === 0 || names.includes(req.name ?? '')) return true;
  }
  return false;
}

/** Namespace labels for selectors, or a not-found error (kube-apiserver answers 404). */
export type NamespaceLookup = (name: string) => JsonObject | undefined;

export interface MatchOutcome {
  matches: boolean;
  /** A selector needed a namespace that is unknown (only reported when the rules matched). */
  error?: string;
}

function namespaceSelectorMatches(selector: unknown, req: AdmissionRequestLike, lookup: NamespaceLookup): MatchOutcome {
  const ns = req.namespace ?? '';
  // Cluster-scoped objects other than namespaces are never excluded by a namespaceSelector.
  if (ns === '' && req.resource.resource !== 'namespaces') return { matches: true };
  if (isEmpty(selector)) return { matches: true };
  let labels: Record<string, string>;
  if (req.resource.resource === 'namespaces' && (req.subResource ?? '') === '' && (req.operation === 'CREATE' || req.operation === 'UPDATE')) {
    // The namespace being written: its own (new) labels.
    labels = labelsOf(isObj(req.object) && isObj(req.object.metadata) ? req.object.metadata.labels : undefined);
  } else {
    const nsObj = lookup(ns);
    if (nsObj === undefined) return { matches: false, error: `namespaces "${ns}" not found` };
    labels = labelsOf(isObj(nsObj.metadata) ? nsObj.metadata.labels : undefined);
  }
  return { matches: selectorMatches(selector, labels) };
}

function isEmpty(selector: unknown): boolean {
  if (!isObj(selector)) return true;
  const ml = selector.matchLabels;
  const me = selector.matchExpressions;
  return (!isObj(ml) || Object.keys(ml).length === 0) && (!Array.isArray(me) || me.length === 0);
}

function objectLabels(o: unknown): Record<string, string> | undefined {
  return isObj(o) ? labelsOf(isObj(o.metadata) ? o.metadata.labels : undefined) : undefined;
}

function objectSelectorMatches(selector: unknown, req: AdmissionRequestLike): boolean {
  if (isEmpty(selector)) return true;
  const n = objectLabels(req.object);
  const o = objectLabels(req.oldObject);
  return (n !== undefined && selectorMatches(selector, n)) || (o !== undefined && selectorMatches(selector, o));
}

/** MatchResources (defaults applied) against a request; `undefined` matches everything (a binding without matchResources). */
export function matchResources(mr: JsonObject | undefined, req: AdmissionRequestLike, lookup: NamespaceLookup): MatchOutcome {
  if (mr === undefined) return { matches: true };
  const ns = namespaceSelectorMatches(mr.namespaceSelector, req, lookup);
  if (!ns.matches && ns.error === undefined) return { matches: false };
  if (!objectSelectorMatches(mr.objectSelector, req)) return { matches: false };
  if (anyRuleMatches(mr.excludeResourceRules, req)) return { matches: false };
  const rules = mr.resourceRules;
  const inRules = !Array.isArray(rules) || rules.length === 0 ? true : anyRuleMatches(rules, req);
  if (!inRules) return { matches: false };
  if (ns.error !== undefined) return { matches: false, error: ns.error };
  return { matches: true };
}
