/** The RBAC engine's own shapes: rules, roles, bindings, identities and requests. */
import type { Resource } from '../model/index.js';

/** A PolicyRule with every list present (absent and null read as empty, as the API server does). */
export interface PolicyRule {
  readonly verbs: readonly string[];
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly resourceNames: readonly string[];
  readonly nonResourceURLs: readonly string[];
}

/** The authenticated identity of a request (user.Info without uid and extra). */
export interface UserInfo {
  readonly name: string;
  readonly groups: readonly string[];
}

/** A resource request, as the API server's RequestInfo describes it. */
export interface ResourceRequest {
  readonly resourceRequest: true;
  readonly verb: string;
  /** '' for cluster-scoped requests (and for requests across all namespaces). */
  readonly namespace: string;
  /** '' is the core group. */
  readonly apiGroup: string;
  readonly resource: string;
  readonly subresource: string;
  /** '' when the request names no object (create, list, deletecollection). */
  readonly name: string;
}

export interface NonResourceRequest {
  readonly resourceRequest: false;
  readonly verb: string;
  readonly path: string;
}

export type RequestAttributes = ResourceRequest | NonResourceRequest;

/** Where an object came from: a file and line, or Palisade's built-in copy of Kubernetes' defaults. */
export interface Origin {
  readonly file: string;
  readonly line: number;
  readonly builtin: boolean;
}

export type RoleKind = 'Role' | 'ClusterRole';
export type BindingKind = 'RoleBinding' | 'ClusterRoleBinding';

/** Where one rule of a role comes from: the role itself or, for aggregated ClusterRoles, another role. */
export interface RuleSource {
  readonly role: RoleDef;
  readonly index: number;
}

export interface RoleDef {
  readonly kind: RoleKind;
  readonly name: string;
  /** '' for ClusterRoles. */
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The effective rules (for aggregated ClusterRoles: the aggregation result). */
  rules: PolicyRule[];
  /** For each effective rule, the role and index it was written in. */
  ruleSources: RuleSource[];
  /** ClusterRoles with an aggregationRule: its clusterRoleSelectors. */
  readonly aggregationSelectors?: readonly unknown[];
  readonly origin: Origin;
  /** The parsed object (absent for built-ins): gives the line of any field. */
  readonly resource?: Resource;
  /** Input order; built-ins come after every input object. */
  readonly seq: number;
}

export interface RoleRef {
  readonly apiGroup: string;
  readonly kind: string;
  readonly name: string;
}

export interface Subject {
  readonly kind: string;
  readonly name: string;
  /** '' when absent. */
  readonly namespace: string;
  readonly apiGroup: string;
}

export interface BindingDef {
  readonly kind: BindingKind;
  readonly name: string;
  /** '' for ClusterRoleBindings. */
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly roleRef: RoleRef;
  readonly subjects: readonly Subject[];
  readonly origin: Origin;
  readonly resource?: Resource;
  readonly seq: number;
}

/** A rule that applies to a request's user: which binding (and subject in it), role and rule. */
export interface Grant {
  readonly binding: BindingDef;
  readonly subjectIndex: number;
  readonly role: RoleDef;
  readonly ruleIndex: number;
}

/** `Kind/namespace/name` or `Kind/name`. */
export function objectId(o: { kind: string; namespace: string; name: string }): string {
  return o.namespace ? `${o.kind}/${o.namespace}/${o.name}` : `${o.kind}/${o.name}`;
}

/** `file:line`, or `built-in` for Palisade's copy of Kubernetes' defaults. */
export function originText(o: Origin): string {
  return o.builtin ? 'built-in' : `${o.file}:${o.line}`;
}
