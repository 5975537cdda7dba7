import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CheckParams } from './types.js';
import { brief, findingsOf, lineOf, pod, type Brief } from './testkit.js';

/** Runs checks over every resource of a YAML text; fails on parse errors and on check warnings (crashes). */
const scan = (ids: string | string[], text: string, params: Partial<CheckParams> = {}): Brief[] => findingsOf(text, ids, params).map(brief);

const LOW_ID = 'securitycontext/root-group-or-low-id';
const MISSING = 'securitycontext/missing';
const RORFS = 'securitycontext/readonly-root-filesystem';

test('root-group-or-low-id: root groups, low IDs, container values and inherited pod values', () => {
  const text = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: prod}
spec:
  template:
    spec:
      securityContext:
        runAsUser: 1000
        runAsGroup: 0
        fsGroup: 0
        supplementalGroups: [10001, 0]
      initContainers:
      - name: init
        image: x
        securityContext: {runAsUser: 20000, runAsGroup: 20000}
      containers:
      - name: app
        image: x
        securityContext:
          runAsUser: 500
      - name: side
        image: x
`;
  const P = 'spec.template.spec';
  assert.deepEqual(scan(LOW_ID, text), [
    { check: LOW_ID, severity: 'low', path: `${P}.securityContext.fsGroup`, line: 10, message: 'pod securityContext.fsGroup is 0: volumes are group-owned by root and every container joins the root group' },
    { check: LOW_ID, severity: 'low', path: `${P}.securityContext.supplementalGroups[1]`, line: 11, message: 'pod securityContext.supplementalGroups includes 0: every container joins the root group' },
    { check: LOW_ID, severity: 'low', path: `${P}.containers[0].securityContext.runAsUser`, line: 20, message: 'container "app" securityContext.runAsUser is 500, not above 10000' },
    { check: LOW_ID, severity: 'low', path: `${P}.securityContext.runAsGroup`, line: 9, message: 'pod securityContext.runAsGroup is 0, the root group (used by container "app", container "side")' },
    { check: LOW_ID, severity: 'low', path: `${P}.securityContext.runAsUser`, line: 8, message: 'pod securityContext.runAsUser is 1000, not above 10000 (used by container "side")' },
  ]);
});

test('root-group-or-low-id: unset IDs are reported once per container, at the intended field', () => {
  const text = pod(`  containers:
  - name: app
    image: x
  - name: half
    image: x
    securityContext: {runAsUser: 20000}
`);
  assert.deepEqual(scan(LOW_ID, text), [
    {
      check: LOW_ID, severity: 'low', path: 'spec.containers[0].securityContext.runAsUser', line: lineOf(text, '- name: app'),
      message: 'container "app" sets no securityContext.runAsUser or runAsGroup and neither does the pod: the image decides (set IDs above 10000)',
    },
    {
      check: LOW_ID, severity: 'low', path: 'spec.containers[1].securityContext.runAsGroup', line: lineOf(text, 'securityContext: {runAsUser: 20000}'),
      message: 'container "half" sets no securityContext.runAsGroup and neither does the pod: the image decides (set IDs above 10000)',
    },
  ]);
});

test('root-group-or-low-id: UID 0 is left to PSS, GID 0 on a container is reported', () => {
  const text = pod(`  securityContext: {runAsUser: 10001, runAsGroup: 10001}
  containers:
  - name: app
    image: x
    securityContext: {runAsUser: 0, runAsGroup: 0}
`);
  assert.deepEqual(scan(LOW_ID, text).map((f) => [f.path, f.message]), [
    ['spec.containers[0].securityContext.runAsGroup', 'container "app" securityContext.runAsGroup is 0, the root group'],
  ]);
});

test('root-group-or-low-id: hardened pod, Windows pods, user namespaces and junk values', () => {
  const hardened = pod(`  securityContext: {runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, supplementalGroups: [10002]}
  containers:
  - name: app
    image: x
`);
  assert.deepEqual(scan(LOW_ID, hardened), []);
  const windows = pod(`  os: {name: windows}
  securityContext: {fsGroup: 0}
  containers:
  - {name: app, image: x}
`);
  assert.deepEqual(scan(LOW_ID, windows), []);
  // User namespaces: low and unset IDs map to an unprivileged host range; the root group still matters.
  const userns = pod(`  hostUsers: false
  containers:
  - name: app
    image: x
    securityContext: {runAsUser: 1000, runAsGroup: 0}
  - {name: other, image: x}
`);
  assert.deepEqual(scan(LOW_ID, userns).map((f) => f.message), ['container "app" securityContext.runAsGroup is 0, the root group']);
  // Values the API server would reject are not judged (and do not count as unset).
  const junk = pod(`  securityContext: {supplementalGroups: "0", fsGroup: "0"}
  containers:
  - name: app
    image: x
    securityContext: {runAsUser: "500", runAsGroup: 1.5}
`);
  assert.deepEqual(scan(LOW_ID, junk), []);
});

test('missing: containers without a securityContext in a pod without one', () => {
  const text = pod(`  initContainers:
  - name: init
    image: x
    securityContext: {}
  containers:
  - name: app
    image: x
  - name: fine
    image: x
    securityContext: {readOnlyRootFilesystem: true}
  ephemeralContainers:
  - name: debug
    image: x
    securityContext: null
`);
  assert.deepEqual(scan(MISSING, text), [
    { check: MISSING, severity: 'low', path: 'spec.initContainers[0].securityContext', line: lineOf(text, 'securityContext: {}'), message: 'init container "init" has an empty securityContext and the pod sets none either: it runs with every runtime default' },
    { check: MISSING, severity: 'low', path: 'spec.containers[0].securityContext', line: lineOf(text, '- name: app'), message: 'container "app" has no securityContext and the pod sets none either: it runs with every runtime default' },
    { check: MISSING, severity: 'low', path: 'spec.ephemeralContainers[0].securityContext', line: lineOf(text, 'securityContext: null'), message: 'ephemeral container "debug" has no securityContext and the pod sets none either: it runs with every runtime default' },
  ]);
});

test('missing: a pod-level securityContext covers its containers; an empty or null one does not', () => {
  assert.deepEqual(scan(MISSING, pod(`  securityContext: {runAsNonRoot: true}
  containers:
  - {name: app, image: x}
`)), []);
  assert.equal(scan(MISSING, pod(`  securityContext: {runAsUser: null}
  containers:
  - {name: app, image: x}
`)).length, 1);
  assert.deepEqual(scan(MISSING, pod(`  securityContext: "yes"
  containers:
  - {name: app, image: x, securityContext: [privileged]}
`)).map((f) => f.message), ['container "app" has an invalid securityContext and the pod sets none either: it runs with every runtime default']);
});

test('readonly-root-filesystem: unset, false, null securityContext, and set', () => {
  const text = pod(`  containers:
  - name: a
    image: x
    securityContext: null
  - name: b
    image: x
    securityContext: {readOnlyRootFilesystem: false}
  - name: c
    image: x
    securityContext: {readOnlyRootFilesystem: true}
`);
  assert.deepEqual(scan(RORFS, text).map((f) => [f.path, f.line]), [
    ['spec.containers[0].securityContext.readOnlyRootFilesystem', lineOf(text, 'securityContext: null')],
    ['spec.containers[1].securityContext.readOnlyRootFilesystem', lineOf(text, '{readOnlyRootFilesystem: false}')],
  ]);
  assert.deepEqual(scan(RORFS, pod('  initContainers: [{name: init, image: x}]\n  containers: []\n')).map((f) => f.message), [
    'init container "init" does not set securityContext.readOnlyRootFilesystem=true',
  ]);
  // The API server rejects the field on Windows pods.
  assert.deepEqual(scan(RORFS, pod('  os: {name: windows}\n  containers: [{name: app, image: x}]\n')), []);
});
