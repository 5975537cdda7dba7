/**
 * Synthetic requests the linter asks a policy about: who does what, described in words so that
 * a finding can say "create pods/exec in default by an ordinary user".
 */
import type { Attributes } from './evaluate.js';
import type { Severity } from '../../model/index.js';

export interface Identity {
  label: string;
  user?: Attributes['user'];
}

export const IDENTITIES = {
  user: { label: 'an ordinary user', user: { name: 'alice@example.com', groups: ['system:authenticated'] } },
  serviceAccount: { label: 'a service account', user: { name: 'system:serviceaccount:default:app', groups: ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated'] } },
  admin: { label: 'a cluster admin', user: { name: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] } },
  node: { label: 'a node', user: { name: 'system:node:node-1', groups: ['system:nodes', 'system:authenticated'] } },
  kubeProxy: { label: 'kube-proxy', user: { name: 'system:kube-proxy', groups: ['system:authenticated'] } },
  monitoring: { label: 'a monitoring service account', user: { name: 'system:serviceaccount:monitoring:prometheus', groups: ['system:serviceaccounts', 'system:serviceaccounts:monitoring', 'system:authenticated'] } },
  anonymous: { label: 'an anonymous client', user: { name: 'system:anonymous', groups: ['system:unauthenticated'] } },
  unauthenticated: { label: 'a client that failed authentication' },
} satisfies Record<string, Identity>;

const PEOPLE: Identity[] = [IDENTITIES.user, IDENTITIES.serviceAccount, IDENTITIES.admin];

/** A request without its user: what is done, to what. */
export interface Action {
  verb: string;
  apiGroup?: string;
  /** `pods` or `pods/exec` */
  resource?: string;
  namespace?: string;
  name?: string;
  /** Non-resource requests. */
  path?: string;
}

export interface Probe {
  /** `create pods/exec in default` */
  action: string;
  identity: Identity;
  attrs: Attributes;
}

/** `get secrets/db in default`, `create tokenreviews.authentication.k8s.io`, `get /healthz` */
export function describeAction(a: Action): string {
  if (a.path !== undefined) return `${a.verb} ${a.path}`;
  const res = `${a.resource}${a.apiGroup ? `.${a.apiGroup}` : ''}`;
  return `${a.verb} ${res}${a.namespace ? ` in ${a.namespace}` : ''}`;
}

export function probe(a: Action, identity: Identity): Probe {
  const [resource, subresource = ''] = (a.resource ?? '').split('/');
  const attrs: Attributes = a.path !== undefined
    ? { verb: a.verb, resourceRequest: false, apiGroup: '', resource: '', subresource: '', namespace: '', name: '', path: a.path }
    : { verb: a.verb, resourceRequest: true, apiGroup: a.apiGroup ?? '', resource, subresource, namespace: a.namespace ?? '', name: a.name ?? '', path: '' };
  if (identity.user) attrs.user = identity.user;
  return { action: describeAction(a), identity, attrs };
}

function probes(actions: readonly Action[], identities: readonly Identity[]): Probe[] {
  return actions.flatMap((a) => identities.map((id) => probe(a, id)));
}

/** Names are given where the apiserver has one: single-object verbs and named subresources. */
function withNames(resource: string, verbs: readonly string[], rest: Omit<Action, 'verb' | 'resource'>): Action[] {
  return verbs.map((verb) => ({ ...rest, verb, resource, name: ['list', 'watch', 'create', 'deletecollection'].includes(verb) ? '' : rest.name }));
}

export interface SensitiveKind {
  /** `Secrets` */
  what: string;
  severity: Severity;
  probes: Probe[];
  /**
   * Whether an audit event at `level` would hold the values for this verb: the request body is
   * recorded from Request on (writes have one), the response body only at RequestResponse.
   */
  leaks(level: 'Request' | 'RequestResponse', verb: string): boolean;
}

const WRITES = ['create', 'update', 'patch'];

const ALL_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

/** Objects whose contents are credentials: kube-apiserver should log them at Metadata at most. */
export function sensitiveProbes(): SensitiveKind[] {
  const inNs = (resource: string, name: string) => ['default', 'kube-system'].flatMap((namespace) => withNames(resource, ALL_VERBS, { namespace, name }));
  return [
    // Secret data and ConfigMap data: in write requests and in every response.
    { what: 'Secrets', severity: 'high', probes: probes(inNs('secrets', 'db-password'), PEOPLE), leaks: (level, verb) => level === 'RequestResponse' || WRITES.includes(verb) },
    { what: 'ConfigMaps', severity: 'medium', probes: probes(inNs('configmaps', 'app-config'), PEOPLE), leaks: (level, verb) => level === 'RequestResponse' || WRITES.includes(verb) },
    // The bearer token under review is in the request.
    { what: 'TokenReviews', severity: 'high', probes: probes([{ verb: 'create', apiGroup: 'authentication.k8s.io', resource: 'tokenreviews' }], PEOPLE), leaks: () => true },
    // The issued token is in the response only.
    {
      what: 'service account tokens (serviceaccounts/token)', severity: 'high',
      probes: probes([{ verb: 'create', resource: 'serviceaccounts/token', namespace: 'default', name: 'app' }], PEOPLE), leaks: (level) => level === 'RequestResponse',
    },
  ];
}

export interface CoverageItem {
  /** `exec into pods` */
  what: string;
  severity: Severity;
  probes: Probe[];
}

/** What CIS 5.x/3.2.2 and the Kubernetes audit guidance want recorded (at least at Metadata). */
export function coverageProbes(): CoverageItem[] {
  const rbacWrites = (resource: string, namespace?: string) =>
    withNames(resource, ['create', 'update', 'patch', 'delete'], { apiGroup: 'rbac.authorization.k8s.io', name: 'x', ...(namespace ? { namespace } : {}) });
  const item = (what: string, severity: Severity, actions: Action[]): CoverageItem => ({ what, severity, probes: probes(actions, PEOPLE) });
  return [
    item('exec into pods (pods/exec)', 'high', [{ verb: 'create', resource: 'pods/exec', namespace: 'default', name: 'web-0' }]),
    item('attach to pods (pods/attach)', 'high', [{ verb: 'create', resource: 'pods/attach', namespace: 'default', name: 'web-0' }]),
    item('port-forward to pods (pods/portforward)', 'high', [{ verb: 'create', resource: 'pods/portforward', namespace: 'default', name: 'web-0' }]),
    item('proxy to pods and services (pods/proxy, services/proxy)', 'medium', [
      { verb: 'get', resource: 'pods/proxy', namespace: 'default', name: 'web-0' },
      { verb: 'get', resource: 'services/proxy', namespace: 'default', name: 'web' },
    ]),
    item('changes to Roles', 'high', rbacWrites('roles', 'default')),
    item('changes to ClusterRoles', 'high', rbacWrites('clusterroles')),
    item('changes to RoleBindings', 'high', rbacWrites('rolebindings', 'default')),
    item('changes to ClusterRoleBindings', 'high', rbacWrites('clusterrolebindings')),
    item('reads of Secrets', 'medium', [
      { verb: 'get', resource: 'secrets', namespace: 'default', name: 'db-password' },
      { verb: 'list', resource: 'secrets', namespace: 'default' },
      { verb: 'list', resource: 'secrets' },
    ]),
    item('namespace deletion', 'medium', [{ verb: 'delete', resource: 'namespaces', namespace: 'team-a', name: 'team-a' }]),
    item('service account token requests (serviceaccounts/token)', 'medium', [{ verb: 'create', resource: 'serviceaccounts/token', namespace: 'default', name: 'app' }]),
    item('changes to Pods', 'medium', withNames('pods', ['create', 'delete'], { namespace: 'default', name: 'web-0' })),
    item('changes to Deployments', 'medium', withNames('deployments', ['create', 'update', 'patch', 'delete'], { apiGroup: 'apps', namespace: 'default', name: 'web' })),
  ];
}

/** Requests of many kinds, to see whether some match no rule at all. */
export function representativeProbes(): Probe[] {
  const { user, serviceAccount, admin, node, anonymous, unauthenticated } = IDENTITIES;
  return [
    probe({ verb: 'get', resource: 'pods', namespace: 'default', name: 'web-0' }, user),
    probe({ verb: 'list', resource: 'pods' }, admin),
    probe({ verb: 'create', apiGroup: 'apps', resource: 'deployments', namespace: 'default' }, serviceAccount),
    probe({ verb: 'patch', apiGroup: 'apps', resource: 'deployments/scale', namespace: 'default', name: 'web' }, user),
    probe({ verb: 'delete', resource: 'namespaces', namespace: 'team-a', name: 'team-a' }, admin),
    probe({ verb: 'update', apiGroup: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-node-lease', name: 'node-1' }, node),
    probe({ verb: 'create', apiGroup: 'batch', resource: 'jobs', namespace: 'default' }, serviceAccount),
    probe({ verb: 'get', apiGroup: 'widgets.example.com', resource: 'widgets', namespace: 'default', name: 'w' }, user),
    probe({ verb: 'create', apiGroup: 'admissionregistration.k8s.io', resource: 'validatingwebhookconfigurations' }, admin),
    probe({ verb: 'create', apiGroup: 'certificates.k8s.io', resource: 'certificatesigningrequests' }, node),
    probe({ verb: 'get', path: '/apis' }, user),
    probe({ verb: 'get', path: '/openapi/v2' }, serviceAccount),
    probe({ verb: 'get', path: '/api/v1/namespaces/default/pods' }, anonymous),
    probe({ verb: 'get', resource: 'secrets', namespace: 'default', name: 'db-password' }, unauthenticated),
  ];
}

export interface NoisyItem {
  what: string;
  probes: Probe[];
}

/** High-volume requests whose bodies add nothing: they should be None or Metadata. */
export function noisyProbes(): NoisyItem[] {
  const { user, node, kubeProxy, monitoring, anonymous, serviceAccount } = IDENTITIES;
  const health = ['/healthz', '/healthz/etcd', '/livez', '/readyz', '/version', '/metrics'];
  return [
    { what: 'health, version and metrics endpoints', probes: health.flatMap((path) => [anonymous, monitoring, user].map((id) => probe({ verb: 'get', path }, id))) },
    {
      what: 'watches',
      probes: [
        probe({ verb: 'watch', resource: 'endpoints' }, kubeProxy),
        probe({ verb: 'watch', resource: 'services' }, kubeProxy),
        probe({ verb: 'watch', apiGroup: 'discovery.k8s.io', resource: 'endpointslices' }, kubeProxy),
        probe({ verb: 'watch', resource: 'pods' }, node),
        probe({ verb: 'watch', resource: 'configmaps', namespace: 'default' }, serviceAccount),
        probe({ verb: 'watch', resource: 'pods', namespace: 'default' }, user),
      ],
    },
    {
      what: 'Events',
      probes: [
        probe({ verb: 'create', resource: 'events', namespace: 'default' }, node),
        probe({ verb: 'patch', resource: 'events', namespace: 'default', name: 'web-0.1' }, node),
        probe({ verb: 'create', apiGroup: 'events.k8s.io', resource: 'events', namespace: 'default' }, serviceAccount),
        probe({ verb: 'list', resource: 'events', namespace: 'default' }, user),
      ],
    },
  ];
}
