import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goFloat, goValue } from './golike.js';
import { compareRuleRefs, kubesecObjectName, kubesecScore, NOT_SUPPORTED } from './score.js';
import { hasSchema, schemaKey, schemaMessage } from './schema.js';
import { KUBESEC_RULES_BY_ID } from './rules.js';

function pod(spec: Record<string, unknown>, metadata: Record<string, unknown> = { name: 'p' }): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec };
}

function deployment(podSpec: Record<string, unknown>): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd' },
    spec: { selector: { matchLabels: { a: 'b' } }, template: { spec: podSpec } },
  };
}

const app = { name: 'app', image: 'nginx' };

function ids(list: Array<{ id: string }> | undefined): string[] {
  return (list ?? []).map((e) => e.id);
}

function matches(id: string, object: unknown): number {
  return KUBESEC_RULES_BY_ID.get(id)!.predicate(object);
}

test("Go's %v text of JSON values", () => {
  assert.equal(goValue(null), '<nil>');
  assert.equal(goValue(undefined), '<nil>');
  assert.equal(goValue('x'), 'x');
  assert.equal(goValue(true), 'true');
  assert.equal(goValue(['SYS_ADMIN', 'CHOWN']), '[SYS_ADMIN CHOWN]');
  assert.equal(goValue([null]), '[<nil>]');
  assert.equal(goValue([{ path: '/proc' }, { path: '/var/log' }]), '[map[path:/proc] map[path:/var/log]]');
  assert.equal(goValue({ b: 1, a: [2] }), 'map[a:[2] b:1]');
  assert.equal(goFloat(10001), '10001');
  assert.equal(goFloat(100000), '100000');
  assert.equal(goFloat(1e6), '1e+06');
  assert.equal(goFloat(1234567), '1.234567e+06');
  assert.equal(goFloat(0.5), '0.5');
  assert.equal(goFloat(0.0001), '0.0001');
  assert.equal(goFloat(0.00001), '1e-05');
  assert.equal(goFloat(-2.25), '-2.25');
  assert.equal(goFloat(0), '0');
});

test('object names: <kind>/<name>.<namespace> with undefined / default / Unknown', () => {
  assert.equal(kubesecObjectName(pod({}, { name: 'web', namespace: 'prod' })), 'Pod/web.prod');
  assert.equal(kubesecObjectName(pod({}, { name: 'web' })), 'Pod/web.default');
  assert.equal(kubesecObjectName(pod({}, {})), 'Pod/undefined.default');
  assert.equal(kubesecObjectName(pod({}, { generateName: 'web-' })), 'Pod/undefined.default');
  assert.equal(kubesecObjectName(pod({}, { name: 'web', namespace: '' })), 'Pod/web.');
  assert.equal(kubesecObjectName({ kind: 'ConfigMap', metadata: { name: 1, namespace: 2.5 } }), 'ConfigMap/1.2.5');
  assert.equal(kubesecObjectName({ kind: 'ConfigMap', metadata: { name: null } }), 'ConfigMap/undefined.default');
  assert.equal(kubesecObjectName({ metadata: { name: 'x' } }), 'Unknown');
  assert.equal(kubesecObjectName({ kind: null }), 'Unknown');
  assert.equal(kubesecObjectName(null), 'Unknown');
  assert.equal(kubesecObjectName(['a']), 'Unknown');
});

