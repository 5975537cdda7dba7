/**
 * `palisade install --print`: the manifests that run the admission server in a cluster and
 * register it with the API server. Every object is least privilege and passes
 * `palisade scan --profile restricted` as printed (a test holds us to it). No key material is
 * printed: the Deployment mounts a Secret the user creates from `palisade certs generate`.
 */
import { Document } from 'yaml';
import { parseImage } from '../../model/index.js';
import { caBundleOf } from './certs.js';
import { InstallError } from './errors.js';
import { checkNamespace } from './names.js';

export type FailurePolicy = 'Fail' | 'Ignore';
export const FAILURE_POLICIES: readonly FailurePolicy[] = ['Fail', 'Ignore'];

export const DEFAULT_NAMESPACE = 'palisade';
export const DEFAULT_IMAGE_REPOSITORY = 'ghcr.io/palisade-dev/palisade';
/** The Secret (type kubernetes.io/tls) the Deployment mounts; created with `kubectl create secret tls`. */
export const TLS_SECRET = 'palisade-tls';
export const VALIDATING_WEBHOOK = 'validate.palisade.dev';
export const MUTATING_WEBHOOK = 'mutate.palisade.dev';
export const CA_BUNDLE_PLACEHOLDER = 'REPLACE_WITH_BASE64_OF_CA_CRT';
export const SERVER_PORT = 8443;
/** The one name every object shares (Deployment, Service, ServiceAccount, RBAC, webhook configurations). */
const NAME = 'palisade';
const RUN_AS = 65532;

export interface InstallOptions {
  /** Palisade's version: the default image tag and the version label. */
  version: string;
  namespace?: string;
  /** Image reference with a version tag or a digest (default: DEFAULT_IMAGE_REPOSITORY:<version>). */
  image?: string;
  /** PEM of the CA that signed the serving certificate; its base64 becomes clientConfig.caBundle. */
  caPem?: string;
  replicas?: number;
  /** For the validating webhook (default Fail). */
  failurePolicy?: FailurePolicy;
  /** For the mutating webhook (default Ignore). */
  mutatingFailurePolicy?: FailurePolicy;
  timeoutSeconds?: number;
  /** Namespaces the webhooks never see, besides kube-system and Palisade's own. */
  excludeNamespaces?: readonly string[];
}

export interface Manifest {
  /** The object, as kubectl will read it. */
  object: Record<string, unknown>;
  /** Lines printed above the document as `#` comments. */
  comment?: string;
}

export function defaultImage(version: string): string {
  return `${DEFAULT_IMAGE_REPOSITORY}:${version}`;
}

/** An image the cluster will run the same way every time: a digest, or a version tag (not latest, not none). */
export function checkImage(image: string): { image: string; pinnedByDigest: boolean } {
  const ref = parseImage(image);
  if (!ref) throw new InstallError(`--image: "${image}" is not an image reference`);
  if (ref.digest !== undefined) {
    if (!/^sha256:[a-f0-9]{64}$/.test(ref.digest)) throw new InstallError(`--image: "${image}": a digest is sha256: and 64 hex digits`);
    return { image, pinnedByDigest: true };
  }
  if (ref.tag === undefined || ref.tag === 'latest') {
    throw new InstallError(`--image: "${image}" has no version: pin a tag (…/palisade:0.1.0) or, better, a digest (…@sha256:…)`);
  }
  return { image, pinnedByDigest: false };
}

function checkReplicas(n: number): number {
  if (!Number.isInteger(n) || n < 2 || n > 50) {
    throw new InstallError(`--replicas: expected a whole number from 2 to 50, got "${n}" (one replica and a PodDisruptionBudget of minAvailable 1 would block every node drain)`);
  }
  return n;
}

function checkTimeout(n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > 30) throw new InstallError(`--timeout: expected whole seconds from 1 to 30, got "${n}"`);
  return n;
}

