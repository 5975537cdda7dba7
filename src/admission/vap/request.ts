/**
 * An admission request for a manifest, as kube-apiserver would build it when the manifest is
 * applied: group/version from apiVersion, the resource from the kind (Kubernetes' own
 * guess, UnsafeGuessKindToResource, plus the irregular plurals), the namespace from metadata
 * (`default` for namespaced kinds without one, as kubectl does; none for cluster-scoped kinds;
 * its own name for a Namespace) and the operation's options object.
 */
import { isObj } from './validate.js';
import type { AdmissionRequestLike, JsonObject, Operation, UserInfo } from './types.js';

const IRREGULAR: Record<string, string> = { Endpoints: 'endpoints' };

/** Kinds of the built-in API that are cluster-scoped. */
const CLUSTER_SCOPED = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'ClusterRole', 'ClusterRoleBinding', 'StorageClass', 'CSIDriver', 'CSINode',
  'VolumeAttachment', 'PriorityClass', 'RuntimeClass', 'IngressClass', 'CustomResourceDefinition', 'APIService',
  'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding', 'MutatingAdmissionPolicy', 'MutatingAdmissionPolicyBinding',
  'CertificateSigningRequest', 'PodSecurityPolicy', 'ComponentStatus', 'FlowSchema', 'PriorityLevelConfiguration',
  'TokenReview', 'SelfSubjectAccessReview', 'SelfSubjectRulesReview', 'SubjectAccessReview', 'ClusterTrustBundle',
  'DeviceClass', 'ResourceSlice', 'StorageVersionMigration', 'IPAddress', 'ServiceCIDR',
]);

export function resourceForKind(kind: string): string {
  if (IRREGULAR[kind] !== undefined) return IRREGULAR[kind];
  const s = kind.toLowerCase();
  if (s.endsWith('s')) return `${s}es`;
  if (s.endsWith('y')) return `${s.slice(0, -1)}ies`;
  return `${s}s`;
}

export function groupVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i === -1 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

export interface ManifestRequestOptions {
  operation?: Operation;
  /** The stored object an UPDATE replaces or a DELETE removes. */
  old?: JsonObject;
  userInfo?: UserInfo;
  dryRun?: boolean;
  /** Kinds (besides the built-in ones) to treat as cluster-scoped. */
  clusterScoped?: ReadonlySet<string>;
}

/** The request kube-apiserver would evaluate for `operation` on this manifest. */
export function requestForManifest(obj: JsonObject, opts: ManifestRequestOptions = {}): AdmissionRequestLike {
  const operation = opts.operation ?? 'CREATE';
  const apiVersion = typeof obj.apiVersion === 'string' ? obj.apiVersion : '';
  const kind = typeof obj.kind === 'string' ? obj.kind : '';
  const { group, version } = groupVersion(apiVersion);
  const meta = isObj(obj.metadata) ? obj.metadata : {};
  const name = typeof meta.name === 'string' ? meta.name : '';
  const clusterScoped = CLUSTER_SCOPED.has(kind) || (opts.clusterScoped?.has(kind) ?? false);
  let namespace = '';
  if (kind === 'Namespace' && group === '') namespace = name;
  else if (!clusterScoped) namespace = typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : 'default';
  const optionsKind = { CREATE: 'CreateOptions', UPDATE: 'UpdateOptions', DELETE: 'DeleteOptions', CONNECT: '' }[operation];
  const req: AdmissionRequestLike = {
    uid: 'palisade-vap-test',
    kind: { group, version, kind },
    resource: { group, version, resource: resourceForKind(kind) },
    name,
    namespace,
    operation,
    userInfo: opts.userInfo ?? { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] },
    dryRun: opts.dryRun ?? false,
  };
  if (optionsKind) req.options = { kind: optionsKind, apiVersion: 'meta.k8s.io/v1' };
  if (operation === 'DELETE') req.oldObject = opts.old ?? obj;
  else {
    req.object = obj;
    if (operation === 'UPDATE' && opts.old !== undefined) req.oldObject = opts.old;
  }
  return req;
}
