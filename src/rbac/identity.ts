/**
 * Who a request is, in `kubectl --as` terms, with the groups the API server adds
 * (k8s.io/apiserver pkg/endpoints/filters/impersonation.go and pkg/authentication/serviceaccount):
 * a ServiceAccount user `system:serviceaccount:NS:NAME` without explicit groups gets
 * `system:serviceaccounts` and `system:serviceaccounts:NS`; every user but `system:anonymous`
 * gets `system:authenticated` unless `system:authenticated` or `system:unauthenticated` was
 * given; `system:anonymous` gets `system:unauthenticated`. No user at all is an anonymous request.
 */
import { SA_PREFIX } from './match.js';
import type { UserInfo } from './types.js';

export const ANONYMOUS_USER = 'system:anonymous';
export const ALL_AUTHENTICATED = 'system:authenticated';
export const ALL_UNAUTHENTICATED = 'system:unauthenticated';
export const ALL_SERVICE_ACCOUNTS = 'system:serviceaccounts';
export const SERVICE_ACCOUNT_GROUP_PREFIX = 'system:serviceaccounts:';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** serviceaccount.SplitUsername: namespace and name, or undefined when `user` is not a valid ServiceAccount user name. */
export function splitServiceAccountUser(user: string): { namespace: string; name: string } | undefined {
  if (!user.startsWith(SA_PREFIX)) return undefined;
  const parts = user.slice(SA_PREFIX.length).split(':');
  if (parts.length !== 2) return undefined;
  const [namespace, name] = parts;
  if (namespace.length > 63 || !DNS_LABEL.test(namespace)) return undefined;
  if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) return undefined;
  return { namespace, name };
}

/** The groups of a ServiceAccount (serviceaccount.MakeGroupNames) plus system:authenticated. */
export function serviceAccountIdentity(namespace: string, name: string): UserInfo {
  return { name: `${SA_PREFIX}${namespace}:${name}`, groups: [ALL_SERVICE_ACCOUNTS, SERVICE_ACCOUNT_GROUP_PREFIX + namespace, ALL_AUTHENTICATED] };
}

/** The user `--as USER --as-group G…` makes, as the impersonation filter builds it. */
export function impersonatedUser(as: string | undefined, asGroups: readonly string[] = []): UserInfo {
  if (as === undefined || as === '') {
    if (asGroups.length > 0) throw new Error('--as-group needs --as (the API server refuses groups without a user)');
    return { name: ANONYMOUS_USER, groups: [ALL_UNAUTHENTICATED] };
  }
  let groups = [...asGroups];
  const sa = splitServiceAccountUser(as);
  if (sa && groups.length === 0) groups = [ALL_SERVICE_ACCOUNTS, SERVICE_ACCOUNT_GROUP_PREFIX + sa.namespace];
  if (as !== ANONYMOUS_USER) {
    if (!groups.includes(ALL_AUTHENTICATED) && !groups.includes(ALL_UNAUTHENTICATED)) groups.push(ALL_AUTHENTICATED);
  } else if (!groups.includes(ALL_UNAUTHENTICATED)) {
    groups.push(ALL_UNAUTHENTICATED);
  }
  return { name: as, groups };
}
