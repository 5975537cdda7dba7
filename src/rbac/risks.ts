/**
 * `palisade rbac risks`: findings about who can do dangerous things, computed with the
 * authorizer (§1.8 of the analysis notes: capabilities per subject and scope, not rule strings),
 * escalation chains, grants to everyone, and problems in the input (dangling bindings, objects
 * the API server would reject, duplicates).
 *
 * Kubernetes' own defaults (built-in or labelled kubernetes.io/bootstrapping=rbac-defaults) and
 * `system:` users and groups are left out unless `includeSystem`, so the report is about the
 * user's grants. The groups that mean "everyone" (system:authenticated, system:unauthenticated,
 * system:serviceaccounts[:ns]) and system:anonymous are never left out.
 */
import type { CheckInfo, Finding, ResourceRef, Severity, Stride } from '../model/index.js';
import type { Authorizer } from './authorizer.js';
import { BUILTIN_CLUSTER_ROLE_BINDINGS } from './bootstrap.js';
import { capabilitiesOf, type CapabilityHit } from './capabilities.js';
import { escalationChains } from './escalation.js';
import { ALL_AUTHENTICATED, ALL_SERVICE_ACCOUNTS, ALL_UNAUTHENTICATED, ANONYMOUS_USER, SERVICE_ACCOUNT_GROUP_PREFIX } from './identity.js';
import { SA_PREFIX, ruleText } from './match.js';
import { isBootstrapObject, RBAC_GROUP, type Diagnostic } from './policy.js';
import { ruleAt } from './render.js';
import { objectId, type BindingDef, type Grant, type RoleDef, type Subject } from './types.js';

export const RISK_PREFIX = 'rbac-risk/';

export interface RiskOptions {
  /** Report Kubernetes' own bindings and system: subjects too. */
  includeSystem?: boolean;
  /** Namespaces where namespaced powers count as cluster-wide ones (default: kube-system). */
  privilegedNamespaces?: readonly string[];
}

interface CheckSpec extends CheckInfo {
  /** Severity by scope: cluster-wide, a privileged namespace, another namespace. */
  bySeverity?: { cluster: Severity; privileged: Severity; namespace: Severity };
  /** What the subject can do, for messages. */
  does?: string;
}

const REFS = ['https://kubernetes.io/docs/concepts/security/rbac-good-practices/'];

function spec(id: string, title: string, severity: Severity, stride: Stride[], description: string, remediation: string, extra: Partial<CheckSpec> = {}): CheckSpec {
  return { id: RISK_PREFIX + id, title, severity, stride, description, remediation, refs: REFS, ...extra };
}