test('schema step: missing kind / apiVersion, non-objects, unknown schemas, Lists', () => {
  assert.equal(schemaMessage(null), '');
  assert.equal(schemaMessage({ apiVersion: 'v1' }), "missing 'kind' key");
  assert.equal(schemaMessage({ apiVersion: 'v1', kind: 7 }), "missing 'kind' key");
  assert.equal(schemaMessage({ kind: 'Pod' }), "missing 'apiVersion' key");
  assert.equal(schemaMessage('text'), 'error unmarshalling resource: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go value of type map[string]interface {}');
  assert.equal(schemaMessage([]), 'error unmarshalling resource: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type map[string]interface {}');
  assert.equal(schemaMessage({ apiVersion: 'extensions/v1beta1', kind: 'Deployment' }), 'could not find schema for Deployment');
  assert.equal(schemaMessage({ apiVersion: 'policy/v1beta1', kind: 'PodSecurityPolicy' }), 'could not find schema for PodSecurityPolicy');
  assert.equal(schemaMessage({ apiVersion: 'cert-manager.io/v1', kind: 'Certificate' }), 'could not find schema for Certificate');
  assert.equal(schemaMessage({ apiVersion: 'apps/v1', kind: 'Deployment' }), '');
  assert.equal(schemaMessage({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' }), '');
  assert.equal(schemaMessage({ apiVersion: 'v1', kind: 'PodList', items: [] }), '');
  // kubeconform matches the group by its first label only, and kinds case-insensitively.
  assert.equal(schemaKey('Deployment', 'apps/v1'), 'deployment-apps-v1');
  assert.equal(schemaKey('Role', 'rbac.authorization.k8s.io/v1'), 'role-rbac-v1');
  assert.equal(schemaKey('Pod', 'v1'), 'pod-v1');
  assert.ok(hasSchema('Deployment', 'apps.example.com/v1'));
  // A List's items are checked; the List itself has no schema lookup. Errors run together.
  assert.equal(schemaMessage({ apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'Pod' }] }), '');
  assert.equal(
    schemaMessage({ apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'a.io/v1', kind: 'A' }, { kind: 'B' }] }),
    "could not find schema for Amissing 'apiVersion' key",
  );
});

test('an invalid document: valid false, score 0, empty scoring, the schema error as message', () => {
  assert.deepEqual(kubesecScore({ apiVersion: 'extensions/v1beta1', kind: 'DaemonSet', metadata: { name: 'old', namespace: 'kube-system' } }, 'f.yaml'), {
    object: 'DaemonSet/old.kube-system',
    valid: false,
    fileName: 'f.yaml',
    message: 'could not find schema for DaemonSet',
    score: 0,
    scoring: {},
  });
});

test('unsupported kinds: valid, score 0, not supported, empty scoring', () => {
  assert.deepEqual(kubesecScore({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' } }, 'cm.yaml'), {
    object: 'ConfigMap/cm.default',
    valid: true,
    fileName: 'cm.yaml',
    message: NOT_SUPPORTED,
    score: 0,
    scoring: {},
  });
});

test('a kind with only negative rules that do not match: applied, so "Passed with a score of 0 points"', () => {
  const r = kubesecScore({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, spec: { template: { spec: { containers: [app] } } } }, 'j.yaml');
  assert.equal(r.message, 'Passed with a score of 0 points');
  assert.deepEqual(r.scoring, {});
  const rb = kubesecScore({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'rb', namespace: 'ns' }, subjects: [{ kind: 'User', name: 'alice' }] }, 'rb.yaml');
  assert.equal(rb.object, 'RoleBinding/rb.ns');
  assert.equal(rb.message, 'Passed with a score of 0 points');
});

test('an empty document: every rule reported, all positive ones as advice', () => {
  const r = kubesecScore(null, 'empty.yaml');
  assert.equal(r.object, 'Unknown');
  assert.equal(r.valid, true);
  assert.equal(r.message, 'Passed with a score of 0 points');
  assert.equal(r.score, 0);
  assert.equal(r.scoring.critical, undefined);
  assert.equal(r.scoring.passed, undefined);
  assert.equal(r.scoring.advise?.length, 17);
  assert.deepEqual(ids(r.scoring.advise).slice(0, 2), ['ApparmorAny', 'ServiceAccountName']);
});

test('points count once per object, not per container', () => {
  const r = kubesecScore(deployment({
    initContainers: [{ ...app, securityContext: { privileged: true } }],
    containers: [1, 2, 3].map((i) => ({ name: `c${i}`, image: 'x', securityContext: { privileged: true, readOnlyRootFilesystem: true } })),
  }), 'd.yaml');
  assert.equal(r.score, -29);
  assert.deepEqual(ids(r.scoring.critical), ['Privileged']);
  assert.deepEqual(ids(r.scoring.passed), ['ReadOnlyRootFilesystem']);
  assert.equal(r.message, 'Failed with a score of -29 points');
});

