import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultParams, type CheckParams } from './index.js';
import { deployment, findingsOf, lineAfter, manifest, namedBrief, type NamedBrief } from './testkit.js';

const IDS = ['availability/probes-missing', 'availability/single-replica', 'availability/no-pod-disruption-budget', 'availability/pdb-blocks-disruption'];

const scan = (yaml: string, ids: string[] = IDS, params?: CheckParams): NamedBrief[] => findingsOf(yaml, ids, params).map(namedBrief);

const workload = (kind: string, name: string, ns: string | undefined, labels: string, replicas?: string, containers?: string) =>
  deployment(name, { kind, namespace: ns, labels, replicas, containers });

const pdb = (name: string, ns: string | undefined, spec: string, apiVersion = 'policy/v1') => manifest(apiVersion, 'PodDisruptionBudget', name, ns, `spec:\n${spec}`);

const PROBES = ['availability/probes-missing'];
const REPLICAS = ['availability/single-replica'];
const NO_PDB = ['availability/no-pod-disruption-budget'];
const BLOCKS = ['availability/pdb-blocks-disruption'];

test('the reliability pack is off by default', async () => {
  const { CATALOGUE } = await import('./index.js');
  for (const id of IDS) {
    const def = CATALOGUE.find((c) => c.id === id);
    assert.ok(def, id);
    assert.equal(def.defaultOn, false, id);
    assert.equal(def.severity, 'low', id);
  }
});

test('probes-missing: regular containers of Deployments, StatefulSets and DaemonSets', () => {
  const probed = '{name: ok, image: x, readinessProbe: {tcpSocket: {port: 80}}, livenessProbe: {tcpSocket: {port: 80}}}';
  const yaml = [
    workload('Deployment', 'web', 'a', '{app: web}', '3', `      initContainers: [{name: init, image: x}]
      containers:
      - ${probed}
      - name: noready
        image: x
        livenessProbe: {httpGet: {path: /, port: 80}}
      - name: weird
        image: x
        readinessProbe: "yes"
        livenessProbe: null`),
    workload('DaemonSet', 'agent', 'a', '{app: agent}', undefined, '      containers: [{name: agent, image: x}]'),
    'apiVersion: batch/v1\nkind: Job\nmetadata: {name: job}\nspec: {template: {spec: {containers: [{name: j, image: x}]}}}',
    'apiVersion: example.com/v1\nkind: Deployment\nmetadata: {name: crd}\nspec: {template: {spec: {containers: [{name: j, image: x}]}}}',
  ].join('\n---\n');
  const f = (name: string, path: string, line: number, message: string) =>
    ({ check: 'availability/probes-missing', severity: 'low', name, path, line, message });
  assert.deepEqual(scan(yaml, PROBES), [
    f('web', 'spec.template.spec.containers[1].readinessProbe', lineAfter(yaml, 'name: web', '- name: noready'), 'container "noready" has no readinessProbe'),
    f('web', 'spec.template.spec.containers[2].readinessProbe', lineAfter(yaml, 'name: web', 'readinessProbe: "yes"'), 'container "weird" has no readinessProbe'),
    f('web', 'spec.template.spec.containers[2].livenessProbe', lineAfter(yaml, 'name: web', 'livenessProbe: null'), 'container "weird" has no livenessProbe'),
    f('agent', 'spec.template.spec.containers[0].readinessProbe', lineAfter(yaml, 'name: agent', '{name: agent'), 'container "agent" has no readinessProbe'),
    f('agent', 'spec.template.spec.containers[0].livenessProbe', lineAfter(yaml, 'name: agent', '{name: agent'), 'container "agent" has no livenessProbe'),
  ]);
});

