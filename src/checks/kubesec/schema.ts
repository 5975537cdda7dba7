/**
 * What kubesec's schema step (kubeconform, strict, schemas of Kubernetes `master`) says about a
 * document before any rule runs. A non-empty message makes the report `valid: false` with
 * score 0 and no rules.
 *
 * Reproduced: documents that are not objects, a missing `kind` or `apiVersion`, `kind: List`
 * (its items are checked, the List itself is not), and resources with no schema (custom
 * resources, removed API versions such as extensions/v1beta1 or policy/v1beta1): kubeconform
 * looks up `<kind>-<first label of the group>-<version>.json` and fails with
 * "could not find schema for <Kind>".
 *
 * Not reproduced: validation of the fields themselves against the OpenAPI schemas (unknown
 * fields, wrong types, missing required fields). That would need Kubernetes' schemas, which
 * Palisade does not ship; such documents are scored as kubesec scores valid ones.
 */
import { isMap } from './golike.js';

/** Built-in kinds by API version, as published in Kubernetes master's OpenAPI documents. */
const BUILTIN: Record<string, readonly string[]> = {
  v1: [
    'Binding', 'ComponentStatus', 'ConfigMap', 'Endpoints', 'Event', 'LimitRange', 'Namespace', 'Node',
    'PersistentVolume', 'PersistentVolumeClaim', 'Pod', 'PodTemplate', 'ReplicationController', 'ResourceQuota',
    'Secret', 'Service', 'ServiceAccount',
  ],
  'admissionregistration.k8s.io/v1': [
    'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding',
  ],
  'admissionregistration.k8s.io/v1beta1': [
    'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'MutatingAdmissionPolicy', 'MutatingAdmissionPolicyBinding',
  ],
  'admissionregistration.k8s.io/v1alpha1': ['MutatingAdmissionPolicy', 'MutatingAdmissionPolicyBinding'],
  'apiextensions.k8s.io/v1': ['CustomResourceDefinition'],
  'apiregistration.k8s.io/v1': ['APIService'],
  'apps/v1': ['ControllerRevision', 'DaemonSet', 'Deployment', 'ReplicaSet', 'StatefulSet'],
  'authentication.k8s.io/v1': ['TokenRequest', 'TokenReview', 'SelfSubjectReview'],
  'authentication.k8s.io/v1beta1': ['SelfSubjectReview'],
  'authorization.k8s.io/v1': ['LocalSubjectAccessReview', 'SelfSubjectAccessReview', 'SelfSubjectRulesReview', 'SubjectAccessReview'],
  'autoscaling/v1': ['HorizontalPodAutoscaler', 'Scale'],
  'autoscaling/v2': ['HorizontalPodAutoscaler'],
  'batch/v1': ['CronJob', 'Job'],
  'certificates.k8s.io/v1': ['CertificateSigningRequest'],
  'certificates.k8s.io/v1beta1': ['ClusterTrustBundle'],
  'certificates.k8s.io/v1alpha1': ['ClusterTrustBundle', 'PodCertificateRequest'],
  'coordination.k8s.io/v1': ['Lease'],
  'coordination.k8s.io/v1beta1': ['LeaseCandidate'],
  'coordination.k8s.io/v1alpha2': ['LeaseCandidate'],
  'discovery.k8s.io/v1': ['EndpointSlice'],
  'events.k8s.io/v1': ['Event'],
  'flowcontrol.apiserver.k8s.io/v1': ['FlowSchema', 'PriorityLevelConfiguration'],
  'internal.apiserver.k8s.io/v1alpha1': ['StorageVersion'],
  'networking.k8s.io/v1': ['Ingress', 'IngressClass', 'NetworkPolicy', 'IPAddress', 'ServiceCIDR'],
  'networking.k8s.io/v1beta1': ['IPAddress', 'ServiceCIDR'],
  'node.k8s.io/v1': ['RuntimeClass'],
  'policy/v1': ['Eviction', 'PodDisruptionBudget'],
  'rbac.authorization.k8s.io/v1': ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'],
  'resource.k8s.io/v1': ['DeviceClass', 'ResourceClaim', 'ResourceClaimTemplate', 'ResourceSlice'],
  'resource.k8s.io/v1beta1': ['DeviceClass', 'ResourceClaim', 'ResourceClaimTemplate', 'ResourceSlice'],
  'resource.k8s.io/v1beta2': ['DeviceClass', 'ResourceClaim', 'ResourceClaimTemplate', 'ResourceSlice'],
  'resource.k8s.io/v1alpha3': ['DeviceTaintRule'],
  'scheduling.k8s.io/v1': ['PriorityClass'],
  'storage.k8s.io/v1': ['CSIDriver', 'CSINode', 'CSIStorageCapacity', 'StorageClass', 'VolumeAttachment', 'VolumeAttributesClass'],
  'storage.k8s.io/v1beta1': ['VolumeAttributesClass'],
  'storage.k8s.io/v1alpha1': ['VolumeAttributesClass'],
  'storagemigration.k8s.io/v1alpha1': ['StorageVersionMigration'],
};

