/** Checks: APIs that newer Kubernetes releases no longer serve, and PodSecurityPolicy migration. */
import { annotationsOf, apiGroupOf, asArray, isObj, type Obj } from '../../model/index.js';
import { defineCheck } from './define.js';
import { kindAndName, specOf } from './util.js';
import type { CheckDef } from './types.js';

type PssLevel = 'privileged' | 'baseline' | 'restricted';

/** Capabilities the baseline level allows to be added. */
const BASELINE_CAPS = ['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT'];
/** Volume types the restricted level allows (PSP names). */
const RESTRICTED_VOLUMES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];
const SECCOMP_ALLOWED = 'seccomp.security.alpha.kubernetes.io/allowedProfileNames';

function strings(v: unknown): string[] {
  if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter((s) => s !== '');
  return asArray(v).filter((s): s is string => typeof s === 'string');
}

function capName(c: string): string {
  return c.toUpperCase().replace(/^CAP_/, '');
}

/** The Pod Security Standard a PodSecurityPolicy corresponds to, and why it is not stricter. */
function pspLevel(spec: Obj, annotations: Obj): { level: PssLevel; reasons: string[] } {
  const allows: string[] = [];
  if (spec.privileged === true) allows.push('privileged containers');
  for (const f of ['hostPID', 'hostIPC', 'hostNetwork'] as const) if (spec[f] === true) allows.push(f);
  if (asArray(spec.hostPorts).length > 0) allows.push('hostPorts');
  const volumes = strings(spec.volumes);
  if (volumes.includes('*') || volumes.includes('hostPath')) allows.push('hostPath volumes');
  const caps = [...strings(spec.allowedCapabilities), ...strings(spec.defaultAddCapabilities)];
  const extraCaps = [...new Set(caps.filter((c) => c === '*' || !BASELINE_CAPS.includes(capName(c))))];
  if (extraCaps.length > 0) allows.push(`capabilities ${extraCaps.join(', ')}`);
  if (strings(spec.allowedUnsafeSysctls).length > 0) allows.push('unsafe sysctls');
  if (strings(spec.allowedProcMountTypes).includes('Unmasked')) allows.push('Unmasked procMount');
  const seccomp = strings(annotations[SECCOMP_ALLOWED]);
  if (seccomp.includes('*') || seccomp.includes('unconfined')) allows.push('unconfined seccomp');
  if (allows.length > 0) return { level: 'privileged', reasons: allows.map((a) => `allows ${a}`) };

  const gaps: string[] = [];
  const runAsUser = isObj(spec.runAsUser) ? spec.runAsUser : {};
  const ranges = asArray(runAsUser.ranges);
  const nonRoot =
    runAsUser.rule === 'MustRunAsNonRoot' ||
    (runAsUser.rule === 'MustRunAs' && ranges.length > 0 && ranges.every((r) => isObj(r) && typeof r.min === 'number' && r.min >= 1));
  if (!nonRoot) gaps.push('does not require non-root users');
  if (!strings(spec.requiredDropCapabilities).some((c) => capName(c) === 'ALL')) gaps.push('does not drop ALL capabilities');
  if (spec.allowPrivilegeEscalation !== false) gaps.push('allows privilege escalation');
  if (!volumes.every((v) => RESTRICTED_VOLUMES.includes(v))) gaps.push('allows volume types beyond the restricted set');
  if (caps.some((c) => capName(c) !== 'NET_BIND_SERVICE')) gaps.push('allows capabilities other than NET_BIND_SERVICE');
  return gaps.length > 0 ? { level: 'baseline', reasons: gaps } : { level: 'restricted', reasons: [] };
}

