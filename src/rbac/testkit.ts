/** Test helpers: a policy and an authorizer from YAML text, and short request builders. */
import { parseYamlText } from '../model/index.js';
import { Authorizer } from './authorizer.js';
import { buildPolicy, type PolicyOptions, type RbacPolicy } from './policy.js';
import type { NonResourceRequest, PolicyRule, ResourceRequest, UserInfo } from './types.js';

export function policyOf(yaml: string, opts?: PolicyOptions, file = 'rbac.yaml'): RbacPolicy {
  const parsed = parseYamlText(yaml, file);
  if (parsed.errors.length > 0) throw new Error(parsed.errors.map((e) => e.message).join('; '));
  return buildPolicy(parsed.resources, opts);
}

export function authorizerOf(yaml: string, opts?: PolicyOptions): Authorizer {
  return new Authorizer(policyOf(yaml, opts));
}

export function res(verb: string, resource: string, o: Partial<Omit<ResourceRequest, 'resourceRequest' | 'verb' | 'resource'>> = {}): ResourceRequest {
  return { resourceRequest: true, verb, resource, namespace: o.namespace ?? '', apiGroup: o.apiGroup ?? '', subresource: o.subresource ?? '', name: o.name ?? '' };
}

export function url(verb: string, path: string): NonResourceRequest {
  return { resourceRequest: false, verb, path };
}

export function rule(r: Partial<PolicyRule>): PolicyRule {
  return { verbs: r.verbs ?? [], apiGroups: r.apiGroups ?? [], resources: r.resources ?? [], resourceNames: r.resourceNames ?? [], nonResourceURLs: r.nonResourceURLs ?? [] };
}

export function user(name: string, ...groups: string[]): UserInfo {
  return { name, groups };
}

/** `kind: X` objects with the RBAC apiVersion filled in. */
export function rbac(kind: string, body: string): string {
  return `apiVersion: rbac.authorization.k8s.io/v1\nkind: ${kind}\n${body.trim()}\n---\n`;
}
