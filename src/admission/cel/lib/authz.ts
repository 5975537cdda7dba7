/**
 * Kubernetes' authorizer library (k8s.io/apiserver/pkg/cel/library/authz.go) over a
 * pluggable decision function. Off-cluster there is no authorizer to ask, so the default
 * decision is a documented stub: every check returns "no opinion" (`allowed()` is false,
 * `reason()` says why, `errored()` is false). Callers that know better (an RBAC snapshot,
 * a SubjectAccessReview client) pass their own `AuthzDecide`.
 *
 *   authorizer.group('apps').resource('deployments').namespace('ns').name('x').check('delete').allowed()
 *   authorizer.path('/healthz').check('get').allowed()
 *   authorizer.serviceAccount('ns', 'sa').group('').resource('pods').check('list').reason()
 *   authorizer.requestResource.subresource('scale').check('update').allowed()
 */
import type { Registry } from '../registry.js';
import { T } from '../types.js';
import { Opaque } from '../values.js';

export interface AuthzUser {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export interface AuthzAttributes {
  user: AuthzUser;
  verb: string;
  resourceRequest: boolean;
  group: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  path: string;
  fieldSelector: string;
  labelSelector: string;
}

export interface AuthzDecision {
  decision: 'allow' | 'deny' | 'noopinion';
  reason?: string;
  error?: string;
}

export type AuthzDecide = (attrs: AuthzAttributes) => AuthzDecision;

export const NO_AUTHORIZER_REASON = 'no authorizer is available to palisade (offline evaluation); every check is "no opinion"';

/** The default: no opinion on anything, said plainly. */
export const stubDecide: AuthzDecide = () => ({ decision: 'noopinion', reason: NO_AUTHORIZER_REASON });

const AUTHZ = 'kubernetes.authorization.Authorizer';
const PATH = 'kubernetes.authorization.PathCheck';
const GROUP = 'kubernetes.authorization.GroupCheck';
const RESOURCE = 'kubernetes.authorization.ResourceCheck';
const DECISION = 'kubernetes.authorization.Decision';

export class AuthorizerValue extends Opaque {
  readonly typeName = AUTHZ;
  constructor(readonly user: AuthzUser, readonly decide: AuthzDecide) {
    super();
  }
  equalTo(o: Opaque): boolean {
    return o === this;
  }
}

class PathCheckValue extends Opaque {
  readonly typeName = PATH;
  constructor(readonly authz: AuthorizerValue, readonly path: string) {
    super();
  }
  equalTo(o: Opaque): boolean {
    return o === this;
  }
}

class GroupCheckValue extends Opaque {
  readonly typeName = GROUP;
  constructor(readonly authz: AuthorizerValue, readonly group: string) {
    super();
  }
  equalTo(o: Opaque): boolean {
    return o === this;
  }
}

export interface ResourceFields {
  group: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  fieldSelector: string;
  labelSelector: string;
}

export class ResourceCheckValue extends Opaque {
  readonly typeName = RESOURCE;
  constructor(readonly authz: AuthorizerValue, readonly f: ResourceFields) {
    super();
  }
  with(change: Partial<ResourceFields>): ResourceCheckValue {
    return new ResourceCheckValue(this.authz, { ...this.f, ...change });
  }
  equalTo(o: Opaque): boolean {
    return o === this;
  }
}

class DecisionValue extends Opaque {
  readonly typeName = DECISION;
  constructor(readonly d: AuthzDecision) {
    super();
  }
  equalTo(o: Opaque): boolean {
    return o === this;
  }
}

function run(authz: AuthorizerValue, attrs: Omit<AuthzAttributes, 'user'>): DecisionValue {
  let d: AuthzDecision;
  try {
    d = authz.decide({ ...attrs, user: authz.user });
  } catch (e) {
    d = { decision: 'noopinion', error: e instanceof Error ? e.message : String(e) };
  }
  return new DecisionValue(d);
}

export function registerAuthz(reg: Registry): void {
  const A_ = T.opaque(AUTHZ);
  const P = T.opaque(PATH);
  const G = T.opaque(GROUP);
  const R = T.opaque(RESOURCE);
  const D = T.opaque(DECISION);
  reg.method('path', A_, [T.string], P, (a: AuthorizerValue, path: string) => new PathCheckValue(a, path));
  reg.method('group', A_, [T.string], G, (a: AuthorizerValue, group: string) => new GroupCheckValue(a, group));
  reg.method('serviceAccount', A_, [T.string, T.string], A_, (a: AuthorizerValue, ns: string, name: string) =>
    new AuthorizerValue({ username: `system:serviceaccount:${ns}:${name}`, groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`] }, a.decide));
  reg.method('check', P, [T.string], D, (p: PathCheckValue, verb: string) => run(p.authz, {
    verb: verb.toLowerCase(), resourceRequest: false, path: p.path, group: '', resource: '', subresource: '', namespace: '', name: '',
    fieldSelector: '', labelSelector: '',
  }));
  reg.method('resource', G, [T.string], R, (g: GroupCheckValue, resource: string) => new ResourceCheckValue(g.authz, {
    group: g.group, resource, subresource: '', namespace: '', name: '', fieldSelector: '', labelSelector: '',
  }));
  for (const field of ['subresource', 'namespace', 'name', 'fieldSelector', 'labelSelector'] as const) {
    reg.method(field, R, [T.string], R, (r: ResourceCheckValue, v: string) => r.with({ [field]: v }));
  }
  reg.method('check', R, [T.string], D, (r: ResourceCheckValue, verb: string) =>
    run(r.authz, { verb, resourceRequest: true, path: '', ...r.f }));
  reg.method('allowed', D, [], T.bool, (d: DecisionValue) => d.d.decision === 'allow');
  reg.method('reason', D, [], T.string, (d: DecisionValue) => d.d.reason ?? '');
  reg.method('errored', D, [], T.bool, (d: DecisionValue) => d.d.error !== undefined);
  reg.method('error', D, [], T.string, (d: DecisionValue) => d.d.error ?? '');
}

export const AUTHZ_TYPE = T.opaque(AUTHZ);
export const RESOURCE_CHECK_TYPE = T.opaque(RESOURCE);
