/**
 * AdmissionReviews as kube-apiserver sends them for `kubectl create --dry-run=server` (and
 * apply/update): the object after defaulting, with uid, creationTimestamp and managedFields
 * already set, the CreateOptions as performed, kubeadm's admin user. For tests and benchmarks.
 */
import { randomUUID } from 'node:crypto';
import { podSpecOf, WORKLOAD_KINDS } from '../model/index.js';
import { requestForManifest } from './vap/index.js';

type Obj = Record<string, unknown>;

export interface ReviewOptions {
  operation?: 'CREATE' | 'UPDATE' | 'DELETE';
  old?: Obj;
  dryRun?: boolean;
  subResource?: string;
  user?: { username: string; groups: string[] };
  uid?: string;
}

const ADMIN = { username: 'kubernetes-admin', groups: ['kubeadm:cluster-admins', 'system:authenticated'] };

function clone<T>(v: T): T {
  return structuredClone(v);
}

/** The defaults the API server fills in before admission (the fields users see in `-o yaml`). */
export function withServerDefaults(manifest: Obj): Obj {
  const obj = clone(manifest);
  const meta = (obj.metadata ??= {}) as Obj;
  meta.uid ??= randomUUID();
  meta.creationTimestamp ??= '2026-11-23T10:00:00Z';
  meta.managedFields ??= [{
    manager: 'kubectl-create', operation: 'Update', apiVersion: String(obj.apiVersion), time: '2026-11-23T10:00:00Z', fieldsType: 'FieldsV1',
    fieldsV1: { 'f:metadata': { 'f:labels': {} }, 'f:spec': {} },
  }];
  const kind = String(obj.kind);
  if (kind in WORKLOAD_KINDS && kind !== 'Pod') {
    const spec = (obj.spec ??= {}) as Obj;
    if (kind === 'Deployment') {
      spec.replicas ??= 1;
      spec.revisionHistoryLimit ??= 10;
      spec.progressDeadlineSeconds ??= 600;
      spec.strategy ??= { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } };
    }
  }
  const pod = podSpecOf(obj as never);
  if (pod) {
    const s = pod.spec as Obj;
    s.restartPolicy ??= kind === 'Job' || kind === 'CronJob' ? 'Never' : 'Always';
    s.terminationGracePeriodSeconds ??= 30;
    s.dnsPolicy ??= 'ClusterFirst';
    s.securityContext ??= {};
    s.schedulerName ??= 'default-scheduler';
    for (const key of ['initContainers', 'containers']) {
      for (const c of (Array.isArray(s[key]) ? s[key] : []) as Obj[]) {
        c.resources ??= {};
        c.terminationMessagePath ??= '/dev/termination-log';
        c.terminationMessagePolicy ??= 'File';
        c.imagePullPolicy ??= String(c.image ?? '').endsWith(':latest') || !String(c.image ?? '').includes(':') ? 'Always' : 'IfNotPresent';
      }
    }
  }
  return obj;
}

/** The AdmissionReview for a manifest (defaulted as the API server would). */
export function admissionReview(manifest: Obj, opts: ReviewOptions = {}): Obj {
  const operation = opts.operation ?? 'CREATE';
  const object = withServerDefaults(manifest);
  const request = requestForManifest(object, {
    operation,
    ...(opts.old ? { old: withServerDefaults(opts.old) } : {}),
    userInfo: opts.user ?? ADMIN,
    dryRun: opts.dryRun ?? false,
  }) as unknown as Obj;
  request.uid = opts.uid ?? randomUUID();
  if (opts.subResource) request.subResource = opts.subResource;
  request.requestKind = request.kind;
  request.requestResource = request.resource;
  if (operation === 'CREATE') {
    request.options = {
      kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1', fieldManager: 'kubectl-create',
      ...(opts.dryRun ? { dryRun: ['All'] } : {}),
    };
  }
  if (!request.dryRun) delete request.dryRun;
  return { kind: 'AdmissionReview', apiVersion: 'admission.k8s.io/v1', request };
}

/** A realistic web Deployment: insecure (no securityContext at all) or hardened to PSS restricted. */
export function deployment(opts: { name?: string; namespace?: string; hardened?: boolean; image?: string } = {}): Obj {
  const name = opts.name ?? 'web';
  const container: Obj = {
    name: 'app',
    image: opts.image ?? 'registry.example.com/shop/web:1.4.2',
    ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
    env: [{ name: 'LOG_LEVEL', value: 'info' }, { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'web-db', key: 'password' } } }],
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
    livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 10 },
    readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 5 },
    volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
  };
  const spec: Obj = { containers: [container], volumes: [{ name: 'tmp', emptyDir: {} }], serviceAccountName: name };
  if (opts.hardened) {
    container.securityContext = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } };
    spec.securityContext = { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } };
    spec.automountServiceAccountToken = false;
  }
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: opts.namespace ?? 'shop', labels: { app: name, 'app.kubernetes.io/part-of': 'shop' } },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec },
    },
  };
}

/** A pod a user would be right to be stopped from running: privileged, host PID, the node's root. */
export function privilegedPod(opts: { name?: string; namespace?: string } = {}): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: opts.name ?? 'debug', namespace: opts.namespace ?? 'shop' },
    spec: {
      hostPID: true,
      containers: [{ name: 'shell', image: 'busybox:1.36', command: ['sleep', '3600'], securityContext: { privileged: true }, volumeMounts: [{ name: 'host', mountPath: '/host' }] }],
      volumes: [{ name: 'host', hostPath: { path: '/' } }],
    },
  };
}

/** An ImageReview as the ImagePolicyWebhook admission plugin sends it. */
export function imageReview(images: string[], opts: { namespace?: string; annotations?: Record<string, string> } = {}): Obj {
  return {
    apiVersion: 'imagepolicy.k8s.io/v1alpha1',
    kind: 'ImageReview',
    spec: { containers: images.map((image) => ({ image })), ...(opts.annotations ? { annotations: opts.annotations } : {}), namespace: opts.namespace ?? 'shop' },
  };
}