const podSecurityPolicy = defineCheck({
  id: 'deprecated/pod-security-policy',
  title: 'PodSecurityPolicy (removed in v1.25)',
  severity: 'info',
  defaultOn: true,
  stride: ['E'],
  kinds: ['PodSecurityPolicy'],
  description:
    'PodSecurityPolicy was removed in Kubernetes v1.25: the object is no longer served and protects nothing. Its ' +
    'replacement is Pod Security admission, configured per namespace with `pod-security.kubernetes.io/enforce` labels. ' +
    'The finding names the Pod Security Standard the policy corresponds to: `privileged` if it allows privileged ' +
    'containers, host namespaces, host ports, hostPath, extra capabilities, unsafe sysctls or Unmasked /proc; ' +
    '`restricted` if it requires non-root users, drops ALL capabilities, forbids privilege escalation and allows only ' +
    'the restricted volume types; `baseline` otherwise.',
  remediation: 'Delete the PodSecurityPolicy and label the namespaces it covered with the corresponding pod-security.kubernetes.io/enforce level.',
  example: `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    pod-security.kubernetes.io/enforce: restricted
    pod-security.kubernetes.io/warn: restricted`,
  refs: {
    kubescape: ['C-0068'],
    links: [
      'https://kubernetes.io/docs/tasks/configure-pod-container/migrate-from-psp/',
      'https://kubernetes.io/docs/reference/access-authn-authz/psp-to-pod-security-standards/',
    ],
  },
  rationale:
    'SELinux, seccomp defaults and AppArmor fields are not used to pick the level: nearly every PSP (including the ' +
    'upstream "restricted" example) uses seLinux RunAsAny, and the suggestion is about the controls that matter most.',
  run(ctx) {
    const group = apiGroupOf(ctx.object.apiVersion);
    if (group !== 'policy' && group !== 'extensions') return;
    const spec = specOf(ctx.object);
    const annotations = annotationsOf(ctx.resource.metadata);
    const { level, reasons } = pspLevel(spec, annotations);
    const name = kindAndName(ctx);
    const why = reasons.length > 0 ? ` (${reasons.slice(0, 3).join(', ')}${reasons.length > 3 ? ', …' : ''})` : '';
    const advice = level === 'privileged'
      ? 'label only the namespaces that need it with pod-security.kubernetes.io/enforce: privileged, and the rest baseline or restricted'
      : `label the namespaces it covered with pod-security.kubernetes.io/enforce: ${level}`;
    ctx.report(['kind'], `${name} was removed in Kubernetes v1.25; it corresponds to the "${level}" Pod Security Standard${why}: ${advice}`);
  },
});

interface Removal {
  replacement: string;
  removed: string;
  /** What changes when moving to the replacement. */
  note?: string;
}

const REMOVED = new Map<string, Map<string, Removal>>();

function removedIn(apiVersions: readonly string[], kinds: readonly string[], replacement: string, removed: string, note?: string): void {
  for (const v of apiVersions) {
    let byKind = REMOVED.get(v);
    if (!byKind) REMOVED.set(v, (byKind = new Map()));
    for (const k of kinds) byKind.set(k, { replacement, removed, note });
  }
}

