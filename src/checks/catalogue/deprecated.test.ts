import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding } from '../../model/index.js';
import { CHECKS } from './deprecated.js';
import { findingsOf, rows } from './testkit.js';

const scan = (id: string, text: string): Finding[] => findingsOf(text, id);

test('the topic exports its two checks', () => {
  assert.deepEqual(CHECKS.map((c) => c.id), ['deprecated/pod-security-policy', 'deprecated/api-version']);
});

const PRIVILEGED_PSP = `apiVersion: policy/v1beta1
kind: PodSecurityPolicy
metadata:
  name: privileged
spec:
  privileged: true
  hostNetwork: true
  hostPorts: [{min: 0, max: 65535}]
  volumes: ["*"]
  allowedCapabilities: ["*"]
  runAsUser: {rule: RunAsAny}
  seLinux: {rule: RunAsAny}
  supplementalGroups: {rule: RunAsAny}
  fsGroup: {rule: RunAsAny}
`;

const RESTRICTED_PSP = `apiVersion: policy/v1beta1
kind: PodSecurityPolicy
metadata:
  name: restricted
spec:
  privileged: false
  allowPrivilegeEscalation: false
  requiredDropCapabilities: [ALL]
  volumes: [configMap, emptyDir, projected, secret, downwardAPI, csi, persistentVolumeClaim, ephemeral]
  hostNetwork: false
  hostIPC: false
  hostPID: false
  runAsUser: {rule: MustRunAsNonRoot}
  seLinux: {rule: RunAsAny}
  supplementalGroups: {rule: MustRunAs, ranges: [{min: 1, max: 65535}]}
  fsGroup: {rule: MustRunAs, ranges: [{min: 1, max: 65535}]}
  readOnlyRootFilesystem: false
`;

const BASELINE_PSP = `apiVersion: extensions/v1beta1
kind: PodSecurityPolicy
metadata:
  name: baseline
spec:
  allowedCapabilities: [CHOWN, NET_BIND_SERVICE]
  volumes: [configMap, secret, nfs]
  runAsUser: {rule: MustRunAs, ranges: [{min: 0, max: 65535}]}
  seLinux: {rule: RunAsAny}
`;

test('pod-security-policy: names the matching Pod Security level and the namespace label (info)', () => {
  assert.deepEqual(rows(scan('deprecated/pod-security-policy', PRIVILEGED_PSP)), [
    [
      'deprecated/pod-security-policy',
      'kind',
      'PodSecurityPolicy "privileged" was removed in Kubernetes v1.25; it corresponds to the "privileged" Pod Security Standard (allows privileged containers, allows hostNetwork, allows hostPorts, …): label only the namespaces that need it with pod-security.kubernetes.io/enforce: privileged, and the rest baseline or restricted',
      2,
      'info',
    ],
  ]);
  assert.deepEqual(rows(scan('deprecated/pod-security-policy', RESTRICTED_PSP)), [
    [
      'deprecated/pod-security-policy',
      'kind',
      'PodSecurityPolicy "restricted" was removed in Kubernetes v1.25; it corresponds to the "restricted" Pod Security Standard: label the namespaces it covered with pod-security.kubernetes.io/enforce: restricted',
      2,
      'info',
    ],
  ]);
  assert.deepEqual(rows(scan('deprecated/pod-security-policy', BASELINE_PSP)), [
    [
      'deprecated/pod-security-policy',
      'kind',
      'PodSecurityPolicy "baseline" was removed in Kubernetes v1.25; it corresponds to the "baseline" Pod Security Standard (does not require non-root users, does not drop ALL capabilities, allows privilege escalation, …): label the namespaces it covered with pod-security.kubernetes.io/enforce: baseline',
      2,
      'info',
    ],
  ]);
});

