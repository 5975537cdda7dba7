import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseYamlText } from './parse.js';
import { annotationsOf, containerLabel, containersOf, effectiveSecurityField, formatPath, isWindowsPod, isWorkload, podSpecOf } from './index.js';

const POD_SPEC = `
      securityContext: {runAsNonRoot: true, runAsUser: 1000}
      initContainers: [{name: init, image: busybox}]
      containers:
      - name: app
        image: nginx
        securityContext: {runAsUser: 2000}
      ephemeralContainers: [{name: debug, image: busybox}]`;

const KINDS: Array<[string, string, string, string]> = [
  ['v1', 'Pod', '', 'spec'],
  ['v1', 'PodTemplate', 'template:\n  spec:', 'template.spec'],
  ['v1', 'ReplicationController', 'spec:\n  template:\n    spec:', 'spec.template.spec'],
  ['apps/v1', 'ReplicaSet', 'spec:\n  template:\n    spec:', 'spec.template.spec'],
  ['apps/v1', 'Deployment', 'spec:\n  template:\n    spec:', 'spec.template.spec'],
  ['apps/v1', 'StatefulSet', 'spec:\n  template:\n    spec:', 'spec.template.spec'],
  ['apps/v1', 'DaemonSet', 'spec:\n  template:\n    spec:', 'spec.template.spec'],
  ['batch/v1', 'Job', 'spec:\n  template:\n    spec:', 'spec.template.spec'],
  ['batch/v1', 'CronJob', 'spec:\n  jobTemplate:\n    spec:\n      template:\n        spec:', 'spec.jobTemplate.spec.template.spec'],
];

function reindent(block: string, prefix: string): string {
  // The pod spec body is written for 6 spaces; shift it under the kind's own prefix.
  const depth = prefix === '' ? 2 : prefix.split('\n').length * 2;
  return block.split('\n').map((l) => (l.trim() === '' ? l : ' '.repeat(depth) + l.slice(6))).join('\n');
}

for (const [apiVersion, kind, prefix, specPath] of KINDS) {
  test(`pod spec of ${kind}: init, regular and ephemeral containers with their paths`, () => {
    const head = prefix === '' ? 'spec:' : prefix;
    const text = `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: {name: x}\n${head}${reindent(POD_SPEC, prefix)}\n`;
    const { resources, errors } = parseYamlText(text, 'w.yaml');
    assert.deepEqual(errors, []);
    const pod = podSpecOf(resources[0].object);
    assert.ok(pod, `${kind} has a pod spec`);
    assert.equal(formatPath(pod.specPath), specPath);
    const cs = [...containersOf(pod)];
    assert.deepEqual(cs.map((c) => [c.name, formatPath(c.path)]), [
      ['init', `${specPath}.initContainers[0]`],
      ['app', `${specPath}.containers[0]`],
      ['debug', `${specPath}.ephemeralContainers[0]`],
    ]);
    // Inherited fields: the container's own value wins, else the pod's.
    assert.equal(effectiveSecurityField(pod, cs[1], 'runAsUser').value, 2000);
    assert.equal(effectiveSecurityField(pod, cs[0], 'runAsUser').value, 1000);
    assert.equal(effectiveSecurityField(pod, cs[0], 'runAsNonRoot').from, 'pod');
    // Not inherited: privileged is never taken from the pod.
    assert.equal(effectiveSecurityField(pod, cs[0], 'privileged').from, 'unset');
  });
}

test('unknown kinds and CRDs that reuse a built-in kind name are not workloads', () => {
  const { resources } = parseYamlText(`apiVersion: example.com/v1
kind: Deployment
metadata: {name: crd}
spec: {template: {spec: {containers: [{name: a, image: b}]}}}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
`, 'crd.yaml');
  assert.equal(resources.length, 2);
  assert.equal(isWorkload(resources[0].object), false);
  assert.equal(podSpecOf(resources[1].object), undefined);
});

test('kind names that are properties of every object are not workloads', () => {
  for (const kind of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
    const obj = { apiVersion: 'v1', kind, metadata: { name: 'x' }, spec: { containers: [{ name: 'a', image: 'b' }] } };
    assert.equal(isWorkload(obj), false, kind);
    assert.equal(podSpecOf(obj), undefined, kind);
  }
});

test('formatPath quotes keys that are not identifiers', () => {
  assert.equal(formatPath(['metadata', 'annotations', 'container.apparmor.security.beta.kubernetes.io/app']),
    'metadata.annotations["container.apparmor.security.beta.kubernetes.io/app"]');
});

test('containerLabel names the container and its list, or its position when unnamed', () => {
  const text = `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  initContainers: [{name: setup}]
  containers: [{name: app}, {image: x}]
  ephemeralContainers: [{name: "de\\"bug"}]
`;
  const pod = podSpecOf(parseYamlText(text, 'p.yaml').resources[0].object)!;
  assert.deepEqual([...containersOf(pod)].map(containerLabel), [
    'init container "setup"',
    'container "app"',
    'unnamed container containers[1]',
    'ephemeral container "de\\"bug"',
  ]);
});

test('isWindowsPod and annotationsOf', () => {
  const pod = (spec: Record<string, unknown>) => ({ spec, specPath: ['spec'], meta: {}, metaPath: ['metadata'] });
  assert.equal(isWindowsPod(pod({ os: { name: 'windows' } })), true);
  assert.equal(isWindowsPod(pod({ os: { name: 'linux' } })), false);
  assert.equal(isWindowsPod(pod({ os: 'windows' })), false);
  assert.equal(isWindowsPod(undefined), false);
  assert.deepEqual(annotationsOf({ annotations: { a: 'b' } }), { a: 'b' });
  assert.deepEqual(annotationsOf({ annotations: ['a'] }), {});
  assert.deepEqual(annotationsOf(null), {});
});
