import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CheckParams } from './types.js';
import { brief, findingsOf, lineOf, pod as podWithMeta, type Brief } from './testkit.js';

const scan = (ids: string | string[], text: string, params: Partial<CheckParams> = {}): Brief[] => findingsOf(text, ids, params).map(brief);

const pod = (spec: string, annotations = '') => podWithMeta(spec, annotations ? `  annotations:\n${annotations}` : '');

const SECCOMP_ANN = 'seccomp/deprecated-annotation';
const LOCALHOST = 'seccomp/localhost-without-profile';
const AA_MISSING = 'apparmor/missing';
const AA_ANN = 'apparmor/deprecated-annotation';

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    seccomp.security.alpha.kubernetes.io/pod: runtime/default
    container.apparmor.security.beta.kubernetes.io/app: runtime/default
spec:
  template:
    metadata:
      annotations:
        seccomp.security.alpha.kubernetes.io/pod: runtime/default
        container.seccomp.security.alpha.kubernetes.io/app: localhost/app.json
        container.seccomp.security.alpha.kubernetes.io/ghost: unconfined
        container.apparmor.security.beta.kubernetes.io/app: localhost/k8s-app
        container.apparmor.security.beta.kubernetes.io/gohst: runtime/default
        unrelated.example.com/x: y
    spec:
      containers:
      - name: app
        image: x
`;

test('seccomp/deprecated-annotation: pod and container keys, unknown containers, annotations on the controller', () => {
  const T = 'spec.template.metadata.annotations';
  assert.deepEqual(scan(SECCOMP_ANN, DEPLOYMENT), [
    {
      check: SECCOMP_ANN, severity: 'low', path: `${T}["container.seccomp.security.alpha.kubernetes.io/app"]`, line: 13,
      message: 'annotation container.seccomp.security.alpha.kubernetes.io/app="localhost/app.json" is deprecated since v1.19: set securityContext.seccompProfile instead',
    },
    {
      check: SECCOMP_ANN, severity: 'low', path: `${T}["container.seccomp.security.alpha.kubernetes.io/ghost"]`, line: 14,
      message: 'annotation container.seccomp.security.alpha.kubernetes.io/ghost="unconfined" is deprecated since v1.19: no container "ghost" exists in the pod; set securityContext.seccompProfile',
    },
    {
      check: SECCOMP_ANN, severity: 'low', path: `${T}["seccomp.security.alpha.kubernetes.io/pod"]`, line: 12,
      message: 'annotation seccomp.security.alpha.kubernetes.io/pod="runtime/default" is deprecated since v1.19: set securityContext.seccompProfile instead',
    },
    {
      check: SECCOMP_ANN, severity: 'low', path: 'metadata.annotations["seccomp.security.alpha.kubernetes.io/pod"]', line: 6,
      message: 'annotation seccomp.security.alpha.kubernetes.io/pod="runtime/default" is deprecated since v1.19: it is on the workload, not the pod template, so it has no effect; set securityContext.seccompProfile',
    },
  ]);
});

test('apparmor/deprecated-annotation: info for the deprecated form, low when it has no effect', () => {
  const T = 'spec.template.metadata.annotations';
  assert.deepEqual(scan(AA_ANN, DEPLOYMENT), [
    {
      check: AA_ANN, severity: 'info', path: `${T}["container.apparmor.security.beta.kubernetes.io/app"]`, line: 15,
      message: 'annotation container.apparmor.security.beta.kubernetes.io/app="localhost/k8s-app" is deprecated: set securityContext.appArmorProfile (GA since v1.30)',
    },
    {
      check: AA_ANN, severity: 'low', path: `${T}["container.apparmor.security.beta.kubernetes.io/gohst"]`, line: 16,
      message: 'annotation container.apparmor.security.beta.kubernetes.io/gohst="runtime/default" names no container of the pod, so it has no effect: set securityContext.appArmorProfile',
    },
    {
      check: AA_ANN, severity: 'low', path: 'metadata.annotations["container.apparmor.security.beta.kubernetes.io/app"]', line: 7,
      message: 'annotation container.apparmor.security.beta.kubernetes.io/app="runtime/default" is on the workload, not the pod template, so it has no effect: set securityContext.appArmorProfile',
    },
  ]);
});

test('annotation checks: a Pod\'s own metadata is its pod metadata; no or odd annotations are fine', () => {
  const text = pod('  containers: [{name: app, image: x}]\n', '    container.apparmor.security.beta.kubernetes.io/app: runtime/default\n    seccomp.security.alpha.kubernetes.io/pod: 7\n');
  assert.deepEqual(scan([AA_ANN, SECCOMP_ANN], text).map((f) => [f.check, f.severity, f.path, f.line]), [
    [SECCOMP_ANN, 'low', 'metadata.annotations["seccomp.security.alpha.kubernetes.io/pod"]', 7],
    [AA_ANN, 'info', 'metadata.annotations["container.apparmor.security.beta.kubernetes.io/app"]', 6],
  ]);
  assert.deepEqual(scan([AA_ANN, SECCOMP_ANN], pod('  containers: [{name: app, image: x}]\n')), []);
  assert.deepEqual(scan([AA_ANN, SECCOMP_ANN], `apiVersion: v1\nkind: Pod\nmetadata: {name: p, annotations: [a, b]}\nspec: {containers: [{name: app, image: x}]}\n`), []);
});

test('seccomp/localhost-without-profile: pod and containers, unset and empty', () => {
  const text = pod(`  securityContext:
    seccompProfile: {type: Localhost}
  containers:
  - name: app
    image: x
    securityContext:
      seccompProfile:
        type: Localhost
        localhostProfile: ""
  - name: good
    image: x
    securityContext: {seccompProfile: {type: Localhost, localhostProfile: profiles/app.json}}
  - name: default
    image: x
    securityContext: {seccompProfile: {type: RuntimeDefault}}
