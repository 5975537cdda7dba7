/**
 * Risky capabilities as requests the authorizer would allow — not as string patterns over rules.
 * A capability holds when, for each of its requirements, one of the probe requests is allowed by
 * a rule of the role (the same RuleAllows as every other answer). Probes carry no object name,
 * so rules restricted by resourceNames do not count (they grant single objects), except where
 * a probe names the object that matters (the `kubernetes.io/kube-apiserver-client` signer).
 *
 * Probes of cluster-scoped resources count only through ClusterRoleBindings: a RoleBinding can
 * never grant them.
 */
import { ruleAllows } from './match.js';
import type { ResourceRequest, RoleDef } from './types.js';

export interface Probe {
  readonly verb: string;
  readonly apiGroup: string;
  readonly resource: string;
  readonly subresource?: string;
  readonly name?: string;
  /** A cluster-scoped resource: only ClusterRoleBindings grant it. */
  readonly clusterOnly?: boolean;
  /** How to say it: `create pods`. */
  readonly label: string;
}

export interface CapabilityDef {
  /** Check id suffix: `rbac-risk/<id>`. */
  readonly id: string;
  /** Every inner list must have one allowed probe. */
  readonly requires: readonly (readonly Probe[])[];
}

export interface CapabilityHit {
  readonly id: string;
  /** The allowed probes (one per requirement, the first found) and the rules that allow them. */
  readonly probes: ReadonlyArray<{ probe: Probe; ruleIndex: number }>;
}

function probes(verbs: string[], apiGroup: string, resources: string[], o: { clusterOnly?: boolean; name?: string } = {}): Probe[] {
  const out: Probe[] = [];
  for (const r of resources) {
    const [resource, subresource] = r.split('/');
    for (const verb of verbs) {
      out.push({ verb, apiGroup, resource, subresource, name: o.name, clusterOnly: o.clusterOnly, label: `${verb} ${r}${apiGroup ? '.' + apiGroup : ''}${o.name ? ` "${o.name}"` : ''}` });
    }
  }
  return out;
}

const RBAC = 'rbac.authorization.k8s.io';
const WRITE = ['create', 'update', 'patch'];

export const POD_CREATE_PROBES: readonly Probe[] = [
  ...probes(['create'], '', ['pods']),
  ...probes(WRITE, 'apps', ['deployments', 'daemonsets', 'statefulsets', 'replicasets']),
  ...probes(WRITE, 'batch', ['jobs', 'cronjobs']),
  ...probes(WRITE, '', ['replicationcontrollers']),
  ...probes(WRITE, 'extensions', ['deployments', 'daemonsets', 'replicasets']),
];

export const SECRETS_READ_PROBES: readonly Probe[] = probes(['list', 'get', 'watch'], '', ['secrets']);

export const CAPABILITIES: readonly CapabilityDef[] = [
  { id: 'wildcard-admin', requires: [[{ verb: '*', apiGroup: '*', resource: '*', label: '* on * in every API group' }]] },
  { id: 'secrets-read', requires: [SECRETS_READ_PROBES] },
  { id: 'pod-create', requires: [POD_CREATE_PROBES] },
  // `get` counts too: exec/attach/portforward over WebSocket are GET requests.
  { id: 'exec', requires: [probes(['create', 'get'], '', ['pods/exec', 'pods/attach', 'pods/portforward'])] },
  {
    id: 'escalate-bind',
    requires: [[...probes(['escalate', 'bind'], RBAC, ['roles']), ...probes(['escalate', 'bind'], RBAC, ['clusterroles']), ...probes(['bind'], RBAC, ['clusterroles'], { name: 'cluster-admin' })]],
  },
  {
    id: 'impersonate',
    requires: [[
      ...probes(['impersonate'], '', ['users', 'groups'], { clusterOnly: true }),
      ...probes(['impersonate'], '', ['groups'], { clusterOnly: true, name: 'system:masters' }),
      ...probes(['impersonate'], '', ['serviceaccounts']),
      ...probes(['impersonate'], 'authentication.k8s.io', ['uids'], { clusterOnly: true }),
    ]],
  },
  {
    id: 'rbac-write',
    requires: [[...probes([...WRITE, 'delete'], RBAC, ['clusterroles', 'clusterrolebindings'], { clusterOnly: true }), ...probes([...WRITE, 'delete'], RBAC, ['roles', 'rolebindings'])]],
  },
  {
    id: 'webhook-write',
    requires: [probes(WRITE, 'admissionregistration.k8s.io', [
      'mutatingwebhookconfigurations', 'validatingwebhookconfigurations', 'validatingadmissionpolicies', 'validatingadmissionpolicybindings',
      'mutatingadmissionpolicies', 'mutatingadmissionpolicybindings',
    ], { clusterOnly: true })],
  },
  {
    id: 'csr-approve',
    requires: [
      probes(['update', 'patch'], 'certificates.k8s.io', ['certificatesigningrequests/approval'], { clusterOnly: true }),
      [
        ...probes(['approve'], 'certificates.k8s.io', ['signers'], { clusterOnly: true, name: 'kubernetes.io/kube-apiserver-client' }),
        ...probes(['approve'], 'certificates.k8s.io', ['signers'], { clusterOnly: true, name: 'kubernetes.io/kube-apiserver-client-kubelet' }),
        ...probes(['approve'], 'certificates.k8s.io', ['signers'], { clusterOnly: true, name: 'kubernetes.io/*' }),
      ],
    ],
  },
  { id: 'token-create', requires: [probes(['create'], '', ['serviceaccounts/token'])] },
  { id: 'nodes-proxy', requires: [probes(['get', 'create'], '', ['nodes/proxy'], { clusterOnly: true })] },
];

export function probeRequest(p: Probe, namespace = '', name = p.name ?? ''): ResourceRequest {
  return { resourceRequest: true, verb: p.verb, namespace, apiGroup: p.apiGroup, resource: p.resource, subresource: p.subresource ?? '', name };
}

/** The first rule of the role that allows the probe, or -1. */
export function ruleFor(role: RoleDef, p: Probe, name?: string): number {
  const req = probeRequest(p, '', name);
  for (let i = 0; i < role.rules.length; i++) if (ruleAllows(req, role.rules[i])) return i;
  return -1;
}

const cache = new WeakMap<RoleDef, Map<string, CapabilityHit | undefined>>();

/** The capabilities a role grants where bound by a ClusterRoleBinding (`cluster`) or a RoleBinding. */
export function capabilitiesOf(role: RoleDef, cluster: boolean): CapabilityHit[] {
  let byScope = cache.get(role);
  if (!byScope) cache.set(role, (byScope = new Map()));
  const out: CapabilityHit[] = [];
  for (const cap of CAPABILITIES) {
    const key = `${cap.id}\u0000${cluster}`;
    let hit = byScope.get(key);
    if (hit === undefined && !byScope.has(key)) {
      const found: Array<{ probe: Probe; ruleIndex: number }> = [];
      for (const requirement of cap.requires) {
        for (const probe of requirement) {
          if (probe.clusterOnly && !cluster) continue;
          const ruleIndex = ruleFor(role, probe);
          if (ruleIndex >= 0) {
            found.push({ probe, ruleIndex });
            break;
          }
        }
      }
      hit = found.length === cap.requires.length ? { id: cap.id, probes: found } : undefined;
      byScope.set(key, hit);
    }
    if (hit) out.push(hit);
  }
  return out;
}