test('single-replica: replicas below minReplicas, unset = 1, 0 and invalid values skipped', () => {
  const yaml = [
    workload('Deployment', 'one', 'a', '{app: one}', '1'),
    workload('Deployment', 'unset', 'a', '{app: unset}'),
    workload('Deployment', 'nullrep', 'a', '{app: nullrep}', 'null'),
    workload('StatefulSet', 'two', 'a', '{app: two}', '2'),
    workload('Deployment', 'zero', 'a', '{app: zero}', '0'),
    workload('Deployment', 'string', 'a', '{app: string}', '"1"'),
    workload('DaemonSet', 'ds', 'a', '{app: ds}'),
  ].join('\n---\n');
  const f = (name: string, line: number, message: string) =>
    ({ check: 'availability/single-replica', severity: 'low', name, path: 'spec.replicas', line, message });
  assert.deepEqual(scan(yaml, REPLICAS), [
    f('one', lineAfter(yaml, 'name: one', 'replicas'), 'replicas is 1, fewer than minReplicas (2)'),
    f('unset', lineAfter(yaml, 'name: unset', 'spec:'), 'replicas is not set (defaults to 1), fewer than minReplicas (2)'),
    f('nullrep', lineAfter(yaml, 'name: nullrep', 'replicas'), 'replicas is not set (defaults to 1), fewer than minReplicas (2)'),
  ]);
  assert.deepEqual(scan(yaml, REPLICAS, { ...defaultParams(), minReplicas: 3 }).map((g) => [g.name, g.message]), [
    ['one', 'replicas is 1, fewer than minReplicas (3)'],
    ['unset', 'replicas is not set (defaults to 1), fewer than minReplicas (3)'],
    ['nullrep', 'replicas is not set (defaults to 1), fewer than minReplicas (3)'],
    ['two', 'replicas is 2, fewer than minReplicas (3)'],
  ]);
});

test('no-pod-disruption-budget: selectors, namespaces and policy/v1beta1', () => {
  const yaml = [
    pdb('web', 'a', '  maxUnavailable: 1\n  selector:\n    matchLabels: {app: web}'),
    pdb('expr', 'a', '  maxUnavailable: 1\n  selector:\n    matchExpressions: [{key: app, operator: In, values: [expr]}]'),
    pdb('all', 'v1', '  maxUnavailable: 1\n  selector: {}'),
    pdb('all', 'beta', '  maxUnavailable: 1\n  selector: {}', 'policy/v1beta1'),
    pdb('nosel', 'nosel', '  maxUnavailable: 1'),
    pdb('strange', 'nosel', '  maxUnavailable: 1\n  selector: "app=web"'),
    pdb('unset', undefined, '  maxUnavailable: 1\n  selector: {matchLabels: {app: web}}'),
    workload('Deployment', 'web', 'a', '{app: web}', '3'),
    workload('StatefulSet', 'expr', 'a', '{app: expr}', '2'),
    workload('Deployment', 'db', 'a', '{app: db}', '2'),
    workload('Deployment', 'single', 'a', '{app: single}'),
    workload('Deployment', 'in-v1', 'v1', '{app: x}', '2'),
    workload('Deployment', 'in-beta', 'beta', '{app: x}', '2'),
    workload('Deployment', 'in-nosel', 'nosel', '{app: web}', '2'),
    workload('Deployment', 'web-unset', undefined, '{app: web}', '2'),
    workload('Deployment', 'web-b', 'b', '{app: web}', '2'),
  ].join('\n---\n');
  const f = (name: string, message: string) =>
    ({ check: 'availability/no-pod-disruption-budget', severity: 'low', name, path: 'spec.template.metadata.labels', line: lineAfter(yaml, `name: ${name}\n`, 'labels:'), message });
  assert.deepEqual(scan(yaml, NO_PDB), [
    f('db', 'Deployment has 2 replicas but no PodDisruptionBudget in namespace "a" in the input selects its pods ({app=db})'),
    f('in-beta', 'Deployment has 2 replicas but no PodDisruptionBudget in namespace "beta" in the input selects its pods ({app=x})'),
    f('in-nosel', 'Deployment has 2 replicas but no PodDisruptionBudget in namespace "nosel" in the input selects its pods ({app=web})'),
    f('web-b', 'Deployment has 2 replicas but no PodDisruptionBudget in namespace "b" in the input selects its pods ({app=web})'),
  ]);
});

test('no-pod-disruption-budget: evaluated without any PodDisruptionBudget in the input', () => {
  const yaml = workload('Deployment', 'web', undefined, '{app: web}', '2');
  assert.deepEqual(scan(yaml, NO_PDB).map((g) => g.message), [
    'Deployment has 2 replicas but no PodDisruptionBudget among objects without metadata.namespace in the input selects its pods ({app=web})',
  ]);
});

