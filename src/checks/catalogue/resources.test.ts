import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CheckParams } from './types.js';
import { brief, findingsOf, lineOf, pod, type Brief } from './testkit.js';

const scan = (ids: string | string[], text: string, params: Partial<CheckParams> = {}): Brief[] => findingsOf(text, ids, params).map(brief);

const MEM = 'resources/memory-limit-missing';
const CPU = 'resources/cpu-limit-missing';
const REQ = 'resources/requests-missing';

const BARE = pod(`  initContainers:
  - name: init
    image: x
  containers:
  - name: app
    image: x
    resources: {}
  ephemeralContainers:
  - name: debug
    image: x
`);

test('memory-limit-missing: init and regular containers, never ephemeral ones', () => {
  assert.deepEqual(scan(MEM, BARE), [
    { check: MEM, severity: 'medium', path: 'spec.initContainers[0].resources.limits.memory', line: lineOf(BARE, '- name: init'), message: 'init container "init" has no memory limit (resources.limits.memory)' },
    { check: MEM, severity: 'medium', path: 'spec.containers[0].resources.limits.memory', line: lineOf(BARE, 'resources: {}'), message: 'container "app" has no memory limit (resources.limits.memory)' },
  ]);
});

test('cpu-limit-missing and requests-missing on bare containers', () => {
  assert.deepEqual(scan(CPU, BARE).map((f) => [f.severity, f.path, f.message]), [
    ['low', 'spec.initContainers[0].resources.limits.cpu', 'init container "init" has no cpu limit (resources.limits.cpu)'],
    ['low', 'spec.containers[0].resources.limits.cpu', 'container "app" has no cpu limit (resources.limits.cpu)'],
  ]);
  assert.deepEqual(scan(REQ, BARE).map((f) => [f.severity, f.path, f.line, f.message]), [
    ['low', 'spec.initContainers[0].resources.requests', lineOf(BARE, '- name: init'), 'init container "init" has no cpu or memory request (resources.requests)'],
    ['low', 'spec.containers[0].resources.requests', lineOf(BARE, 'resources: {}'), 'container "app" has no cpu or memory request (resources.requests)'],
  ]);
});

test('numbers are quantities; limits default the requests; a hardened container passes', () => {
  const text = pod(`  containers:
  - name: numbers
    image: x
    resources:
      requests: {cpu: 0.25, memory: 268435456}
      limits: {cpu: 1, memory: 536870912}
  - name: limitsonly
    image: x
    resources:
      limits: {cpu: "500m", memory: "256Mi"}
`);
  assert.deepEqual(scan([MEM, CPU, REQ], text), []);
});

test('one missing request is reported at its own field', () => {
  const text = pod(`  containers:
  - name: app
    image: x
    resources:
      requests:
        memory: 128Mi
      limits:
        memory: 128Mi
`);
  assert.deepEqual(scan(REQ, text), [
    { check: REQ, severity: 'low', path: 'spec.containers[0].resources.requests.cpu', line: lineOf(text, 'requests:'), message: 'container "app" has no cpu request (resources.requests.cpu)' },
  ]);
});

test('unparsable, negative and zero quantities are not taken as set', () => {
  const text = pod(`  containers:
  - name: app
    image: x
    resources:
      requests: {cpu: lots, memory: true}
      limits:
        cpu: -1
        memory: "0"
`);
  assert.deepEqual(scan([MEM, CPU, REQ], text), [
    { check: MEM, severity: 'medium', path: 'spec.containers[0].resources.limits.memory', line: lineOf(text, 'memory: "0"'), message: 'container "app" resources.limits.memory is 0, which sets no limit' },
    { check: CPU, severity: 'low', path: 'spec.containers[0].resources.limits.cpu', line: lineOf(text, 'cpu: -1'), message: 'container "app" resources.limits.cpu -1 is not a valid quantity' },
    { check: REQ, severity: 'low', path: 'spec.containers[0].resources.requests.cpu', line: lineOf(text, 'requests:'), message: 'container "app" resources.requests.cpu "lots" is not a valid quantity' },
    { check: REQ, severity: 'low', path: 'spec.containers[0].resources.requests.memory', line: lineOf(text, 'requests:'), message: 'container "app" resources.requests.memory true is not a valid quantity' },
  ]);
  // An unparsable memory limit is low, not medium.
  const bad = pod('  containers: [{name: app, image: x, resources: {limits: {memory: 1Gb}}}]\n');
  assert.deepEqual(scan(MEM, bad).map((f) => [f.severity, f.message]), [['low', 'container "app" resources.limits.memory "1Gb" is not a valid quantity']]);
});

test('pod-level resources cover containers that set none', () => {
  const text = pod(`  resources:
    requests: {cpu: "1", memory: 1Gi}
    limits: {cpu: "2", memory: 2Gi}
  containers:
  - {name: a, image: x}
  - {name: b, image: x}
`);
  assert.deepEqual(scan([MEM, CPU, REQ], text), []);
});

test('resources that are not objects count as missing', () => {
  const text = pod(`  containers:
  - {name: a, image: x, resources: big}
  - {name: b, image: x, resources: {limits: [1Gi], requests: null}}
`);
  assert.deepEqual(scan(MEM, text).map((f) => f.message), ['container "a" has no memory limit (resources.limits.memory)', 'container "b" has no memory limit (resources.limits.memory)']);
});
