import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding } from '../../model/index.js';
import { CHECKS } from './namespaces.js';
import { findingsOf, rows } from './testkit.js';

const scan = (id: string, text: string): Finding[] => findingsOf(text, id);

test('the topic exports its two checks', () => {
  assert.deepEqual(CHECKS.map((c) => c.id), ['namespace/no-pss-enforce', 'namespace/default-namespace']);
  assert.ok(CHECKS[1].rationale);
});

test('no-pss-enforce: missing, privileged and invalid enforce labels are medium', () => {
  const text = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: v1
kind: Namespace
metadata:
  name: tools
  labels:
    team: ops
---
apiVersion: v1
kind: Namespace
metadata:
  name: infra
  labels:
    pod-security.kubernetes.io/enforce: privileged
---
apiVersion: v1
kind: Namespace
metadata:
  name: typo
  labels:
    pod-security.kubernetes.io/enforce: Restricted
`;
  assert.deepEqual(rows(scan('namespace/no-pss-enforce', text)), [
    ['namespace/no-pss-enforce', 'metadata', 'Namespace "shop" has no pod-security.kubernetes.io/enforce label; set it to "restricted" (or "baseline")', 3, 'medium'],
    ['namespace/no-pss-enforce', 'metadata.labels', 'Namespace "tools" has no pod-security.kubernetes.io/enforce label; set it to "restricted" (or "baseline")', 10, 'medium'],
    [
      'namespace/no-pss-enforce',
      'metadata.labels["pod-security.kubernetes.io/enforce"]',
      'Namespace "infra" enforces the "privileged" Pod Security level (no restrictions); set pod-security.kubernetes.io/enforce to "restricted" (or "baseline")',
      18,
      'medium',
    ],
    [
      'namespace/no-pss-enforce',
      'metadata.labels["pod-security.kubernetes.io/enforce"]',
      'Namespace "typo" has an invalid pod-security.kubernetes.io/enforce value "Restricted" (expected privileged, baseline or restricted); set it to "restricted" (or "baseline")',
      25,
      'medium',
    ],
  ]);
});

test('no-pss-enforce: an enforce label that is not a string is shown as written, never as [object Object]', () => {
  const text = `apiVersion: v1
kind: Namespace
metadata:
  name: odd
  labels:
    pod-security.kubernetes.io/enforce: {level: restricted}
---
apiVersion: v1
kind: Namespace
metadata:
  name: numeric
  labels:
    pod-security.kubernetes.io/enforce: 1
`;
  assert.deepEqual(scan('namespace/no-pss-enforce', text).map((f) => [f.message, f.line]), [
    ['Namespace "odd" has an invalid pod-security.kubernetes.io/enforce value {"level":"restricted"} (expected privileged, baseline or restricted); set it to "restricted" (or "baseline")', 6],
    ['Namespace "numeric" has an invalid pod-security.kubernetes.io/enforce value 1 (expected privileged, baseline or restricted); set it to "restricted" (or "baseline")', 13],
  ]);
});

test('no-pss-enforce: baseline/restricted namespaces and the control-plane namespaces are fine', () => {
  assert.deepEqual(scan('namespace/no-pss-enforce', `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {pod-security.kubernetes.io/enforce: restricted, pod-security.kubernetes.io/enforce-version: latest}
---
apiVersion: v1
kind: Namespace
metadata:
  name: legacy
  labels: {pod-security.kubernetes.io/enforce: baseline}
---
apiVersion: v1
kind: Namespace
metadata: {name: kube-system}
---
apiVersion: v1
kind: Namespace
metadata: {name: kube-node-lease}
---
apiVersion: v1
kind: Namespace
metadata: {name: kube-public, labels: {pod-security.kubernetes.io/enforce: privileged}}
---
apiVersion: example.com/v1
kind: Namespace
metadata: {name: crd}
`), []);
});

test('default-namespace: an explicit "default" namespace is low; a missing one is not reported', () => {
  const text = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
spec:
  template:
    spec:
      containers: [{name: app, image: app:1}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: rb, namespace: default}
roleRef: {kind: Role, name: r}
---
apiVersion: v1
kind: Service
metadata: {name: web}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg, namespace: shop}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: default}
spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
`;
  assert.deepEqual(rows(scan('namespace/default-namespace', text)), [
    ['namespace/default-namespace', 'metadata.namespace', 'Deployment "web" is in the "default" namespace; use a dedicated namespace', 5, 'low'],
    ['namespace/default-namespace', 'metadata.namespace', 'RoleBinding "rb" is in the "default" namespace; use a dedicated namespace', 13, 'low'],
  ]);
});

test('namespace checks survive malformed objects', () => {
  const text = `apiVersion: v1
kind: Namespace
metadata: null
---
apiVersion: v1
kind: Namespace
metadata: {name: odd, labels: [a, b]}
---
apiVersion: v1
kind: Namespace
metadata: {name: num, labels: {pod-security.kubernetes.io/enforce: 5}}
---
apiVersion: v1
kind: Pod
metadata: {namespace: [default]}
spec: null
`;
  const all = CHECKS.flatMap((c) => scan(c.id, text));
  assert.deepEqual(all.map((x) => [x.check, x.path]), [
    ['namespace/no-pss-enforce', 'metadata'],
    ['namespace/no-pss-enforce', 'metadata'],
    ['namespace/no-pss-enforce', 'metadata.labels["pod-security.kubernetes.io/enforce"]'],
  ]);
});
