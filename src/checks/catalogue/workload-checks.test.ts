/**
 * What every workload check of the catalogue must do: well-formed metadata, examples that pass
 * their own check, and no crash on malformed input. Per-check behaviour is in the topic tests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fixedLocator, parseYamlText, podSpecOf, Resource, type KubeObject } from '../../model/index.js';
import { BASELINE_CONTROLS, LATEST_MINOR, RESTRICTED_CONTROLS, evaluatePodSpec } from '../pss/index.js';
import { defaultParams } from './params.js';
import { findCheck } from './registry.js';
import { CatalogueRunner } from './run.js';
import type { CheckParams, CheckRefs } from './types.js';
import { scanText } from './testkit.js';

const WORKLOAD_CHECKS = [
  'securitycontext/readonly-root-filesystem',
  'securitycontext/root-group-or-low-id',
  'securitycontext/missing',
  'host/sensitive-hostpath',
  'host/host-aliases',
  'capabilities/dangerous-add',
  'capabilities/net-raw-not-dropped',
  'seccomp/deprecated-annotation',
  'seccomp/localhost-without-profile',
  'apparmor/missing',
  'apparmor/deprecated-annotation',
  'image/invalid-reference',
  'image/latest-tag',
  'image/not-pinned-by-digest',
  'image/registry-not-allowed',
  'image/pull-policy-not-always',
  'resources/memory-limit-missing',
  'resources/cpu-limit-missing',
  'resources/requests-missing',
];

/** Params under which the examples are judged: registry lists set, so that check has something to do. */
const EXAMPLE_PARAMS: CheckParams = { ...defaultParams(), allowedRegistries: ['registry.example.com'], deniedRegistries: ['docker.io'] };

function indent(text: string, by: string): string {
  return text.split('\n').map((l) => (l === '' ? l : by + l)).join('\n');
}

/** An example (pod spec fields) as a whole Pod. */
function examplePod(example: string): string {
  return `apiVersion: v1\nkind: Pod\nmetadata:\n  name: example\nspec:\n${indent(example, '  ')}\n`;
}

function runAll(object: KubeObject, params: CheckParams = EXAMPLE_PARAMS) {
  const runner = new CatalogueRunner(WORKLOAD_CHECKS, params);
  return runner.run(new Resource(object, { file: 'fuzz.yaml', doc: 0 }, fixedLocator(1)), () => []);
}