`);
  assert.deepEqual(scan(LOCALHOST, text), [
    {
      check: LOCALHOST, severity: 'medium', path: 'spec.securityContext.seccompProfile.localhostProfile', line: lineOf(text, '{type: Localhost}'),
      message: 'pod securityContext.seccompProfile.type is Localhost but localhostProfile is not set',
    },
    {
      check: LOCALHOST, severity: 'medium', path: 'spec.containers[0].securityContext.seccompProfile.localhostProfile', line: lineOf(text, 'localhostProfile: ""'),
      message: 'container "app" securityContext.seccompProfile.type is Localhost but localhostProfile is empty',
    },
  ]);
  assert.deepEqual(scan(LOCALHOST, pod('  securityContext: {seccompProfile: Localhost}\n  containers: [{name: app, image: x, securityContext: {seccompProfile: null}}]\n')), []);
});

test('apparmor/missing: per container unless the pod, the container or an annotation sets a profile', () => {
  const text = pod(`  containers:
  - name: app
    image: x
  - name: annotated
    image: x
  - name: own
    image: x
    securityContext: {appArmorProfile: {type: Localhost, localhostProfile: k8s-app}}
  - name: emptyfield
    image: x
    securityContext: {appArmorProfile: {}}
`, '    container.apparmor.security.beta.kubernetes.io/annotated: runtime/default\n    container.apparmor.security.beta.kubernetes.io/emptyfield: ""\n');
  assert.deepEqual(scan(AA_MISSING, text), [
    {
      check: AA_MISSING, severity: 'low', path: 'spec.containers[0].securityContext.appArmorProfile', line: lineOf(text, '- name: app'),
      message: 'container "app" has no AppArmor profile: neither it nor the pod sets securityContext.appArmorProfile',
    },
    {
      check: AA_MISSING, severity: 'low', path: 'spec.containers[3].securityContext.appArmorProfile', line: lineOf(text, 'appArmorProfile: {}'),
      message: 'container "emptyfield" has no AppArmor profile: neither it nor the pod sets securityContext.appArmorProfile',
    },
  ]);
  assert.deepEqual(scan(AA_MISSING, pod('  securityContext: {appArmorProfile: {type: RuntimeDefault}}\n  containers: [{name: app, image: x}]\n')), []);
  assert.deepEqual(scan(AA_MISSING, pod('  os: {name: windows}\n  containers: [{name: app, image: x}]\n')), []);
});