test('pdb-blocks-disruption: zero maxUnavailable, 100% and minAvailable against the replicas it selects', () => {
  const yaml = [
    pdb('max0', 'a', '  maxUnavailable: 0\n  selector: {matchLabels: {app: web}}'),
    pdb('max0pct', 'a', '  maxUnavailable: "0%"\n  selector: {matchLabels: {app: web}}'),
    pdb('max10pct', 'a', '  maxUnavailable: "10%"\n  selector: {matchLabels: {app: web}}'),
    pdb('min100', 'a', '  minAvailable: "100%"\n  selector: {matchLabels: {app: nothing}}'),
    pdb('min2', 'a', '  minAvailable: 2\n  selector: {matchLabels: {app: web}}'),
    pdb('min1', 'a', '  minAvailable: 1\n  selector: {matchLabels: {app: web}}'),
    pdb('min80', 'a', '  minAvailable: "80%"\n  selector: {matchLabels: {app: web}}'),
    pdb('min50', 'a', '  minAvailable: "50%"\n  selector: {matchLabels: {app: web}}'),
    pdb('min3-two-workloads', 'a', '  minAvailable: 3\n  selector: {matchLabels: {tier: back}}'),
    pdb('min4-two-workloads', 'a', '  minAvailable: 4\n  selector: {matchLabels: {tier: back}}'),
    pdb('min1-daemonset', 'a', '  minAvailable: 1\n  selector: {matchLabels: {app: agent}}'),
    pdb('min5-nothing', 'a', '  minAvailable: 5\n  selector: {matchLabels: {app: gone}}'),
    pdb('min1-other-ns', 'b', '  minAvailable: 1\n  selector: {matchLabels: {app: solo}}'),
    pdb('min1-pod', 'a', '  minAvailable: 1\n  selector: {matchLabels: {app: pod}}'),
    pdb('strange', 'a', '  minAvailable: [1]\n  maxUnavailable: {a: 1}\n  selector: "app=web"'),
    pdb('min-string', 'a', '  minAvailable: "two"\n  selector: {matchLabels: {app: web}}'),
    workload('Deployment', 'web', 'a', '{app: web}', '5'),
    // The same Deployment again: counted once, with the last copy's replicas.
    workload('Deployment', 'web', 'a', '{app: web}', '2'),
    workload('Deployment', 'api', 'a', '{tier: back}', '2'),
    workload('StatefulSet', 'db', 'a', '{tier: back}', '2'),
    workload('DaemonSet', 'agent', 'a', '{app: agent}'),
    workload('Deployment', 'solo', 'a', '{app: solo}'),
    'apiVersion: v1\nkind: Pod\nmetadata: {name: pod, namespace: a, labels: {app: pod}}\nspec: {containers: [{name: c, image: x}]}',
    'apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: nojob, namespace: a}\nspec: {schedule: "* * * * *"}',
  ].join('\n---\n');
  const f = (name: string, field: string, message: string) =>
    ({ check: 'availability/pdb-blocks-disruption', severity: 'low', name, path: `spec.${field}`, line: lineAfter(yaml, `name: ${name}\n`, field), message });
  const hang = 'no pod may ever be evicted, so node drains hang';
  assert.deepEqual(scan(yaml, BLOCKS), [
    f('max0', 'maxUnavailable', `maxUnavailable is 0: ${hang}`),
    f('max0pct', 'maxUnavailable', `maxUnavailable is "0%": ${hang}`),
    f('min100', 'minAvailable', `minAvailable is "100%": ${hang}`),
    f('min2', 'minAvailable', `minAvailable 2 is not below the 2 pods of the workloads it selects (Deployment/web): ${hang}`),
    f('min80', 'minAvailable', `minAvailable "80%" (2 of 2 pods) is not below the 2 pods of the workloads it selects (Deployment/web): ${hang}`),
    f('min4-two-workloads', 'minAvailable', `minAvailable 4 is not below the 4 pods of the workloads it selects (Deployment/api, StatefulSet/db): ${hang}`),
    f('min1-pod', 'minAvailable', `minAvailable 1 is not below the 1 pod of the workloads it selects (Pod/pod): ${hang}`),
  ]);
});