/** The objects in apply order: the server is running before the API server is told to call it. */
export function installManifests(opts: InstallOptions): Manifest[] {
  const ns = checkNamespace('--namespace', opts.namespace ?? DEFAULT_NAMESPACE);
  const { image, pinnedByDigest } = checkImage(opts.image ?? defaultImage(opts.version));
  const replicas = checkReplicas(opts.replicas ?? 2);
  const timeoutSeconds = checkTimeout(opts.timeoutSeconds ?? 5);
  const excluded = [...new Set(['kube-system', ns, ...(opts.excludeNamespaces ?? []).map((n) => checkNamespace('--exclude-namespace', n))])];
  const labels = {
    'app.kubernetes.io/name': NAME,
    'app.kubernetes.io/component': 'admission-webhook',
    'app.kubernetes.io/part-of': NAME,
    'app.kubernetes.io/version': opts.version,
  };
  const selector = { 'app.kubernetes.io/name': NAME, 'app.kubernetes.io/component': 'admission-webhook' };
  const meta = (extra: Record<string, unknown> = {}) => ({ name: NAME, namespace: ns, labels, ...extra });
  const clusterMeta = () => ({ name: NAME, labels });

  const namespace: Manifest = {
    object: {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: ns,
        labels: {
          ...labels,
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/enforce-version': 'latest',
          'pod-security.kubernetes.io/audit': 'restricted',
          'pod-security.kubernetes.io/warn': 'restricted',
        },
      },
    },
    comment: [
      `Palisade admission server ${opts.version}: palisade install --print | kubectl apply -f -`,
      `Before applying: kubectl create namespace ${ns} && kubectl -n ${ns} create secret tls ${TLS_SECRET} --cert=tls.crt --key=tls.key`,
      '(certificates from: palisade certs generate --service palisade --namespace ' + ns + ' --out DIR)',
    ].join('\n'),
  };

  const serviceAccount: Manifest = {
    object: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(), automountServiceAccountToken: false },
    comment: 'No token is mounted by default; the Deployment projects a short-lived one explicitly (it reads Namespace labels).',
  };

  const clusterRole: Manifest = {
    object: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: clusterMeta(),
      rules: [{ apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'] }],
    },
    comment: 'Least privilege: namespace labels (namespace-scoped policy and exemptions) are all the server reads.',
  };

  const binding: Manifest = {
    object: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: clusterMeta(),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: NAME },
      subjects: [{ kind: 'ServiceAccount', name: NAME, namespace: ns }],
    },
  };

  const service: Manifest = {
    object: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(),
      spec: {
        type: 'ClusterIP',
        selector,
        ports: [{ name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' }],
      },
    },
  };

  const probe = (path: string, periodSeconds: number) => ({
    httpGet: { path, port: 'https', scheme: 'HTTPS' },
    periodSeconds,
    timeoutSeconds: 2,
    failureThreshold: 3,
  });

  const deployment: Manifest = {
    object: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta(),
      spec: {
        replicas,
        revisionHistoryLimit: 5,
        selector: { matchLabels: selector },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: NAME,
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: RUN_AS,
              runAsGroup: RUN_AS,
              fsGroup: RUN_AS,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            affinity: {
              podAntiAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [{
                  weight: 100,
                  podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: selector } },
                }],
              },
            },
            containers: [{
              name: 'server',
              image,
              imagePullPolicy: pinnedByDigest ? 'IfNotPresent' : 'Always',
              args: ['serve', '--listen', `:${SERVER_PORT}`, '--tls-cert', '/tls/tls.crt', '--tls-key', '/tls/tls.key'],
              ports: [{ name: 'https', containerPort: SERVER_PORT, protocol: 'TCP' }],
              securityContext: {
                runAsNonRoot: true,
                runAsUser: RUN_AS,
                runAsGroup: RUN_AS,
                privileged: false,
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
                seccompProfile: { type: 'RuntimeDefault' },
              },
              resources: {
                requests: { cpu: '100m', memory: '128Mi' },
                limits: { cpu: '1', memory: '256Mi' },
              },
              livenessProbe: probe('/healthz', 10),
              readinessProbe: probe('/readyz', 5),
              volumeMounts: [
                { name: 'tls', mountPath: '/tls', readOnly: true },
                { name: 'kube-api-access', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true },
                { name: 'tmp', mountPath: '/tmp' },
              ],
            }],
            volumes: [
              { name: 'tls', secret: { secretName: TLS_SECRET, defaultMode: 0o440 } },
              {
                name: 'kube-api-access',
                projected: {
                  defaultMode: 0o444,
                  sources: [
                    { serviceAccountToken: { path: 'token', expirationSeconds: 3600 } },
                    { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
                    { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
                  ],
                },
              },
              { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } },
            ],
          },
        },
      },
    },
    comment: [
      `TLS: mounts Secret "${TLS_SECRET}" (type kubernetes.io/tls), which this output does not contain: no key material is printed.`,
      `Create it from palisade certs generate: kubectl -n ${ns} create secret tls ${TLS_SECRET} --cert=DIR/tls.crt --key=DIR/tls.key`,
      pinnedByDigest ? 'Image pinned by digest.' : 'Image pinned by version tag (pulled Always so every replica runs what the tag names now); prefer --image …@sha256:….',
    ].join('\n'),
  };

  const pdb: Manifest = {
    object: {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: meta(),
      spec: { minAvailable: 1, selector: { matchLabels: selector } },
    },
  };

  const namespaceSelector = {
    matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: excluded }],
  };
  const ops = ['CREATE', 'UPDATE'];
  const rules = [
    { apiGroups: [''], apiVersions: ['v1'], operations: ops, resources: ['pods', 'pods/ephemeralcontainers', 'replicationcontrollers', 'podtemplates'], scope: 'Namespaced' },
    { apiGroups: ['apps'], apiVersions: ['v1'], operations: ops, resources: ['deployments', 'statefulsets', 'daemonsets', 'replicasets'], scope: 'Namespaced' },
    { apiGroups: ['batch'], apiVersions: ['v1'], operations: ops, resources: ['jobs', 'cronjobs'], scope: 'Namespaced' },
    { apiGroups: [''], apiVersions: ['v1'], operations: ops, resources: ['namespaces'], scope: 'Cluster' },
  ];
  const caBundle = opts.caPem !== undefined ? caBundleOf(opts.caPem) : CA_BUNDLE_PLACEHOLDER;
  const webhook = (name: string, path: string, failurePolicy: FailurePolicy) => ({
    name,
    clientConfig: { service: { namespace: ns, name: NAME, path, port: 443 }, caBundle },
    rules,
    failurePolicy,
    matchPolicy: 'Equivalent',
    namespaceSelector,
    sideEffects: 'None',
    timeoutSeconds,
    admissionReviewVersions: ['v1'],
  });
  const caNote = opts.caPem !== undefined
    ? 'caBundle: the CA from --ca-file.'
    : `caBundle is a placeholder that kubectl rejects until you replace it: rerun with --ca-file DIR/ca.crt, or put in base64 -w0 DIR/ca.crt.`;
  const excludedNote = `Never called for namespaces ${excluded.join(', ')} (so the server can always start), nor for objects the API server exempts.`;

  const validating: Manifest = {
    object: {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: clusterMeta(),
      webhooks: [webhook(VALIDATING_WEBHOOK, '/validate', opts.failurePolicy ?? 'Fail')],
    },
    comment: [
      `Enforcement: failurePolicy ${opts.failurePolicy ?? 'Fail'} (Fail: a request the server cannot judge is refused, fail closed).`,
      excludedNote,
      caNote,
    ].join('\n'),
  };
  const mutating: Manifest = {
    object: {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      metadata: clusterMeta(),
      webhooks: [{ ...webhook(MUTATING_WEBHOOK, '/mutate', opts.mutatingFailurePolicy ?? 'Ignore'), reinvocationPolicy: 'IfNeeded' }],
    },
    comment: [
      `Secure defaults: failurePolicy ${opts.mutatingFailurePolicy ?? 'Ignore'} (Ignore: when the server is down objects go unchanged,`,
      'and the validating webhook still refuses what the defaults would have fixed).',
      caNote,
    ].join('\n'),
  };
  return [namespace, serviceAccount, clusterRole, binding, service, deployment, pdb, validating, mutating];
}

