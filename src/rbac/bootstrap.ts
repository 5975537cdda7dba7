/**
 * Kubernetes' default ClusterRoles and ClusterRoleBindings, built in so that a binding to
 * `edit`, `view` or `system:*` resolves from manifests alone. Written in Palisade's own compact
 * form after kubernetes/kubernetes plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go
 * (ClusterRoles(), ClusterRoleBindings(); default feature gates, as recorded in that package's
 * testdata/cluster-roles.yaml and testdata/cluster-role-bindings.yaml golden files, Kubernetes
 * 1.3x). Rule order, verb order and list contents are the API server's, rule for rule; the
 * conformance test (bootstrap.conformance.ts) compares them with the golden files when present.
 *
 * `admin`, `edit` and `view` have no rules of their own: they aggregate the
 * `system:aggregate-to-*` roles (and `view` → `edit` → `admin`), resolved by aggregate.ts.
 * Not included: the controller roles (`system:controller:*`, controller_policy.go) and the
 * namespaced defaults in kube-system / kube-public (namespace_policy.go).
 */
import type { PolicyRule } from './types.js';

/** Verb sets of policy.go, in the sorted order the API server stores them. */
const READ = ['get', 'list', 'watch'];
const READ_WRITE = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const READ_UPDATE = ['get', 'list', 'patch', 'update', 'watch'];

export const AGGREGATE_LABEL_PREFIX = 'rbac.authorization.k8s.io/aggregate-to-';
export const BOOTSTRAP_LABEL = 'kubernetes.io/bootstrapping';

export interface BuiltinClusterRole {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The aggregationRule's clusterRoleSelectors, when the role aggregates. */
  readonly aggregationSelectors?: readonly unknown[];
  readonly rules: readonly PolicyRule[];
}

export interface BuiltinClusterRoleBinding {
  readonly name: string;
  readonly roleName: string;
  readonly subjects: ReadonlyArray<{ kind: 'User' | 'Group' | 'ServiceAccount'; name: string; namespace?: string }>;
}

function res(verbs: string[], apiGroups: string[], resources: string[], resourceNames: string[] = []): PolicyRule {
  return { verbs, apiGroups, resources, resourceNames, nonResourceURLs: [] };
}

function urls(verbs: string[], nonResourceURLs: string[]): PolicyRule {
  return { verbs, apiGroups: [], resources: [], resourceNames: [], nonResourceURLs };
}

interface RoleSpec {
  /** `aggregate-to-X: "true"` labels this role carries. */
  aggregateTo?: string[];
  /** One clusterRoleSelector per entry: matchLabels `aggregate-to-X: "true"`. */
  aggregateFrom?: string[];
  rules?: PolicyRule[];
}

function role(name: string, spec: RoleSpec): BuiltinClusterRole {
  const labels: Record<string, string> = { [BOOTSTRAP_LABEL]: 'rbac-defaults' };
  for (const to of spec.aggregateTo ?? []) labels[AGGREGATE_LABEL_PREFIX + to] = 'true';
  const out: BuiltinClusterRole = { name, labels, rules: spec.rules ?? [] };
  if (spec.aggregateFrom) {
    return { ...out, aggregationSelectors: spec.aggregateFrom.map((from) => ({ matchLabels: { [AGGREGATE_LABEL_PREFIX + from]: 'true' } })) };
  }
  return out;
}