test('ordering: critical most negative first, passed/advise biggest first, ties by selector', () => {
  const r = kubesecScore(pod({
    hostNetwork: true,
    hostPID: true,
    hostAliases: [{ ip: '1.2.3.4', hostnames: ['a'] }],
    serviceAccountName: 'sa',
    containers: [{ ...app, securityContext: { privileged: true, allowPrivilegeEscalation: true, capabilities: { add: ['SYS_ADMIN'], drop: ['ALL'] } }, resources: { limits: { cpu: '1' } } }],
  }), 'p.yaml');
  assert.deepEqual(ids(r.scoring.critical), ['CapSysAdmin', 'Privileged', 'HostNetwork', 'HostPID', 'AllowPrivilegeEscalation', 'HostAliases']);
  assert.deepEqual(ids(r.scoring.passed), ['ServiceAccountName', 'LimitsCPU', 'CapDropAny', 'CapDropAll']);
  assert.equal(r.score, -30 - 30 - 9 - 9 - 7 - 3 + 3 + 1 + 1 + 1);
  assert.ok(compareRuleRefs({ id: 'a', selector: 'b', reason: '', points: 1 }, { id: 'b', selector: 'a', reason: '', points: 3 }) > 0);
  assert.ok(compareRuleRefs({ id: 'a', selector: 'b', reason: '', points: -1 }, { id: 'b', selector: 'a', reason: '', points: -9 }) > 0);
  assert.ok(compareRuleRefs({ id: 'a', selector: 'a', reason: '', points: 1 }, { id: 'b', selector: 'b', reason: '', points: 1 }) < 0);
});

test('pod-level security context: inherited only by containers that leave the field unset', () => {
  const spec = (containerSc: Record<string, unknown> | undefined) =>
    pod({ securityContext: { runAsNonRoot: true, runAsUser: 20000 }, containers: [containerSc ? { ...app, securityContext: containerSc } : app] });
  assert.equal(matches('RunAsNonRoot', spec(undefined)), 1);
  assert.equal(matches('RunAsNonRoot', spec({ runAsNonRoot: false })), 0);
  assert.equal(matches('RunAsUser', spec({ runAsUser: 5 })), 0);
  assert.equal(matches('RunAsUser', spec({ runAsUser: '20000' })), 1, 'a string is not a number: unset, so inherited');
  assert.equal(matches('RunAsUser', pod({ containers: [{ ...app, securityContext: { runAsUser: 10000 } }] })), 0, '> 10000, not >=');
  // No containers: nothing inherits, the rule is not met.
  assert.equal(matches('RunAsNonRoot', pod({ securityContext: { runAsNonRoot: true } })), 0);
  // readOnlyRootFilesystem and privileged have no pod-level field.
  assert.equal(matches('ReadOnlyRootFilesystem', pod({ securityContext: { readOnlyRootFilesystem: true }, containers: [app] })), 0);
});

test('capabilities: substring tests on the printed lists', () => {
  const caps = (c: Record<string, unknown>) => pod({ containers: [{ ...app, securityContext: { capabilities: c } }] });
  assert.equal(matches('CapSysAdmin', caps({ add: ['CAP_SYS_ADMIN'] })), 1);
  assert.equal(matches('CapSysAdmin', caps({ add: ['CHOWN'] })), 0);
  assert.equal(matches('CapSysAdmin', caps({ add: 'SYS_ADMIN' })), 1);
  assert.equal(matches('CapDropAll', caps({ drop: ['all'] })), 1);
  assert.equal(matches('CapDropAll', caps({ drop: ['SYS_CALL_ALLOWLIST'] })), 1, 'any "ALL" substring');
  assert.equal(matches('CapDropAny', caps({ drop: [] })), 0);
  assert.equal(matches('CapDropAny', caps({ drop: [null] })), 0);
  assert.equal(matches('CapDropAny', caps({ drop: 'NET_RAW' })), 0, 'not a list');
});