const INGRESS_NOTE = 'backends become service.name/service.port and pathType is required';
removedIn(['extensions/v1beta1'], ['Deployment', 'DaemonSet', 'ReplicaSet'], 'apps/v1', '1.16', 'spec.selector is required and immutable');
removedIn(['extensions/v1beta1'], ['NetworkPolicy'], 'networking.k8s.io/v1', '1.16');
removedIn(['extensions/v1beta1'], ['PodSecurityPolicy'], 'policy/v1beta1', '1.16', 'PodSecurityPolicy itself was removed in v1.25: use Pod Security admission');
removedIn(['extensions/v1beta1'], ['Ingress'], 'networking.k8s.io/v1', '1.22', INGRESS_NOTE);
removedIn(['apps/v1beta1', 'apps/v1beta2'], ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ControllerRevision'], 'apps/v1', '1.16', 'spec.selector is required and immutable');
removedIn(['batch/v1beta1'], ['CronJob'], 'batch/v1', '1.25');
removedIn(['policy/v1beta1'], ['PodDisruptionBudget'], 'policy/v1', '1.25', 'an empty spec.selector selects every pod of the namespace');
removedIn(['networking.k8s.io/v1beta1'], ['Ingress'], 'networking.k8s.io/v1', '1.22', INGRESS_NOTE);
removedIn(['networking.k8s.io/v1beta1'], ['IngressClass'], 'networking.k8s.io/v1', '1.22');
removedIn(['rbac.authorization.k8s.io/v1beta1', 'rbac.authorization.k8s.io/v1alpha1'], ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'], 'rbac.authorization.k8s.io/v1', '1.22');
removedIn(['admissionregistration.k8s.io/v1beta1'], ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'], 'admissionregistration.k8s.io/v1', '1.22', 'sideEffects and admissionReviewVersions are required');
removedIn(['apiextensions.k8s.io/v1beta1'], ['CustomResourceDefinition'], 'apiextensions.k8s.io/v1', '1.22', 'every version needs a structural schema');
removedIn(['apiregistration.k8s.io/v1beta1'], ['APIService'], 'apiregistration.k8s.io/v1', '1.22');
removedIn(['certificates.k8s.io/v1beta1'], ['CertificateSigningRequest'], 'certificates.k8s.io/v1', '1.22', 'spec.signerName is required');
removedIn(['coordination.k8s.io/v1beta1'], ['Lease'], 'coordination.k8s.io/v1', '1.22');
removedIn(['scheduling.k8s.io/v1beta1'], ['PriorityClass'], 'scheduling.k8s.io/v1', '1.22');
removedIn(['storage.k8s.io/v1beta1'], ['CSIDriver', 'CSINode', 'StorageClass', 'VolumeAttachment'], 'storage.k8s.io/v1', '1.22');
removedIn(['storage.k8s.io/v1beta1'], ['CSIStorageCapacity'], 'storage.k8s.io/v1', '1.27');
removedIn(['autoscaling/v2beta1'], ['HorizontalPodAutoscaler'], 'autoscaling/v2', '1.25');
removedIn(['autoscaling/v2beta2'], ['HorizontalPodAutoscaler'], 'autoscaling/v2', '1.26');
removedIn(['discovery.k8s.io/v1beta1'], ['EndpointSlice'], 'discovery.k8s.io/v1', '1.25');
removedIn(['events.k8s.io/v1beta1'], ['Event'], 'events.k8s.io/v1', '1.25');
removedIn(['node.k8s.io/v1beta1'], ['RuntimeClass'], 'node.k8s.io/v1', '1.25');
removedIn(['flowcontrol.apiserver.k8s.io/v1beta1'], ['FlowSchema', 'PriorityLevelConfiguration'], 'flowcontrol.apiserver.k8s.io/v1', '1.26');
removedIn(['flowcontrol.apiserver.k8s.io/v1beta2'], ['FlowSchema', 'PriorityLevelConfiguration'], 'flowcontrol.apiserver.k8s.io/v1', '1.29');
removedIn(['flowcontrol.apiserver.k8s.io/v1beta3'], ['FlowSchema', 'PriorityLevelConfiguration'], 'flowcontrol.apiserver.k8s.io/v1', '1.32');

const REMOVED_KINDS = [...new Set([...REMOVED.values()].flatMap((m) => [...m.keys()]))];

const apiVersion = defineCheck({
  id: 'deprecated/api-version',
  title: 'apiVersion removed in a recent Kubernetes release',
  severity: 'medium',
  defaultOn: true,
  stride: ['D'],
  kinds: REMOVED_KINDS,
  description:
    'Beta APIs are removed a few releases after their stable replacement ships. A manifest using a removed apiVersion ' +
    'fails to apply on an upgraded cluster — often in the middle of an incident or an upgrade — and security fields ' +
    'added to the stable API are missing from it. `policy/v1beta1` PodSecurityPolicy has no replacement and is ' +
    'reported by deprecated/pod-security-policy instead.',
  remediation: 'Move the manifest to the replacement apiVersion (kubectl convert can help) and adjust the fields that changed.',
  example: `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
spec:
  rules:
  - host: shop.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: shop
            port:
              number: 80`,
  refs: {
    trivy: ['KSV-0107'],
    kubeScore: ['stable-version'],
    kubeLinter: ['no-extensions-v1beta'],
    links: ['https://kubernetes.io/docs/reference/using-api/deprecation-guide/'],
  },
  run(ctx) {
    const v = ctx.object.apiVersion;
    if (typeof v !== 'string') return;
    const removal = REMOVED.get(v)?.get(ctx.kind);
    if (!removal) return;
    const note = removal.note ? ` (${removal.note})` : '';
    ctx.report(['apiVersion'], `${ctx.kind} uses apiVersion ${v}, removed in Kubernetes v${removal.removed}; use ${removal.replacement}${note}`);
  },
});

export const CHECKS: CheckDef[] = [podSecurityPolicy, apiVersion];