test('pod-security-policy: each privileged feature alone makes the policy privileged', () => {
  const features = [
    'hostPID: true',
    'hostIPC: true',
    'volumes: [hostPath]',
    'allowedCapabilities: [SYS_ADMIN]',
    'defaultAddCapabilities: [CAP_NET_RAW]',
    'allowedUnsafeSysctls: ["kernel.msg*"]',
    'allowedProcMountTypes: [Unmasked]',
  ];
  for (const f of features) {
    const text = RESTRICTED_PSP.replace('  readOnlyRootFilesystem: false\n', `  ${f}\n`).replace(/  volumes: \[configMap[^\n]*\n/, f.startsWith('volumes') ? '' : '$&');
    const [finding] = scan('deprecated/pod-security-policy', text);
    assert.match(finding.message, /corresponds to the "privileged" Pod Security Standard/, f);
  }
  const seccomp = RESTRICTED_PSP.replace('  name: restricted\n', '  name: restricted\n  annotations:\n    seccomp.security.alpha.kubernetes.io/allowedProfileNames: "runtime/default,unconfined"\n');
  assert.match(scan('deprecated/pod-security-policy', seccomp)[0].message, /"privileged" Pod Security Standard \(allows unconfined seccomp\)/);
  // NET_BIND_SERVICE is the one capability restricted allows to add.
  const bind = RESTRICTED_PSP.replace('  readOnlyRootFilesystem: false\n', '  allowedCapabilities: [NET_BIND_SERVICE]\n');
  assert.match(scan('deprecated/pod-security-policy', bind)[0].message, /"restricted" Pod Security Standard/);
});

test('pod-security-policy: malformed PSPs and other groups do not throw', () => {
  assert.deepEqual(scan('deprecated/pod-security-policy', `apiVersion: policy/v1beta1
kind: PodSecurityPolicy
metadata: null
spec: null
---
apiVersion: policy/v1beta1
kind: PodSecurityPolicy
metadata: {name: odd}
spec: {volumes: "configMap,hostPath", runAsUser: [MustRunAsNonRoot], hostPorts: {min: 1}, requiredDropCapabilities: 5}
---
apiVersion: example.com/v1
kind: PodSecurityPolicy
metadata: {name: crd}
spec: {privileged: true}
`).map((x) => x.message.match(/"(\w+)" Pod Security Standard/)?.[1]), ['baseline', 'privileged']);
});

test('api-version: names the replacement and the removal release (medium), at apiVersion', () => {
  const text = `apiVersion: extensions/v1beta1
kind: Deployment
metadata: {name: web}
---
apiVersion: networking.k8s.io/v1beta1
kind: Ingress
metadata: {name: shop}
---
apiVersion: batch/v1beta1
kind: CronJob
metadata: {name: nightly}
---
apiVersion: policy/v1beta1
kind: PodDisruptionBudget
metadata: {name: pdb}
---
apiVersion: rbac.authorization.k8s.io/v1beta1
kind: ClusterRoleBinding
metadata: {name: crb}
---
apiVersion: autoscaling/v2beta2
kind: HorizontalPodAutoscaler
metadata: {name: hpa}
---
apiVersion: flowcontrol.apiserver.k8s.io/v1beta2
kind: FlowSchema
metadata: {name: fs}
---
apiVersion: storage.k8s.io/v1beta1
kind: CSIStorageCapacity
metadata: {name: cap}
---
apiVersion: extensions/v1beta1
kind: PodSecurityPolicy
metadata: {name: old-psp}
`;
  assert.deepEqual(rows(scan('deprecated/api-version', text)), [
    ['deprecated/api-version', 'apiVersion', 'Deployment uses apiVersion extensions/v1beta1, removed in Kubernetes v1.16; use apps/v1 (spec.selector is required and immutable)', 1, 'medium'],
    ['deprecated/api-version', 'apiVersion', 'Ingress uses apiVersion networking.k8s.io/v1beta1, removed in Kubernetes v1.22; use networking.k8s.io/v1 (backends become service.name/service.port and pathType is required)', 5, 'medium'],
    ['deprecated/api-version', 'apiVersion', 'CronJob uses apiVersion batch/v1beta1, removed in Kubernetes v1.25; use batch/v1', 9, 'medium'],
    ['deprecated/api-version', 'apiVersion', 'PodDisruptionBudget uses apiVersion policy/v1beta1, removed in Kubernetes v1.25; use policy/v1 (an empty spec.selector selects every pod of the namespace)', 13, 'medium'],
    ['deprecated/api-version', 'apiVersion', 'ClusterRoleBinding uses apiVersion rbac.authorization.k8s.io/v1beta1, removed in Kubernetes v1.22; use rbac.authorization.k8s.io/v1', 17, 'medium'],
    ['deprecated/api-version', 'apiVersion', 'HorizontalPodAutoscaler uses apiVersion autoscaling/v2beta2, removed in Kubernetes v1.26; use autoscaling/v2', 21, 'medium'],
    ['deprecated/api-version', 'apiVersion', 'FlowSchema uses apiVersion flowcontrol.apiserver.k8s.io/v1beta2, removed in Kubernetes v1.29; use flowcontrol.apiserver.k8s.io/v1', 25, 'medium'],
    ['deprecated/api-version', 'apiVersion', 'CSIStorageCapacity uses apiVersion storage.k8s.io/v1beta1, removed in Kubernetes v1.27; use storage.k8s.io/v1', 29, 'medium'],
    [
      'deprecated/api-version',
      'apiVersion',
      'PodSecurityPolicy uses apiVersion extensions/v1beta1, removed in Kubernetes v1.16; use policy/v1beta1 (PodSecurityPolicy itself was removed in v1.25: use Pod Security admission)',
      33,
      'medium',
    ],
  ]);
});

test('api-version: current versions, policy/v1beta1 PodSecurityPolicy (its own check) and unknown kinds are fine', () => {
  assert.deepEqual(scan('deprecated/api-version', `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: shop}
---
apiVersion: policy/v1beta1
kind: PodSecurityPolicy
metadata: {name: psp}
---
apiVersion: admissionregistration.k8s.io/v1beta1
kind: ValidatingAdmissionPolicy
metadata: {name: vap}
---
apiVersion: extensions/v1beta1
kind: Widget
metadata: {name: w}
---
apiVersion: [extensions/v1beta1]
kind: Deployment
metadata: {name: odd}
---
kind: Deployment
metadata: {name: noversion}
`), []);
});