test('host paths, resources, service account, aliases, volume claims', () => {
  const vols = (path: string) => pod({ containers: [app], volumes: [{ name: 'v', hostPath: { path } }, { name: 'e', emptyDir: {} }] });
  assert.equal(matches('DockerSock', vols('/var/run/docker.sock')), 1);
  assert.equal(matches('DockerSock', vols('/run/containerd/containerd.sock')), 0);
  assert.equal(matches('ProcMount', vols('/proc')), 1);
  assert.equal(matches('ProcMount', vols('/var/lib/kubelet')), 0);
  assert.equal(matches('ProcMount', vols('/var/lib/processes')), 1, 'substring: "/processes" holds "/proc"');
  assert.equal(matches('ProcMount', vols('/data/proc')), 1);
  // Resource keys count when present, whatever the value; init containers do not count.
  assert.equal(matches('LimitsMemory', pod({ containers: [{ ...app, resources: { limits: { memory: null } } }] })), 1);
  assert.equal(matches('LimitsMemory', pod({ initContainers: [{ ...app, resources: { limits: { memory: '1Gi' } } }], containers: [app] })), 0);
  assert.equal(matches('ServiceAccountName', pod({ serviceAccountName: '', containers: [app] })), 1);
  assert.equal(matches('ServiceAccountName', pod({ serviceAccountName: null, containers: [app] })), 0);
  assert.equal(matches('ServiceAccountName', pod({ serviceAccount: 'legacy', containers: [app] })), 0);
  assert.equal(matches('HostAliases', pod({ hostAliases: [], containers: [app] })), 1);
  const sts = (templates: unknown) => ({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 's' }, spec: { template: { spec: { containers: [app] } }, volumeClaimTemplates: templates } });
  assert.equal(matches('VolumeClaimAccessModeReadWriteOnce', sts(undefined)), 1);
  assert.equal(matches('VolumeClaimAccessModeReadWriteOnce', sts([{ spec: { accessModes: ['ReadWriteOnce', 'ReadOnlyMany'] } }])), 0, 'must be exactly [ReadWriteOnce]');
  assert.equal(matches('VolumeClaimAccessModeReadWriteOnce', sts([{ spec: { accessModes: ['ReadWriteMany'] } }, { spec: { accessModes: ['ReadWriteOnce'] } }])), 1);
  assert.equal(matches('VolumeClaimRequestsStorage', sts([{ spec: { accessModes: ['ReadWriteOnce'] } }])), 0);
});

test('pod spec location by kind: CronJob under jobTemplate, Job and ReplicaSet under template', () => {
  const env = [{ name: 'P', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }];
  const cron = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c' }, spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: { containers: [{ ...app, env }] } } } } } };
  assert.equal(matches('SecretsAsEnvironmentVariables', cron), 1);
  const rs = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'r' }, spec: { template: { spec: { ephemeralContainers: [{ ...app, envFrom: [{ secretRef: { name: 's' } }] }] } } } };
  assert.equal(matches('SecretsAsEnvironmentVariables', rs), 1);
  const configOnly = pod({ containers: [{ ...app, env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'c', key: 'k' } } }], envFrom: [{ configMapRef: { name: 'c' } }] }] });
  assert.equal(matches('SecretsAsEnvironmentVariables', configOnly), 0);
  assert.deepEqual(ids(kubesecScore(rs, 'rs.yaml').scoring.critical), ['SecretsAsEnvironmentVariables']);
});

test('bindings to system:anonymous, by substring of the subject names', () => {
  const binding = (name: string) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'b' }, roleRef: { kind: 'Role', name: 'r', apiGroup: 'rbac.authorization.k8s.io' }, subjects: [{ kind: 'Group', name }] });
  assert.equal(matches('BindingsToSystemAnonymous', binding('system:anonymous')), 1);
  assert.equal(matches('BindingsToSystemAnonymous', binding('system:unauthenticated')), 0);
  assert.equal(kubesecScore(binding('system:anonymous'), 'b.yaml').score, -30);
});

test('rule subsets (kubesec --rules) score only those rules', () => {
  const subset = [KUBESEC_RULES_BY_ID.get('Privileged')!, KUBESEC_RULES_BY_ID.get('ReadOnlyRootFilesystem')!];
  const r = kubesecScore(pod({ containers: [{ ...app, securityContext: { privileged: true } }] }), 'p.yaml', subset);
  assert.equal(r.score, -30);
  assert.deepEqual(ids(r.scoring.critical), ['Privileged']);
  assert.deepEqual(ids(r.scoring.advise), ['ReadOnlyRootFilesystem']);
});