/** Every check `risks` can report, for reporters that describe rules (SARIF, JUnit). */
export const RISK_CHECKS: readonly CheckSpec[] = [
  spec('wildcard-admin', 'Full control (every verb on every resource)', 'critical', ['E', 'T', 'I', 'D'],
    'The subject may do anything cluster-wide (cluster-admin) or anything in a namespace, including its Secrets, pods and RBAC.',
    'Bind a role that lists the resources and verbs the subject needs instead of "*".',
    { bySeverity: { cluster: 'critical', privileged: 'critical', namespace: 'high' }, does: 'do anything (* on * in every API group)' }),
  spec('secrets-read', 'Can read Secrets', 'critical', ['I', 'E'],
    'Reading Secrets yields credentials: ServiceAccount tokens (legacy token Secrets), TLS keys, passwords.',
    'Grant get on named Secrets (resourceNames) only where needed; never list/watch Secrets broadly.',
    { bySeverity: { cluster: 'critical', privileged: 'critical', namespace: 'high' }, does: 'read Secrets' }),
  spec('pod-create', 'Can create pods or pod controllers', 'high', ['E'],
    'Creating a pod (directly or through a Deployment, Job, DaemonSet…) runs it as any ServiceAccount of the namespace, mounting that account\'s token and any Secret, and hostPath or privileged containers unless admission stops it.',
    'Restrict workload creation to deploy pipelines; enforce Pod Security admission (restricted) in the namespace.',
    { bySeverity: { cluster: 'critical', privileged: 'critical', namespace: 'high' }, does: 'create pods (and so run as any ServiceAccount there and read its token)' }),
  spec('exec', 'Can exec into, attach to or port-forward to pods', 'high', ['E', 'I', 'T'],
    'pods/exec, pods/attach and pods/portforward give a shell or a connection inside running containers, with their ServiceAccount tokens and data.',
    'Remove pods/exec, pods/attach and pods/portforward from the role; use audited break-glass access.',
    { bySeverity: { cluster: 'critical', privileged: 'critical', namespace: 'high' }, does: 'exec into, attach to or port-forward to pods' }),
  spec('escalate-bind', 'Can escalate or bind roles', 'critical', ['E'],
    'The escalate verb lets a subject write roles with permissions it does not hold; bind lets it bind roles it does not hold (up to cluster-admin).',
    'Remove escalate and bind; grant bind only with resourceNames of harmless roles.',
    { bySeverity: { cluster: 'critical', privileged: 'critical', namespace: 'high' }, does: 'escalate or bind roles' }),
  spec('impersonate', 'Can impersonate users, groups or ServiceAccounts', 'critical', ['S', 'E'],
    'Impersonation acts as another identity; impersonating the group system:masters bypasses authorization entirely.',
    'Remove the impersonate verb, or restrict it with resourceNames to specific identities.',
    { bySeverity: { cluster: 'critical', privileged: 'critical', namespace: 'high' }, does: 'impersonate other identities' }),
  spec('rbac-write', 'Can write RBAC objects', 'high', ['E', 'T'],
    'Writing Roles and bindings manages access; writing ClusterRoles can add aggregation labels that silently extend admin, edit and view.',
    'Leave RBAC changes to cluster administrators and GitOps pipelines.',
    { bySeverity: { cluster: 'critical', privileged: 'high', namespace: 'medium' }, does: 'create, update, patch or delete RBAC objects' }),
  spec('webhook-write', 'Can write admission webhooks or policies', 'critical', ['T', 'I', 'D'],
    'Admission webhook configurations and admission policies see and can change or block every object written to the cluster.',
    'Only cluster administrators should write admissionregistration.k8s.io objects.',
    { does: 'write admission webhook configurations or admission policies' }),
  spec('csr-approve', 'Can approve certificate signing requests', 'critical', ['S', 'E'],
    'Approving CSRs for the kube-apiserver-client signers issues client certificates for any user or group, including system:masters or a node.',
    'Leave CSR approval to the controller manager; never grant approve on kubernetes.io/kube-apiserver-client signers.',
    { does: 'approve certificate signing requests (client certificates for any identity)' }),
  spec('token-create', 'Can create ServiceAccount tokens', 'high', ['S', 'E'],
    'The serviceaccounts/token subresource mints a token for any ServiceAccount in scope.',
    'Remove create on serviceaccounts/token, or restrict it with resourceNames.',
    { bySeverity: { cluster: 'critical', privileged: 'critical', namespace: 'high' }, does: 'create ServiceAccount tokens (become any ServiceAccount)' }),
  spec('nodes-proxy', 'Can use nodes/proxy', 'critical', ['E', 'I'],
    'nodes/proxy reaches the kubelet API: exec in every pod on the node, bypassing admission and audit of pods/exec.',
    'Remove nodes/proxy; monitoring needs nodes/metrics and nodes/stats only.',
    { does: 'use nodes/proxy (the kubelet API of every node)' }),
  spec('anonymous-access', 'Grants to anonymous or unauthenticated users', 'critical', ['S', 'I', 'E'],
    'A binding to system:anonymous or system:unauthenticated grants to anyone who can reach the API server.',
    'Remove the subject; only the default system:public-info-viewer binding should name system:unauthenticated.'),
  spec('authenticated-access', 'Grants to every authenticated user or every ServiceAccount', 'high', ['E', 'I'],
    'A binding to system:authenticated or system:serviceaccounts[:ns] grants to every identity (every pod\'s token included).',
    'Bind specific users, groups or ServiceAccounts instead.'),
  spec('escalation-path', 'Escalation path to cluster-admin', 'critical', ['E'],
    'A chain of permissions leads from the subject to cluster-admin through other identities.',
    'Break the first step of the chain (it is the cheapest to remove).'),
  spec('dangling-binding', 'Binding to a role that does not exist', 'low', ['E'],
    'The binding grants nothing today, but whoever creates a role of that name later grants it to the subjects.',
    'Delete the binding, or create the role it means.'),
  spec('invalid-object', 'RBAC object the API server would reject', 'medium', ['T'],
    'The object fails the API server\'s validation: applying it fails and the permissions it describes do not exist.',
    'Fix the field named in the message.'),
  spec('duplicate-object', 'RBAC object defined twice', 'low', ['T'],
    'The same kind, namespace and name appear twice; the later one replaces the earlier when both are applied.',
    'Keep one definition.'),
];

const BY_ID = new Map(RISK_CHECKS.map((c) => [c.id, c]));

function check(id: string): CheckSpec {
  return BY_ID.get(RISK_PREFIX + id)!;
}

