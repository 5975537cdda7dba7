/**
 * A user's full permission matrix: what it may do cluster-wide (ClusterRoleBindings: every
 * namespace and the cluster-scoped resources and non-resource URLs), and what each namespace's
 * RoleBindings add there. RoleBinding grants that can never apply are left out: non-resource
 * URLs and cluster-scoped resources (except `namespaces`, readable at namespace scope).
 */
import { PRIVILEGED_GROUP, type Authorizer } from './authorizer.js';
import type { Grant, UserInfo } from './types.js';

export interface AccessRow {
  /** '' for cluster-wide, else the namespace. */
  namespace: string;
  /** Resource rows: group and resource (`*`, `pods`, `pods/log`, `*` + `/scale`…); URL rows: `url`. */
  apiGroup?: string;
  resource?: string;
  resourceNames?: string[];
  url?: string;
  verbs: string[];
  by: Grant[];
}

export interface AccessMatrix {
  user: UserInfo;
  privilegedGroup?: string;
  rows: AccessRow[];
  /** Bindings naming the user whose role does not exist. */
  errors: string[];
}

function addVerbs(row: AccessRow, verbs: readonly string[], grant: Grant): void {
  for (const v of verbs) if (!row.verbs.includes(v)) row.verbs.push(v);
  if (!row.by.some((g) => g.binding === grant.binding && g.role === grant.role && g.ruleIndex === grant.ruleIndex)) row.by.push(grant);
}

function sortVerbs(verbs: string[]): string[] {
  return verbs.sort((a, b) => (a === '*' ? -1 : b === '*' ? 1 : a < b ? -1 : a > b ? 1 : 0));
}

export function accessMatrix(authz: Authorizer, user: UserInfo): AccessMatrix {
  const rows = new Map<string, AccessRow>();
  const errors = new Set<string>();
  const row = (key: string, make: () => AccessRow): AccessRow => {
    let r = rows.get(key);
    if (!r) rows.set(key, (r = make()));
    return r;
  };
  const take = (namespace: string, list: { grants: Grant[]; errors: string[] }) => {
    list.errors.forEach((e) => errors.add(e));
    for (const grant of list.grants) {
      const rule = grant.role.rules[grant.ruleIndex];
      if (namespace === '') {
        for (const url of rule.nonResourceURLs) addVerbs(row(`\u0000url\u0000${url}`, () => ({ namespace, url, verbs: [], by: [] })), rule.verbs, grant);
      }
      for (const apiGroup of rule.apiGroups) {
        for (const resource of rule.resources) {
          const base = resource.split('/')[0];
          if (namespace !== '' && base !== '*' && authz.catalog.isClusterScoped(apiGroup, base)) continue;
          const names = [...rule.resourceNames].sort();
          const key = `${namespace}\u0000${apiGroup}\u0000${resource}\u0000${names.join(',')}`;
          const r = row(key, () => {
            const made: AccessRow = { namespace, apiGroup, resource, verbs: [], by: [] };
            if (names.length > 0) made.resourceNames = names;
            return made;
          });
          addVerbs(r, rule.verbs, grant);
        }
      }
    }
  };
  take('', authz.grantsFor(user, ''));
  for (const ns of authz.roleBindingNamespaces(user)) take(ns, authz.roleBindingGrants(user, ns));
  const out = [...rows.values()];
  for (const r of out) sortVerbs(r.verbs);
  out.sort((a, b) => {
    const ka = [a.namespace, a.url === undefined ? 1 : 0, a.apiGroup ?? '', a.resource ?? a.url ?? '', (a.resourceNames ?? []).join(',')];
    const kb = [b.namespace, b.url === undefined ? 1 : 0, b.apiGroup ?? '', b.resource ?? b.url ?? '', (b.resourceNames ?? []).join(',')];
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
    return 0;
  });
  const m: AccessMatrix = { user, rows: out, errors: [...errors] };
  if (user.groups.includes(PRIVILEGED_GROUP)) m.privilegedGroup = PRIVILEGED_GROUP;
  return m;
}