/** The manifests as one multi-document YAML stream, comments included. */
export function renderManifests(manifests: readonly Manifest[]): string {
  return manifests.map((m) => {
    const doc = new Document(m.object, { aliasDuplicateObjects: false });
    if (m.comment !== undefined) doc.commentBefore = m.comment.split('\n').map((l) => ` ${l}`).join('\n');
    if (m.object.kind === 'ValidatingWebhookConfiguration' || m.object.kind === 'MutatingWebhookConfiguration') markPlaceholder(doc);
    return `---\n${doc.toString({ lineWidth: 0 })}`;
  }).join('');
}

function markPlaceholder(doc: Document): void {
  const webhooks = (doc.toJS() as { webhooks: Array<{ clientConfig: { caBundle: string } }> }).webhooks;
  webhooks.forEach((w, i) => {
    if (w.clientConfig.caBundle !== CA_BUNDLE_PLACEHOLDER) return;
    const node = doc.getIn(['webhooks', i, 'clientConfig', 'caBundle'], true) as { comment?: string } | undefined;
    if (node) node.comment = ' FILL IN: base64 -w0 ca.crt (or palisade install --print --ca-file ca.crt)';
  });
}

export function renderInstall(opts: InstallOptions): string {
  return renderManifests(installManifests(opts));
}
