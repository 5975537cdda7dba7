/**
 * The RBAC authorizer over a policy, as the API server runs it
 * (pkg/registry/rbac/validation/rule.go VisitRulesFor + plugin/pkg/auth/authorizer/rbac/rbac.go):
 * every ClusterRoleBinding, then — for namespaced requests only — the RoleBindings of the
 * request's namespace; a binding applies when one of its subjects is the user; its roleRef is
 * resolved (a Role in the binding's namespace, or a ClusterRole, whose rules then count only in
 * that namespace); a missing role is a resolution error and grants nothing.
 *
 * In front of RBAC the API server puts the privileged-group authorizer: members of
 * `system:masters` are allowed everything without any RBAC object (`authorize` reports it;
 * `rbacOnly` leaves it out).
 *
 * Indexes: bindings by subject (a request only looks at the bindings that name its user or one
 * of its groups) and, for who-can, rules by verb and resource plus bindings by role.
 */
import { ruleAllows, SA_PREFIX, serviceAccountUser } from './match.js';
import { roleKey, type RbacPolicy } from './policy.js';
import { ResourceCatalog } from './resources.js';
import { objectId, type BindingDef, type Grant, type RequestAttributes, type RoleDef, type Subject, type UserInfo } from './types.js';

export const PRIVILEGED_GROUP = 'system:masters';

export interface Decision {
  allowed: boolean;
  /** `system:masters` when the user is in it: allowed by the API server before RBAC is asked. */
  privilegedGroup?: string;
  /** Every rule that allows the request, in the order the API server visits them (it cites the first). */
  grants: Grant[];
  /** Bindings that apply to the user but whose role does not exist (they grant nothing). */
  errors: string[];
}

export interface AuthorizeOptions {
  /** Stop at the first allowing rule (the API server's behaviour); default false: find them all. */
  first?: boolean;
  /** Ignore the system:masters short-cut: RBAC's own answer. */
  rbacOnly?: boolean;
}

interface SubjectHit {
  binding: BindingDef;
  subjectIndex: number;
}

interface RuleRef {
  role: RoleDef;
  ruleIndex: number;
  stamp: number;
}

/** A subject as who-can answers name it, with its place in the answer order. */
interface SubjectSlot {
  subject: Subject;
  rank: number;
  stamp: number;
  entry?: WhoCanSubject;
}

/** A binding in the who-can index: its subjects' slots and, during a query, its first allowing rule. */
interface BindingSlot {
  binding: BindingDef;
  subjects: Array<SubjectSlot | undefined>;
  stamp: number;
  ref?: RuleRef;
}

/** One subject that may do something, with the bindings that let it. */
export interface WhoCanSubject {
  subject: Subject;
  /** Each binding that grants it: the first rule of its role that allows the request. */
  by: Array<Grant & { namespace: string }>;
}

export interface WhoCanOptions {
  /**
   * Also count RoleBindings of every namespace (each entry says which): "who can do this
   * anywhere". Without it, the request's own namespace decides, as in the API server.
   */
  anyNamespace?: boolean;
}

function subjectKey(kind: 'u' | 'g', name: string): string {
  return `${kind}\u0000${name}`;
}

