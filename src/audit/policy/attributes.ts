/**
 * Request attributes from a recorded audit Event (audit.k8s.io v1 or v1beta1), so that a log
 * can be replayed through a policy as the apiserver would have evaluated it.
 */
import type { Attributes } from './evaluate.js';

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/**
 * `user` is the authenticated user: the apiserver audits before impersonation, so policy
 * users/userGroups never see `impersonatedUser`. An event without a username is a request
 * whose authentication failed (no user at all). A resource request is one with an objectRef;
 * the path is the requestURI without its query string.
 */
export function attributesFromEvent(event: unknown): Attributes {
  const e = obj(event) ?? {};
  const user = obj(e.user);
  const ref = obj(e.objectRef);
  const uri = str(e.requestURI);
  const q = uri.indexOf('?');
  const attrs: Attributes = {
    verb: str(e.verb),
    resourceRequest: ref !== undefined,
    apiGroup: str(ref?.apiGroup),
    resource: str(ref?.resource),
    subresource: str(ref?.subresource),
    namespace: str(ref?.namespace),
    name: str(ref?.name),
    path: q >= 0 ? uri.slice(0, q) : uri,
  };
  const name = str(user?.username);
  if (user && name !== '') {
    attrs.user = { name, groups: Array.isArray(user.groups) ? user.groups.filter((g): g is string => typeof g === 'string') : [] };
  }
  return attrs;
}

/** A resource request's attributes with defaults for what is not given (tests, probes, explain). */
export function resourceAttributes(a: Partial<Attributes> & { verb: string; resource: string }): Attributes {
  return { apiGroup: '', subresource: '', namespace: '', name: '', path: '', ...a, resourceRequest: true };
}

/** A non-resource request's attributes (`/healthz`, `/version`, …). */
export function nonResourceAttributes(a: { verb: string; path: string; user?: Attributes['user'] }): Attributes {
  return { apiGroup: '', resource: '', subresource: '', namespace: '', name: '', ...a, resourceRequest: false };
}
