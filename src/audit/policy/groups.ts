/**
 * Which built-in API group serves a well-known resource, to catch rules that name a resource
 * under the wrong group (`deployments` under the core group "" matches nothing: Deployments are
 * in `apps`). Only resources served by exactly one current group are listed; `extensions` (the
 * legacy group) and names served by several groups (events) are never judged.
 */
const HOME: Readonly<Record<string, string>> = {
  pods: '', services: '', endpoints: '', configmaps: '', secrets: '', serviceaccounts: '', namespaces: '', nodes: '',
  persistentvolumes: '', persistentvolumeclaims: '', replicationcontrollers: '', resourcequotas: '', limitranges: '',
  podtemplates: '', componentstatuses: '', bindings: '',
  deployments: 'apps', statefulsets: 'apps', daemonsets: 'apps', replicasets: 'apps', controllerrevisions: 'apps',
  jobs: 'batch', cronjobs: 'batch',
  roles: 'rbac.authorization.k8s.io', rolebindings: 'rbac.authorization.k8s.io',
  clusterroles: 'rbac.authorization.k8s.io', clusterrolebindings: 'rbac.authorization.k8s.io',
  ingresses: 'networking.k8s.io', ingressclasses: 'networking.k8s.io', networkpolicies: 'networking.k8s.io',
  tokenreviews: 'authentication.k8s.io', selfsubjectreviews: 'authentication.k8s.io',
  subjectaccessreviews: 'authorization.k8s.io', selfsubjectaccessreviews: 'authorization.k8s.io',
  localsubjectaccessreviews: 'authorization.k8s.io', selfsubjectrulesreviews: 'authorization.k8s.io',
  leases: 'coordination.k8s.io', horizontalpodautoscalers: 'autoscaling', poddisruptionbudgets: 'policy',
  storageclasses: 'storage.k8s.io', volumeattachments: 'storage.k8s.io', csidrivers: 'storage.k8s.io', csinodes: 'storage.k8s.io',
  customresourcedefinitions: 'apiextensions.k8s.io', apiservices: 'apiregistration.k8s.io',
  mutatingwebhookconfigurations: 'admissionregistration.k8s.io', validatingwebhookconfigurations: 'admissionregistration.k8s.io',
  validatingadmissionpolicies: 'admissionregistration.k8s.io', validatingadmissionpolicybindings: 'admissionregistration.k8s.io',
  certificatesigningrequests: 'certificates.k8s.io', priorityclasses: 'scheduling.k8s.io', runtimeclasses: 'node.k8s.io',
  endpointslices: 'discovery.k8s.io', flowschemas: 'flowcontrol.apiserver.k8s.io', prioritylevelconfigurations: 'flowcontrol.apiserver.k8s.io',
};

const BUILT_IN_GROUPS = new Set(Object.values(HOME));

/**
 * The group that really serves `resource` (`pods/log` is judged by `pods`) when `group` is a
 * built-in group that does not; undefined when the pair is right or cannot be judged.
 */
export function misplacedResource(group: string, resource: string): string | undefined {
  if (!BUILT_IN_GROUPS.has(group)) return undefined;
  const base = resource.split('/')[0];
  const home = Object.prototype.hasOwnProperty.call(HOME, base) ? HOME[base] : undefined;
  return home !== undefined && home !== group ? home : undefined;
}