/** The index key of a binding subject (SAs are matched by their user name), or undefined if it can match nobody. */
function bindingSubjectKey(s: Subject, bindingNamespace: string): string | undefined {
  switch (s.kind) {
    case 'User': return subjectKey('u', s.name);
    case 'Group': return subjectKey('g', s.name);
    case 'ServiceAccount': {
      const ns = s.namespace !== '' ? s.namespace : bindingNamespace;
      return ns === '' ? undefined : subjectKey('u', serviceAccountUser(ns, s.name));
    }
    default: return undefined;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export class Authorizer {
  readonly catalog: ResourceCatalog;
  private readonly crbBySubject = new Map<string, SubjectHit[]>();
  private readonly rbBySubject = new Map<string, Map<string, SubjectHit[]>>();
  /** Subject key → the namespaces whose RoleBindings name it. */
  private readonly rbNamespaces = new Map<string, Set<string>>();
  private whoCanIndex?: {
    byVerb: Map<string, Map<string, RuleRef[]>>;
    urlsByVerb: Map<string, RuleRef[]>;
    bindingsByRole: Map<RoleDef, BindingSlot[]>;
  };
  private stamp = 0;
  private queryStamp = 0;

  constructor(readonly policy: RbacPolicy) {
    this.catalog = new ResourceCatalog(policy.customResources);
    for (const binding of policy.clusterRoleBindings) this.indexSubjects(this.crbBySubject, binding);
    for (const binding of policy.roleBindings) {
      let map = this.rbBySubject.get(binding.namespace);
      if (!map) this.rbBySubject.set(binding.namespace, (map = new Map()));
      this.indexSubjects(map, binding);
    }
  }

  private indexSubjects(map: Map<string, SubjectHit[]>, binding: BindingDef): void {
    const done = new Set<string>();
    binding.subjects.forEach((s, subjectIndex) => {
      const key = bindingSubjectKey(s, binding.namespace);
      // appliesTo reports the first subject that matches: index only that one per key.
      if (key === undefined || done.has(key)) return;
      done.add(key);
      push(map, key, { binding, subjectIndex });
      if (binding.namespace !== '') {
        let set = this.rbNamespaces.get(key);
        if (!set) this.rbNamespaces.set(key, (set = new Set()));
        set.add(binding.namespace);
      }
    });
  }

  /** GetRoleReferenceRules: the role a binding refers to, or undefined when it does not exist. */
  resolveRole(binding: BindingDef): RoleDef | undefined {
    const ref = binding.roleRef;
    if (ref.kind === 'ClusterRole') return this.policy.clusterRoles.get(ref.name);
    if (ref.kind === 'Role' && binding.namespace !== '') return this.policy.roles.get(roleKey(binding.namespace, ref.name));
    return undefined;
  }

  /** Why a binding's role cannot be resolved (for messages). */
  missingRoleText(binding: BindingDef): string {
    const ref = binding.roleRef;
    const what = ref.kind === 'Role' ? `Role ${binding.namespace}/${ref.name}` : `${ref.kind} ${ref.name}`;
    return `${objectId(binding)} refers to ${what}, which does not exist`;
  }

  /** The bindings whose subjects include this user, for a request in `namespace` ('' = cluster-wide), in visiting order. */
  applicableBindings(user: UserInfo, namespace: string): SubjectHit[] {
    const keys = [subjectKey('u', user.name), ...user.groups.map((g) => subjectKey('g', g))];
    const collect = (map: Map<string, SubjectHit[]> | undefined): SubjectHit[] => {
      if (!map) return [];
      const best = new Map<BindingDef, number>();
      for (const key of keys) {
        for (const hit of map.get(key) ?? []) {
          const had = best.get(hit.binding);
          if (had === undefined || hit.subjectIndex < had) best.set(hit.binding, hit.subjectIndex);
        }
      }
      return [...best].map(([binding, subjectIndex]) => ({ binding, subjectIndex })).sort((a, b) => a.binding.seq - b.binding.seq);
    };
    const out = collect(this.crbBySubject);
    if (namespace !== '') out.push(...collect(this.rbBySubject.get(namespace)));
    return out;
  }

  /** The namespaces where RoleBindings name this user or one of its groups. */
  roleBindingNamespaces(user: UserInfo): string[] {
    const out = new Set<string>();
    for (const key of [subjectKey('u', user.name), ...user.groups.map((g) => subjectKey('g', g))]) {
      for (const ns of this.rbNamespaces.get(key) ?? []) out.add(ns);
    }
    return [...out].sort();
  }

  /** RoleBindings only, of one namespace (what a namespace adds to the cluster-wide grants). */
  roleBindingGrants(user: UserInfo, namespace: string): { grants: Grant[]; errors: string[] } {
    const all = this.grantsFor(user, namespace);
    return { grants: all.grants.filter((g) => g.binding.kind === 'RoleBinding'), errors: all.errors };
  }

  /** RulesFor: every rule that applies to the user in `namespace`, with resolution errors. */
  grantsFor(user: UserInfo, namespace: string): { grants: Grant[]; errors: string[] } {
    const grants: Grant[] = [];
    const errors: string[] = [];
    for (const { binding, subjectIndex } of this.applicableBindings(user, namespace)) {
      const role = this.resolveRole(binding);
      if (!role) {
        errors.push(this.missingRoleText(binding));
        continue;
      }
      for (let ruleIndex = 0; ruleIndex < role.rules.length; ruleIndex++) grants.push({ binding, subjectIndex, role, ruleIndex });
    }
    return { grants, errors };
  }

  authorize(user: UserInfo, req: RequestAttributes, opts: AuthorizeOptions = {}): Decision {
    const privileged = !opts.rbacOnly && user.groups.includes(PRIVILEGED_GROUP);
    const namespace = req.resourceRequest ? req.namespace : '';
    const grants: Grant[] = [];
    const errors: string[] = [];
    for (const { binding, subjectIndex } of this.applicableBindings(user, namespace)) {
      const role = this.resolveRole(binding);
      if (!role) {
        errors.push(this.missingRoleText(binding));
        continue;
      }
      for (let ruleIndex = 0; ruleIndex < role.rules.length; ruleIndex++) {
        if (!ruleAllows(req, role.rules[ruleIndex])) continue;
        grants.push({ binding, subjectIndex, role, ruleIndex });
        if (opts.first) return this.decision(true, privileged, grants, errors);
      }
    }
    return this.decision(privileged || grants.length > 0, privileged, grants, errors);
  }

  private decision(allowed: boolean, privileged: boolean, grants: Grant[], errors: string[]): Decision {
    const d: Decision = { allowed, grants, errors };
    if (privileged) d.privilegedGroup = PRIVILEGED_GROUP;
    return d;
  }

  /** Builds the who-can indexes (once; `whoCan` calls it). */
  buildWhoCanIndex(): void {
    if (this.whoCanIndex) return;
    const byVerb = new Map<string, Map<string, RuleRef[]>>();
    const urlsByVerb = new Map<string, RuleRef[]>();
    const bindingsByRole = new Map<RoleDef, BindingSlot[]>();
    const subjectSlots = new Map<string, SubjectSlot>();
    for (const binding of [...this.policy.clusterRoleBindings, ...this.policy.roleBindings]) {
      const role = this.resolveRole(binding);
      if (!role) continue;
      const subjects = binding.subjects.map((s) => {
        const subject = s.kind === 'ServiceAccount' && s.namespace === '' ? { ...s, namespace: binding.namespace } : s;
        const known = subject.kind === 'User' || subject.kind === 'Group' || (subject.kind === 'ServiceAccount' && subject.namespace !== '');
        if (!known) return undefined;
        const key = `${subject.kind}\u0000${subject.kind === 'ServiceAccount' ? subject.namespace : ''}\u0000${subject.name}`;
        let slot = subjectSlots.get(key);
        if (!slot) subjectSlots.set(key, (slot = { subject, rank: 0, stamp: 0 }));
        return slot;
      });
      push(bindingsByRole, role, { binding, subjects, stamp: 0 });
    }
    // Answers are sorted by subject: rank every subject once.
    [...subjectSlots.values()].sort(compareSubjects).forEach((slot, i) => { slot.rank = i; });
    // Only roles something binds can grant anything.
    for (const role of bindingsByRole.keys()) {
      role.rules.forEach((rule, ruleIndex) => {
        const ref: RuleRef = { role, ruleIndex, stamp: 0 };
        for (const verb of new Set(rule.verbs)) {
          if (rule.nonResourceURLs.length > 0) push(urlsByVerb, verb, ref);
          if (rule.resources.length === 0) continue;
          let byRes = byVerb.get(verb);
          if (!byRes) byVerb.set(verb, (byRes = new Map()));
          for (const res of new Set(rule.resources)) push(byRes, res, ref);
        }
      });
    }
    this.whoCanIndex = { byVerb, urlsByVerb, bindingsByRole };
  }

  /** The rules that may allow the request (verb and resource looked up, the rest checked). */
  private matchingRules(req: RequestAttributes): RuleRef[] {
    const index = this.whoCanIndex!;
    const stamp = ++this.stamp;
    const out: RuleRef[] = [];
    const verbs = req.verb === '*' ? ['*'] : [req.verb, '*'];
    const consider = (refs: RuleRef[] | undefined) => {
      if (!refs) return;
      for (const ref of refs) {
        if (ref.stamp === stamp) continue;
        ref.stamp = stamp;
        if (ruleAllows(req, ref.role.rules[ref.ruleIndex])) out.push(ref);
      }
    };
    for (const verb of verbs) {
      if (!req.resourceRequest) {
        consider(index.urlsByVerb.get(verb));
        continue;
      }
      const byRes = index.byVerb.get(verb);
      if (!byRes) continue;
      const combined = req.subresource !== '' ? `${req.resource}/${req.subresource}` : req.resource;
      consider(byRes.get(combined));
      consider(byRes.get('*'));
      if (req.subresource !== '') consider(byRes.get(`*/${req.subresource}`));
    }
    return out;
  }

  /**
   * Every subject that the request's bindings let do it (SubjectAccessReview from the other
   * side, like the API server's subject locator). With `anyNamespace`, RoleBindings of every
   * namespace count for namespaced resources; each grant says its namespace ('' = cluster-wide).
   */
  whoCan(req: RequestAttributes, opts: WhoCanOptions = {}): WhoCanSubject[] {
    this.buildWhoCanIndex();
    const index = this.whoCanIndex!;
    const namespace = req.resourceRequest ? req.namespace : '';
    const rbsCount = req.resourceRequest && (namespace !== '' || (opts.anyNamespace === true && this.catalog.isNamespaced(req.apiGroup, req.resource)));
    const stamp = ++this.queryStamp;
    // The bindings of every allowing rule, each with its first allowing rule.
    const hits: BindingSlot[] = [];
    for (const ref of this.matchingRules(req)) {
      for (const slot of index.bindingsByRole.get(ref.role) ?? []) {
        const binding = slot.binding;
        if (binding.kind === 'RoleBinding' && (!rbsCount || (namespace !== '' && binding.namespace !== namespace))) continue;
        if (slot.stamp !== stamp) {
          slot.stamp = stamp;
          slot.ref = ref;
          hits.push(slot);
        } else if (ref.ruleIndex < slot.ref!.ruleIndex) {
          slot.ref = ref;
        }
      }
    }
    hits.sort((a, b) => a.binding.seq - b.binding.seq);
    const found: SubjectSlot[] = [];
    for (const hit of hits) {
      const binding = hit.binding;
      const ref = hit.ref!;
      for (let subjectIndex = 0; subjectIndex < hit.subjects.length; subjectIndex++) {
        const slot = hit.subjects[subjectIndex];
        if (!slot) continue;
        if (slot.stamp !== stamp) {
          slot.stamp = stamp;
          slot.entry = { subject: slot.subject, by: [] };
          found.push(slot);
        }
        const by = slot.entry!.by;
        // A binding naming the same subject twice: keep the first.
        if (by.length > 0 && by[by.length - 1].binding === binding) continue;
        by.push({ binding, subjectIndex, role: ref.role, ruleIndex: ref.ruleIndex, namespace: binding.namespace });
      }
    }
    found.sort((a, b) => a.rank - b.rank);
    const out = found.map((slot) => slot.entry!);
    for (const slot of found) slot.entry = undefined;
    return out;
  }
}

const KIND_ORDER: Record<string, number> = { User: 0, Group: 1, ServiceAccount: 2 };

export function compareSubjects(a: { subject: Subject }, b: { subject: Subject }): number {
  const x = a.subject;
  const y = b.subject;
  return (KIND_ORDER[x.kind] ?? 3) - (KIND_ORDER[y.kind] ?? 3)
    || (x.namespace < y.namespace ? -1 : x.namespace > y.namespace ? 1 : 0)
    || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0);
}

/** `user:alice`, `group:dev`, `sa:ns/name`. */
export function subjectLabel(s: Subject): string {
  switch (s.kind) {
    case 'User': return s.name.startsWith(SA_PREFIX) ? `sa:${s.name.slice(SA_PREFIX.length).replace(':', '/')}` : `user:${s.name}`;
    case 'Group': return `group:${s.name}`;
    case 'ServiceAccount': return `sa:${s.namespace}/${s.name}`;
    default: return `${s.kind}:${s.name}`;
  }
}