/** In the golden file's order (by name). */
export const BUILTIN_CLUSTER_ROLES: readonly BuiltinClusterRole[] = [
  role('admin', {
    aggregateFrom: ['admin'],
  }),
  role('cluster-admin', {
    rules: [
      res(['*'], ['*'], ['*']),
      urls(['*'], ['*']),
    ],
  }),
  role('edit', {
    aggregateTo: ['admin'],
    aggregateFrom: ['edit'],
  }),
  role('system:aggregate-to-admin', {
    aggregateTo: ['admin'],
    rules: [
      res(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews']),
      res(READ_WRITE, ['rbac.authorization.k8s.io'], ['rolebindings', 'roles']),
    ],
  }),
  role('system:aggregate-to-edit', {
    aggregateTo: ['edit'],
    rules: [
      res(READ, [''], ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy']),
      res(['impersonate'], [''], ['serviceaccounts']),
      res(WRITE, [''], ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy']),
      res(['create'], [''], ['pods/eviction']),
      res(WRITE, [''], ['configmaps', 'persistentvolumeclaims', 'replicationcontrollers', 'replicationcontrollers/scale', 'secrets', 'serviceaccounts', 'services', 'services/proxy']),
      res(['create'], [''], ['serviceaccounts/token']),
      res(WRITE, ['', 'events.k8s.io'], ['events']),
      res(WRITE, ['apps'], ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'replicasets', 'replicasets/scale', 'statefulsets', 'statefulsets/scale']),
      res(WRITE, ['autoscaling'], ['horizontalpodautoscalers']),
      res(WRITE, ['batch'], ['cronjobs', 'jobs']),
      res(WRITE, ['extensions'], ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'ingresses', 'networkpolicies', 'replicasets', 'replicasets/scale', 'replicationcontrollers/scale']),
      res(WRITE, ['policy'], ['poddisruptionbudgets']),
      res(WRITE, ['networking.k8s.io'], ['ingresses', 'networkpolicies']),
      res(READ_WRITE, ['coordination.k8s.io'], ['leases']),
      res(WRITE, ['resource.k8s.io'], ['resourceclaims', 'resourceclaimtemplates']),
    ],
  }),
  role('system:aggregate-to-view', {
    aggregateTo: ['view'],
    rules: [
      res(READ, [''], ['configmaps', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'pods', 'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status']),
      res(READ, [''], ['bindings', 'limitranges', 'namespaces/status', 'pods/log', 'pods/status', 'replicationcontrollers/status', 'resourcequotas', 'resourcequotas/status']),
      res(READ, [''], ['namespaces']),
      res(READ, ['', 'events.k8s.io'], ['events']),
      res(READ, ['discovery.k8s.io'], ['endpointslices']),
      res(READ, ['apps'], ['controllerrevisions', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'replicasets', 'replicasets/scale', 'replicasets/status', 'statefulsets', 'statefulsets/scale', 'statefulsets/status']),
      res(READ, ['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
      res(READ, ['batch'], ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status']),
      res(READ, ['extensions'], ['daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'ingresses', 'ingresses/status', 'networkpolicies', 'replicasets', 'replicasets/scale', 'replicasets/status', 'replicationcontrollers/scale']),
      res(READ, ['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
      res(READ, ['networking.k8s.io'], ['ingresses', 'ingresses/status', 'networkpolicies']),
      res(READ, ['resource.k8s.io'], ['resourceclaims', 'resourceclaims/status', 'resourceclaimtemplates']),
    ],
  }),
  role('system:auth-delegator', {
    rules: [
      res(['create'], ['authentication.k8s.io'], ['tokenreviews']),
      res(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
    ],
  }),
  role('system:basic-user', {
    rules: [
      res(['create'], ['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']),
      res(['create'], ['authentication.k8s.io'], ['selfsubjectreviews']),
    ],
  }),
  role('system:certificates.k8s.io:certificatesigningrequests:nodeclient', {
    rules: [
      res(['create'], ['certificates.k8s.io'], ['certificatesigningrequests/nodeclient']),
    ],
  }),
  role('system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', {
    rules: [
      res(['create'], ['certificates.k8s.io'], ['certificatesigningrequests/selfnodeclient']),
    ],
  }),
  role('system:certificates.k8s.io:kube-apiserver-client-approver', {
    rules: [
      res(['approve'], ['certificates.k8s.io'], ['signers'], ['kubernetes.io/kube-apiserver-client']),
    ],
  }),
  role('system:certificates.k8s.io:kube-apiserver-client-kubelet-approver', {
    rules: [
      res(['approve'], ['certificates.k8s.io'], ['signers'], ['kubernetes.io/kube-apiserver-client-kubelet']),
    ],
  }),
  role('system:certificates.k8s.io:kubelet-serving-approver', {
    rules: [
      res(['approve'], ['certificates.k8s.io'], ['signers'], ['kubernetes.io/kubelet-serving']),
    ],
  }),
  role('system:certificates.k8s.io:legacy-unknown-approver', {
    rules: [
      res(['approve'], ['certificates.k8s.io'], ['signers'], ['kubernetes.io/legacy-unknown']),
    ],
  }),
  role('system:discovery', {
    rules: [
      urls(['get'], ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/']),
    ],
  }),
  role('system:heapster', {
    rules: [
      res(READ, [''], ['events', 'namespaces', 'nodes', 'pods']),
      res(READ, ['extensions'], ['deployments']),
    ],
  }),
  role('system:kube-aggregator', {
    rules: [
      res(READ, [''], ['endpoints', 'services']),
    ],
  }),
  role('system:kube-controller-manager', {
    rules: [
      res(['create', 'patch', 'update'], ['', 'events.k8s.io'], ['events']),
      res(['create'], ['coordination.k8s.io'], ['leases']),
      res(['get', 'update'], ['coordination.k8s.io'], ['leases'], ['kube-controller-manager']),
      res(['create'], [''], ['secrets', 'serviceaccounts']),
      res(['delete'], [''], ['secrets']),
      res(['get'], [''], ['configmaps', 'namespaces', 'secrets', 'serviceaccounts']),
      res(['update'], [''], ['secrets', 'serviceaccounts']),
      res(['create'], ['authentication.k8s.io'], ['tokenreviews']),
      res(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
      res(['list', 'watch'], ['*'], ['*']),
      res(['create'], [''], ['serviceaccounts/token']),
    ],
  }),
  role('system:kube-dns', {
    rules: [
      res(['list', 'watch'], [''], ['endpoints', 'services']),
    ],
  }),
  role('system:kube-scheduler', {
    rules: [
      res(['create', 'patch', 'update'], ['', 'events.k8s.io'], ['events']),
      res(['create'], ['coordination.k8s.io'], ['leases']),
      res(['get', 'list', 'update', 'watch'], ['coordination.k8s.io'], ['leases'], ['kube-scheduler']),
      res(READ_WRITE, ['coordination.k8s.io'], ['leasecandidates']),
      res(READ, [''], ['nodes']),
      res(['delete', 'get', 'list', 'watch'], [''], ['pods']),
      res(['create'], [''], ['bindings', 'pods/binding']),
      res(['patch', 'update'], [''], ['pods/status']),
      res(READ, [''], ['replicationcontrollers', 'services']),
      res(READ, ['apps', 'extensions'], ['replicasets']),
      res(READ, ['apps'], ['statefulsets']),
      res(READ, ['policy'], ['poddisruptionbudgets']),
      res(READ, [''], ['persistentvolumeclaims', 'persistentvolumes']),
      res(['create'], ['authentication.k8s.io'], ['tokenreviews']),
      res(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
      res(READ, ['storage.k8s.io'], ['csinodes']),
      res(READ, ['storage.k8s.io'], ['volumeattachments']),
      res(READ, [''], ['namespaces']),
      res(READ, ['storage.k8s.io'], ['csidrivers']),
      res(READ, ['storage.k8s.io'], ['csistoragecapacities']),
      res(READ, ['resource.k8s.io'], ['deviceclasses']),
      res(READ_UPDATE, ['resource.k8s.io'], ['resourceclaims']),
      res(READ_UPDATE, ['resource.k8s.io'], ['resourceclaims/status']),
      res(['update'], [''], ['pods/finalizers']),
      res(READ, ['resource.k8s.io'], ['resourceslices']),
      res(['create', 'delete'], ['resource.k8s.io'], ['resourceclaims']),
    ],
  }),
  role('system:kubelet-api-admin', {
    rules: [
      res(READ, [''], ['nodes']),
      res(['proxy'], [''], ['nodes']),
      res(['*'], [''], ['nodes/log', 'nodes/metrics', 'nodes/proxy', 'nodes/stats']),
      res(['*'], [''], ['nodes/configz', 'nodes/healthz', 'nodes/pods']),
    ],
  }),
  role('system:monitoring', {
    rules: [
      urls(['get'], ['/healthz', '/healthz/*', '/livez', '/livez/*', '/metrics', '/metrics/slis', '/readyz', '/readyz/*', '/statusz']),
      res(['get'], [''], ['nodes/metrics']),
    ],
  }),
  role('system:node', {
    rules: [
      res(['create'], ['authentication.k8s.io'], ['tokenreviews']),
      res(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews', 'subjectaccessreviews']),
      res(READ, [''], ['services']),
      res(['create', 'get', 'list', 'watch'], [''], ['nodes']),
      res(['patch', 'update'], [''], ['nodes/status']),
      res(['patch', 'update'], [''], ['nodes']),
      res(['create', 'patch', 'update'], ['', 'events.k8s.io'], ['events']),
      res(READ, [''], ['pods']),
      res(['create', 'delete'], [''], ['pods']),
      res(['patch', 'update'], [''], ['pods/status']),
      res(['create'], [''], ['pods/eviction']),
      res(READ, [''], ['configmaps', 'secrets']),
      res(['get'], [''], ['persistentvolumeclaims', 'persistentvolumes']),
      res(['get'], [''], ['endpoints']),
      res(['create', 'get', 'list', 'watch'], ['certificates.k8s.io'], ['certificatesigningrequests']),
      res(['create', 'delete', 'get', 'patch', 'update'], ['coordination.k8s.io'], ['leases']),
      res(['get'], ['storage.k8s.io'], ['volumeattachments']),
      res(['create'], [''], ['serviceaccounts/token']),
      res(['get', 'patch', 'update'], [''], ['persistentvolumeclaims/status']),
      res(READ, ['storage.k8s.io'], ['csidrivers']),
      res(['create', 'delete', 'get', 'patch', 'update'], ['storage.k8s.io'], ['csinodes']),
      res(READ, ['node.k8s.io'], ['runtimeclasses']),
      res(['get'], ['resource.k8s.io'], ['resourceclaims']),
      res(['deletecollection'], ['resource.k8s.io'], ['resourceslices']),
      res(['get'], [''], ['serviceaccounts']),
    ],
  }),
  role('system:node-bootstrapper', {
    rules: [
      res(['create', 'get', 'list', 'watch'], ['certificates.k8s.io'], ['certificatesigningrequests']),
    ],
  }),
  role('system:node-problem-detector', {
    rules: [
      res(['get'], [''], ['nodes']),
      res(['patch'], [''], ['nodes/status']),
      res(['create', 'patch', 'update'], ['', 'events.k8s.io'], ['events']),
    ],
  }),
  role('system:node-proxier', {
    rules: [
      res(['list', 'watch'], [''], ['endpoints', 'services']),
      res(READ, [''], ['nodes']),
      res(['create', 'patch', 'update'], ['', 'events.k8s.io'], ['events']),
      res(['list', 'watch'], ['networking.k8s.io'], ['servicecidrs']),
      res(['list', 'watch'], ['discovery.k8s.io'], ['endpointslices']),
    ],
  }),
  role('system:persistent-volume-provisioner', {
    rules: [
      res(['create', 'delete', 'get', 'list', 'watch'], [''], ['persistentvolumes']),
      res(['get', 'list', 'update', 'watch'], [''], ['persistentvolumeclaims']),
      res(READ, ['storage.k8s.io'], ['storageclasses']),
      res(['watch'], [''], ['events']),
      res(['create', 'patch', 'update'], ['', 'events.k8s.io'], ['events']),
    ],
  }),
  role('system:public-info-viewer', {
    rules: [
      urls(['get'], ['/healthz', '/livez', '/readyz', '/version', '/version/']),
    ],
  }),
  role('system:service-account-issuer-discovery', {
    rules: [
      urls(['get'], ['/.well-known/openid-configuration', '/.well-known/openid-configuration/', '/openid/v1/jwks', '/openid/v1/jwks/']),
    ],
  }),
  role('system:volume-scheduler', {
    rules: [
      res(READ_UPDATE, [''], ['persistentvolumes']),
      res(READ, ['storage.k8s.io'], ['storageclasses']),
      res(READ_UPDATE, [''], ['persistentvolumeclaims']),
    ],
  }),
  role('view', {
    aggregateTo: ['edit'],
    aggregateFrom: ['view'],
  }),
];

/** The default ClusterRoleBindings (each named like its role). */
export const BUILTIN_CLUSTER_ROLE_BINDINGS: readonly BuiltinClusterRoleBinding[] = [
  { name: 'cluster-admin', roleName: 'cluster-admin', subjects: [{ kind: 'Group', name: 'system:masters' }] },
  { name: 'system:basic-user', roleName: 'system:basic-user', subjects: [{ kind: 'Group', name: 'system:authenticated' }] },
  { name: 'system:discovery', roleName: 'system:discovery', subjects: [{ kind: 'Group', name: 'system:authenticated' }] },
  { name: 'system:kube-controller-manager', roleName: 'system:kube-controller-manager', subjects: [{ kind: 'User', name: 'system:kube-controller-manager' }] },
  { name: 'system:kube-dns', roleName: 'system:kube-dns', subjects: [{ kind: 'ServiceAccount', namespace: 'kube-system', name: 'kube-dns' }] },
  { name: 'system:kube-scheduler', roleName: 'system:kube-scheduler', subjects: [{ kind: 'User', name: 'system:kube-scheduler' }] },
  { name: 'system:monitoring', roleName: 'system:monitoring', subjects: [{ kind: 'Group', name: 'system:monitoring' }] },
  // No subjects since 1.8: nodes are authorized by the Node authorizer and NodeRestriction.
  { name: 'system:node', roleName: 'system:node', subjects: [] },
  { name: 'system:node-proxier', roleName: 'system:node-proxier', subjects: [{ kind: 'User', name: 'system:kube-proxy' }] },
  { name: 'system:public-info-viewer', roleName: 'system:public-info-viewer', subjects: [{ kind: 'Group', name: 'system:authenticated' }, { kind: 'Group', name: 'system:unauthenticated' }] },
  { name: 'system:service-account-issuer-discovery', roleName: 'system:service-account-issuer-discovery', subjects: [{ kind: 'Group', name: 'system:serviceaccounts' }] },
  { name: 'system:volume-scheduler', roleName: 'system:volume-scheduler', subjects: [{ kind: 'User', name: 'system:kube-scheduler' }] },
];