const EVERYONE = new Set([ALL_AUTHENTICATED, ALL_UNAUTHENTICATED, ALL_SERVICE_ACCOUNTS]);

/** A `system:` user or group of Kubernetes' own (not the groups that mean everyone, not ServiceAccounts). */
export function isSystemSubject(s: Subject): boolean {
  if (s.kind === 'ServiceAccount' || !s.name.startsWith('system:')) return false;
  if (s.kind === 'User') return s.name !== ANONYMOUS_USER && !s.name.startsWith(SA_PREFIX);
  return !EVERYONE.has(s.name) && !s.name.startsWith(SERVICE_ACCOUNT_GROUP_PREFIX);
}

function subjectText(s: Subject, binding: BindingDef): string {
  switch (s.kind) {
    case 'ServiceAccount': return `ServiceAccount ${s.namespace || binding.namespace}/${s.name}`;
    default: return `${s.kind} ${s.name}`;
  }
}

function bindingRef(b: BindingDef): ResourceRef {
  if (b.resource) return b.resource.ref();
  const ref: ResourceRef = { apiVersion: `${RBAC_GROUP}/v1`, kind: b.kind, name: b.name, file: b.origin.file, line: b.origin.line };
  if (b.namespace) ref.namespace = b.namespace;
  return ref;
}

function subjectLine(b: BindingDef, i: number): number {
  return b.resource ? b.resource.lineOf(['subjects', i]) : b.origin.line;
}

function finding(c: CheckSpec, severity: Severity, message: string, b: BindingDef, subjectIndex: number | undefined): Finding {
  const path = subjectIndex === undefined ? 'roleRef' : `subjects[${subjectIndex}]`;
  const line = subjectIndex === undefined ? (b.resource ? b.resource.lineOf(['roleRef']) : b.origin.line) : subjectLine(b, subjectIndex);
  return {
    check: c.id, severity, title: c.title, message, resource: bindingRef(b), path, line,
    remediation: c.remediation, stride: [...c.stride], refs: c.refs ? [...c.refs] : undefined, suppressed: false,
  };
}

function diagnosticFinding(d: Diagnostic): Finding {
  const c = check(d.code === 'duplicate-object' ? 'duplicate-object' : 'invalid-object');
  return {
    check: c.id, severity: c.severity, title: c.title, message: d.message, resource: d.object, path: formatPathText(d.path), line: d.line,
    remediation: c.remediation, stride: [...c.stride], refs: c.refs ? [...c.refs] : undefined, suppressed: false,
  };
}