/** Kinds that are subresources, not listable: no `<Kind>List` schema. */
const NO_LIST = new Set([
  'Binding', 'TokenRequest', 'TokenReview', 'SelfSubjectReview', 'LocalSubjectAccessReview', 'SelfSubjectAccessReview',
  'SelfSubjectRulesReview', 'SubjectAccessReview', 'Scale', 'Eviction',
]);

/**
 * kubeconform's schema file key: lower-case kind, then `-<first label of the group>` when
 * there is a group, then `-<version>`. So the group is matched by its first DNS label only.
 */
export function schemaKey(kind: string, apiVersion: string): string {
  const groupParts = apiVersion.split('/');
  const versionParts = groupParts[0].split('.');
  let suffix = `-${versionParts[0].toLowerCase()}`;
  if (groupParts.length > 1) suffix += `-${groupParts[1].toLowerCase()}`;
  return `${kind.toLowerCase()}${suffix}`;
}

const KNOWN_SCHEMAS: ReadonlySet<string> = (() => {
  const keys = new Set<string>();
  for (const [apiVersion, kinds] of Object.entries(BUILTIN)) {
    for (const kind of kinds) {
      keys.add(schemaKey(kind, apiVersion));
      if (!NO_LIST.has(kind)) keys.add(schemaKey(`${kind}List`, apiVersion));
    }
  }
  return keys;
})();

/** Whether kubeconform would find a schema for this kind and apiVersion. */
export function hasSchema(kind: string, apiVersion: string): boolean {
  return KNOWN_SCHEMAS.has(schemaKey(kind, apiVersion));
}

/** Go's name for a JSON value type in "json: cannot unmarshal X into Go value…". */
function jsonTypeName(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v; // 'string' | 'number'
}

/** One resource, as kubeconform's ValidateResource reports it ('' when fine or empty). */
function validateResource(doc: unknown): string {
  if (doc === null || doc === undefined) return ''; // empty resource: not an error
  if (!isMap(doc)) {
    return `error unmarshalling resource: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${jsonTypeName(doc)} into Go value of type map[string]interface {}`;
  }
  const kind = typeof doc.kind === 'string' ? doc.kind : '';
  const apiVersion = typeof doc.apiVersion === 'string' ? doc.apiVersion : '';
  if (kind === '') return "missing 'kind' key";
  if (apiVersion === '') return "missing 'apiVersion' key";
  if (!hasSchema(kind, apiVersion)) return `could not find schema for ${kind}`;
  return '';
}

/**
 * The message kubesec puts in the report for this document ('' means valid). Errors of several
 * resources (items of a `kind: List`) are concatenated, as kubesec does, with no separator.
 */
export function schemaMessage(doc: unknown): string {
  if (isMap(doc) && doc.kind === 'List' && Array.isArray(doc.items)) {
    return doc.items.map(validateResource).join('');
  }
  return validateResource(doc);
}