function checkRefShapes(owner: string, refs: CheckRefs): void {
  for (const id of refs.cis ?? []) assert.match(id, /^\d+(\.\d+)+$/, `${owner}: CIS ${id}`);
  for (const id of refs.trivy ?? []) assert.match(id, /^KSV-\d{4,5}$/, `${owner}: Trivy ${id}`);
  for (const id of refs.kubescape ?? []) assert.match(id, /^C-\d{4}$/, `${owner}: Kubescape ${id}`);
  for (const link of refs.links ?? []) assert.match(link, /^https:\/\//, `${owner}: link ${link}`);
  for (const list of Object.values(refs) as string[][]) assert.equal(new Set(list).size, list.length, `${owner}: duplicate refs`);
}

test('every workload check is registered with complete metadata', () => {
  for (const id of WORKLOAD_CHECKS) {
    const def = findCheck(id);
    assert.ok(def, `${id} is registered`);
    assert.equal(def.scope, 'resource');
    assert.match(def.id, /^[a-z]+\/[a-z0-9-]+$/);
    assert.ok(['critical', 'high', 'medium', 'low', 'info'].includes(def.severity), id);
    assert.ok(def.stride.length > 0 && def.stride.every((s) => 'STRIDE'.includes(s)), `${id} stride`);
    assert.ok(def.title.length > 0 && !def.title.endsWith('.'), `${id} title`);
    assert.ok(def.description.length > 80, `${id} explains the risk`);
    assert.ok(def.remediation.length > 0, `${id} remediation`);
    assert.equal(def.kinds, 'workload', id);
    checkRefShapes(id, def.refs);
  }
});

test('severities and defaults follow the catalogue table', () => {
  const expected: Record<string, [string, boolean]> = {
    'securitycontext/root-group-or-low-id': ['low', false],
    'securitycontext/missing': ['low', false],
    'host/sensitive-hostpath': ['high', true],
    'host/host-aliases': ['low', true],
    'capabilities/dangerous-add': ['critical', true],
    'capabilities/net-raw-not-dropped': ['medium', true],
    'seccomp/deprecated-annotation': ['low', true],
    'seccomp/localhost-without-profile': ['medium', true],
    'apparmor/missing': ['low', false],
    'apparmor/deprecated-annotation': ['info', true],
    'image/invalid-reference': ['low', true],
    'image/latest-tag': ['medium', true],
    'image/not-pinned-by-digest': ['low', false],
    'image/registry-not-allowed': ['high', true],
    'image/pull-policy-not-always': ['low', false],
    'resources/memory-limit-missing': ['medium', true],
    'resources/cpu-limit-missing': ['low', true],
    'resources/requests-missing': ['low', true],
  };
  for (const [id, [severity, defaultOn]] of Object.entries(expected)) {
    const def = findCheck(id)!;
    assert.deepEqual([def.severity, def.defaultOn], [severity, defaultOn], id);
  }
  // Checks that deliberately differ from §7 or the usual tools say why.
  for (const id of ['securitycontext/missing', 'apparmor/missing', 'apparmor/deprecated-annotation', 'host/sensitive-hostpath', 'image/latest-tag', 'capabilities/net-raw-not-dropped']) {
    assert.ok((findCheck(id)!.rationale ?? '').length > 40, `${id} has a rationale`);
  }
});

test('every example is valid YAML and passes its own check', () => {
  for (const id of WORKLOAD_CHECKS) {
    const def = findCheck(id)!;
    const text = examplePod(def.example);
    const { resources, errors } = parseYamlText(text, `${id}.yaml`);
    assert.deepEqual(errors, [], id);
    assert.equal(resources.length, 1, id);
    const run = new CatalogueRunner([id], EXAMPLE_PARAMS).run(resources[0], () => []);
    assert.deepEqual(run.warnings, [], id);
    assert.deepEqual(run.findings.map((f) => f.message), [], `${id}: its example is clean`);
  }
});

test('PSS controls carry equivalent ids and a corrected example that passes the control', () => {
  const controls = [...BASELINE_CONTROLS, ...RESTRICTED_CONTROLS];
  assert.equal(controls.length, 19);
  for (const control of controls) {
    const name = `pss/${control.level}/${control.id}`;
    assert.ok(control.refs, `${name} has refs`);
    checkRefShapes(name, control.refs);
    assert.ok(control.example, `${name} has an example`);
    const { resources, errors } = parseYamlText(examplePod(control.example), `${control.id}.yaml`);
    assert.deepEqual(errors, [], name);
    const pod = podSpecOf(resources[0].object);
    assert.ok(pod, name);
    const results = evaluatePodSpec(pod, { level: control.level, minor: LATEST_MINOR });
    assert.ok(!results.some((r) => r.control.id === control.id), `${name}: its example passes`);
  }
  // Every control with an equivalent elsewhere names it (only the 1.34 probe-host control has none).
  const bare = controls.filter((c) => Object.keys(c.refs ?? {}).length === 0).map((c) => c.id);
  assert.deepEqual(bare, ['hostProbesAndHostLifecycle']);
});

test('malformed manifests: each check reports what it can and none crashes', () => {
  const text = `apiVersion: v1
kind: Pod
metadata:
  name: weird
  annotations: [not, a, map]
spec:
  securityContext: null
  hostAliases: {ip: 1.2.3.4}
  volumes: "not a list"
  containers:
  - 42
  - just a string
  - null
  - name: app
    image: 42
    ports: "80"
    securityContext: null
    resources: {limits: {cpu: 2, memory: 1073741824}, requests: {cpu: 1, memory: 536870912}}
    volumeMounts: "x"
  - name: caps
    image: "registry.example.com/caps:1"
    ports: [{containerPort: "80", hostPort: "8080"}]
    securityContext:
      capabilities: {add: "SYS_ADMIN", drop: 5}
      runAsUser: "x"
      appArmorProfile: "x"
      seccompProfile: []
    resources: {limits: "x"}
  - name: 7
    image: {repository: nginx}
    securityContext: {capabilities: {add: [{x: 1}, null]}}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: no-template}
spec:
  schedule: "* * * * *"
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: null-template}
spec:
  jobTemplate: {spec: {template: {spec: null}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: junk-lists}
spec:
  template:
    metadata: "x"
    spec:
      containers: {name: app, image: nginx}
      initContainers: "x"
      volumes: [null, 5, {name: 5, hostPath: {path: 5}}, {hostPath: {path: /etc}}]
      securityContext: {supplementalGroups: "0", fsGroup: [0]}
`;
  const { findings, warnings } = scanText(text, WORKLOAD_CHECKS, EXAMPLE_PARAMS);
  assert.deepEqual(warnings, []);
  const got = findings.map((f) => `${f.resource.name} ${f.check} ${f.path}`);
  // What can be judged is judged:
  assert.ok(got.includes('weird image/invalid-reference spec.containers[3].image'));
  assert.ok(got.includes('weird capabilities/dangerous-add spec.containers[4].securityContext.capabilities.add'));
  assert.ok(got.includes('weird resources/memory-limit-missing spec.containers[4].resources.limits.memory'));
  assert.ok(got.includes('weird image/invalid-reference spec.containers[5].image'));
  assert.ok(got.includes('junk-lists host/sensitive-hostpath spec.template.spec.volumes[3].hostPath.path'));
  // Numbers are quantities: container "app" has its limits and requests.
  assert.ok(!got.some((g) => g.startsWith('weird resources/') && g.includes('containers[3]')));
  // Only the object entries of a container list are containers, and the CronJobs without a pod spec get nothing.
  assert.ok(!got.some((g) => /containers\[[012]\]/.test(g)));
  assert.ok(!got.some((g) => g.startsWith('no-template') || g.startsWith('null-template')));
  // An unnamed container is still named in messages.
  assert.ok(findings.some((f) => f.message.startsWith('unnamed container containers[5] ')));
});

test('fuzz: no check throws on any shape of pod spec', () => {
  const junk = fc.oneof(
    fc.anything({ maxDepth: 2 }),
    fc.constantFrom(null, 0, -1, 10000, '', '0', 'ALL', 'NET_RAW', 'Localhost', 'windows', '/var/run/docker.sock', '/', [], {}, [0], ['ALL'], { type: 'Localhost' }),
  );
  const sc = fc.dictionary(
    fc.constantFrom('capabilities', 'runAsUser', 'runAsGroup', 'seccompProfile', 'appArmorProfile', 'readOnlyRootFilesystem', 'fsGroup', 'supplementalGroups'),
    fc.oneof(junk, fc.dictionary(fc.constantFrom('add', 'drop', 'type', 'localhostProfile'), junk)),
  );
  const quantities = fc.dictionary(fc.constantFrom('limits', 'requests'), fc.oneof(junk, fc.dictionary(fc.constantFrom('cpu', 'memory'), junk)));
  const container = fc.oneof(
    junk,
    fc.record(
      {
        name: fc.oneof(fc.constantFrom('app', 'a', ''), junk),
        image: fc.oneof(fc.constantFrom('nginx', 'nginx:latest', 'registry.example.com/app:1', 'docker.io/x@sha256:00'), junk),
        imagePullPolicy: junk,
        securityContext: fc.oneof(junk, sc),
        resources: fc.oneof(junk, quantities),
        volumeMounts: fc.oneof(junk, fc.array(fc.oneof(junk, fc.record({ name: fc.oneof(fc.constant('v'), junk), readOnly: junk }, { requiredKeys: [] })))),
      },
      { requiredKeys: [] },
    ),
  );
  const containers = fc.oneof(junk, fc.array(container, { maxLength: 4 }));
  const volume = fc.oneof(junk, fc.record({ name: fc.oneof(fc.constant('v'), junk), hostPath: fc.oneof(junk, fc.record({ path: junk }, { requiredKeys: [] })) }, { requiredKeys: [] }));
  const spec = fc.record(
    {
      containers,
      initContainers: containers,
      ephemeralContainers: containers,
      securityContext: fc.oneof(junk, sc),
      volumes: fc.oneof(junk, fc.array(volume, { maxLength: 3 })),
      hostAliases: fc.oneof(junk, fc.array(fc.oneof(junk, fc.record({ ip: junk, hostnames: junk }, { requiredKeys: [] })))),
      os: fc.oneof(junk, fc.record({ name: junk })),
      hostUsers: junk,
      resources: fc.oneof(junk, quantities),
    },
    { requiredKeys: [] },
  );
  const annotations = fc.oneof(
    junk,
    fc.dictionary(fc.constantFrom('container.apparmor.security.beta.kubernetes.io/app', 'seccomp.security.alpha.kubernetes.io/pod', 'container.seccomp.security.alpha.kubernetes.io/x'), junk),
  );
  const params = fc.record({
    allowedRegistries: fc.oneof(fc.constant(['registry.example.com', '*.example.org']), junk),
    deniedRegistries: fc.oneof(fc.constant(['docker.io']), junk),
    sensitiveHostPaths: fc.oneof(fc.constant(defaultParams().sensitiveHostPaths), junk),
  });
  fc.assert(
    fc.property(fc.boolean(), spec, annotations, params, (deployment, podSpec, ann, p) => {
      const meta = { name: 'p', annotations: ann as Record<string, string> };
      const object: KubeObject = deployment
        ? { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', annotations: ann as Record<string, string> }, spec: { template: { metadata: meta, spec: podSpec } } }
        : { apiVersion: 'v1', kind: 'Pod', metadata: meta, spec: podSpec };
      const run = runAll(object, { ...defaultParams(), ...(p as Partial<CheckParams>) });
      assert.deepEqual(run.warnings, []);
      for (const f of run.findings) assert.ok(!f.message.includes('\n'), `one-line message: ${f.message}`);
    }),
    { numRuns: 400 },
  );
});