function formatPathText(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function ruleRef(role: RoleDef, ruleIndex: number): string {
  const src = role.ruleSources[ruleIndex];
  const from = src.role !== role ? `, from ${objectId(src.role)}` : '';
  return `${objectId(role)} rule ${ruleIndex} (${ruleAt(src.role, src.index)}${from}: ${ruleText(role.rules[ruleIndex])})`;
}

/** Whether a binding is (a copy of) one of Kubernetes' default bindings, subject included. */
function isDefaultGrant(b: BindingDef, s: Subject): boolean {
  if (b.kind !== 'ClusterRoleBinding') return false;
  const def = BUILTIN_CLUSTER_ROLE_BINDINGS.find((d) => d.name === b.name);
  return def !== undefined && b.roleRef.kind === 'ClusterRole' && b.roleRef.name === def.roleName
    && def.subjects.some((x) => x.kind === s.kind && x.name === s.name && (x.namespace ?? '') === s.namespace);
}

function grantVia(g: Grant): string {
  return `${objectId(g.binding)} → ${ruleRef(g.role, g.ruleIndex)}`;
}

export interface RiskReport {
  findings: Finding[];
  checks: CheckInfo[];
  /** Notes for the user that are not findings (namespaces assumed, aggregation notes). */
  warnings: string[];
}

export function analyzeRisks(authz: Authorizer, opts: RiskOptions = {}): RiskReport {
  const policy = authz.policy;
  const privileged = new Set(opts.privilegedNamespaces ?? ['kube-system']);
  const findings: Finding[] = [];
  const warnings: string[] = [];
  for (const d of policy.diagnostics) {
    if (d.code === 'invalid-object' || d.code === 'duplicate-object') findings.push(diagnosticFinding(d));
    else warnings.push(`${d.object.file}:${d.line}: ${d.message}`);
  }
  const considered = (b: BindingDef) => opts.includeSystem || !isBootstrapObject(b);
  const subjectShown = (s: Subject) => opts.includeSystem || !isSystemSubject(s);
  const starts: Subject[] = [];

  for (const b of [...policy.clusterRoleBindings, ...policy.roleBindings]) {
    if (!considered(b)) continue;
    const role = authz.resolveRole(b);
    if (!role) {
      const ref = b.roleRef;
      const controller = ref.name.startsWith('system:controller:') ? ` (a Kubernetes controller role; Palisade does not ship those, so its grants are not evaluated)` : '';
      findings.push(finding(check('dangling-binding'), 'low', `${objectId(b)} refers to ${ref.kind === 'Role' ? `Role ${b.namespace}/${ref.name}` : `${ref.kind} ${ref.name}`}, which does not exist in the input nor among Kubernetes' defaults${controller}; it grants nothing until someone creates it`, b, undefined));
      continue;
    }
    const cluster = b.kind === 'ClusterRoleBinding';
    const where = cluster ? 'cluster-wide' : `in namespace ${b.namespace}`;
    const scopeSeverity = (c: CheckSpec): Severity => {
      if (!c.bySeverity) return c.severity;
      return cluster ? c.bySeverity.cluster : privileged.has(b.namespace) ? c.bySeverity.privileged : c.bySeverity.namespace;
    };
    const all = capabilitiesOf(role, cluster);
    // Full control subsumes every other capability: one finding says it.
    const caps = all.some((h) => h.id === 'wildcard-admin') ? all.filter((h) => h.id === 'wildcard-admin') : all;
    b.subjects.forEach((s, i) => {
      if (s.kind !== 'User' && s.kind !== 'Group' && s.kind !== 'ServiceAccount') return;
      if (!subjectShown(s)) return;
      const subject = s.kind === 'ServiceAccount' && s.namespace === '' ? { ...s, namespace: b.namespace } : s;
      starts.push(subject);
      const who = subjectText(s, b);
      for (const hit of caps) {
        const c = check(hit.id);
        findings.push(finding(c, scopeSeverity(c), `${who} can ${c.does} ${where} through ${objectId(b)}: ${capabilityText(hit, role)}`, b, i));
      }
      const everyone = (s.kind === 'User' && s.name === ANONYMOUS_USER) || (s.kind === 'Group' && s.name === ALL_UNAUTHENTICATED)
        ? 'anonymous-access'
        : s.kind === 'Group' && (s.name === ALL_AUTHENTICATED || s.name === ALL_SERVICE_ACCOUNTS || s.name.startsWith(SERVICE_ACCOUNT_GROUP_PREFIX)) ? 'authenticated-access' : undefined;
      if (everyone && !isDefaultGrant(b, s) && role.rules.length > 0) {
        const c = check(everyone);
        const whom = s.name === ALL_AUTHENTICATED ? 'every authenticated user' : s.name === ALL_SERVICE_ACCOUNTS ? 'every ServiceAccount'
          : s.name.startsWith(SERVICE_ACCOUNT_GROUP_PREFIX) ? `every ServiceAccount of namespace ${s.name.slice(SERVICE_ACCOUNT_GROUP_PREFIX.length)}` : 'anyone, without credentials';
        const rules = role.rules.slice(0, 3).map((r) => ruleText(r)).join('; ') + (role.rules.length > 3 ? `; and ${role.rules.length - 3} more rule(s)` : '');
        findings.push(finding(c, c.severity, `${objectId(b)} grants ${objectId(role)} ${where} to ${who} (${whom}): ${rules}`, b, i));
      }
    });
  }

  for (const chain of escalationChains(authz, { starts })) {
    const first = chain.steps[0]?.grant;
    if (!first) continue;
    const steps: string[] = [];
    let holder = chain.text.split(' → ')[0];
    for (const s of chain.steps) {
      if (s.grant) steps.push(`${steps.length + 1}. ${s.action || `${holder} is cluster-admin`}: ${grantVia(s.grant)}`);
      holder = s.reaches;
    }
    const c = check('escalation-path');
    findings.push(finding(c, c.severity, `${chain.text} (${steps.join('; ')})`, first.binding, first.subjectIndex));
  }

  findings.sort((a, b) => (a.resource.file < b.resource.file ? -1 : a.resource.file > b.resource.file ? 1 : 0) || a.resource.line - b.resource.line || a.line - b.line || (a.check < b.check ? -1 : a.check > b.check ? 1 : 0));
  return { findings, checks: RISK_CHECKS.map(({ bySeverity: _s, does: _d, ...info }) => info), warnings };
}

function capabilityText(hit: CapabilityHit, role: RoleDef): string {
  return hit.probes.map((p) => `${p.probe.label} allowed by ${ruleRef(role, p.ruleIndex)}`).join(' and ');
}
