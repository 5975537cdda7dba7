import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { kubesecCli, kubesecExitCode, kubesecScan, kubesecScanText, renderKubesec, type KubesecResult } from './index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const fixtures = resolve(root, 'test-fixtures', 'kubesec');

async function scan(...paths: string[]) {
  return kubesecScan(paths, { cwd: fixtures });
}

function summary(results: KubesecResult[]) {
  return results.map((r) => ({
    object: r.object,
    valid: r.valid,
    score: r.score,
    message: r.message,
    critical: (r.scoring.critical ?? []).map((e) => e.id),
    passed: (r.scoring.passed ?? []).map((e) => e.id),
    advise: (r.scoring.advise ?? []).map((e) => e.id),
  }));
}

const POD_ADVICE = [
  'ApparmorAny', 'ServiceAccountName', 'AutomountServiceAccountToken', 'HostUsers', 'SeccompAny',
  'RunAsGroup', 'RunAsNonRoot', 'RunAsUser', 'LimitsCPU', 'LimitsMemory', 'RequestsCPU', 'RequestsMemory',
  'CapDropAny', 'CapDropAll', 'ReadOnlyRootFilesystem',
];

const HARDENED_OUTPUT = `[
  {
    "object": "Deployment/storefront.shop",
    "valid": true,
    "fileName": "files/deployment-hardened.yaml",
    "message": "Passed with a score of 18 points",
    "score": 18,
    "scoring": {
      "passed": [
        {
          "id": "ApparmorAny",
          "selector": ".spec .securityContext .appArmorProfile .type | containers[] .securityContext .appArmorProfile .type | initContainers[] .securityContext .appArmorProfile .type | ephemeralContainers[] .securityContext .appArmorProfile .type",
          "reason": "Well defined AppArmor policies may provide greater protection from unknown threats. WARNING: NOT PRODUCTION READY",
          "points": 3
        },
        {
          "id": "ServiceAccountName",
          "selector": ".spec .serviceAccountName",
          "reason": "Service accounts restrict Kubernetes API access and should be configured with least privilege",
          "points": 3
        },
        {
          "id": "AutomountServiceAccountToken",
          "selector": ".spec .automountServiceAccountToken == false",
          "reason": "Disabling the automounting of Service Account Token reduces the attack surface of the API server",
          "points": 1
        },
        {
          "id": "SeccompAny",
          "selector": ".spec .securityContext .seccompProfile .type | containers[] .securityContext .seccompProfile .type | initContainers[] .securityContext .seccompProfile .type | ephemeralContainers[] .securityContext .seccompProfile .type",
          "reason": "Seccomp profiles set minimum privilege and secure against unknown threats",
          "points": 1
        },
        {
          "id": "RunAsGroup",
          "selector": ".spec, .spec.containers[] | .securityContext .runAsGroup -gt 10000",
          "reason": "Run as a high-UID group to avoid conflicts with the host's groups",
          "points": 1
        },
        {
          "id": "RunAsNonRoot",
          "selector": ".spec, .spec.containers[] | .securityContext .runAsNonRoot == true",
          "reason": "Force the running image to run as a non-root user to ensure least privilege",
          "points": 1
        },
        {
          "id": "RunAsUser",
          "selector": ".spec, .spec.containers[] | .securityContext .runAsUser -gt 10000",
          "reason": "Run as a high-UID user to avoid conflicts with the host's users",
          "points": 1
        },
        {
          "id": "LimitsCPU",
          "selector": "containers[] .resources .limits .cpu",
          "reason": "Enforcing CPU limits prevents DOS via resource exhaustion",
          "points": 1
        },
        {
          "id": "LimitsMemory",
          "selector": "containers[] .resources .limits .memory",
          "reason": "Enforcing memory limits prevents DOS via resource exhaustion",
          "points": 1
        },
        {
          "id": "RequestsCPU",
          "selector": "containers[] .resources .requests .cpu",
          "reason": "Enforcing CPU requests aids a fair balancing of resources across the cluster",
          "points": 1
        },
        {
          "id": "RequestsMemory",
          "selector": "containers[] .resources .requests .memory",
          "reason": "Enforcing memory requests aids a fair balancing of resources across the cluster",
          "points": 1
        },
        {
          "id": "CapDropAny",
          "selector": "containers[] .securityContext .capabilities .drop",
          "reason": "Reducing kernel capabilities available to a container limits its attack surface",
          "points": 1
        },
        {
          "id": "CapDropAll",
          "selector": "containers[] .securityContext .capabilities .drop | index(\\"ALL\\")",
          "reason": "Drop all capabilities and add only those required to reduce syscall attack surface",
          "points": 1
        },
        {
          "id": "ReadOnlyRootFilesystem",
          "selector": "containers[] .securityContext .readOnlyRootFilesystem == true",
          "reason": "An immutable root filesystem can prevent malicious binaries being added to PATH and increase attack cost",
          "points": 1
        }
      ],
      "advise": [
        {
          "id": "HostUsers",
          "selector": ".spec .hostUsers == false",
          "reason": "A user namespace isolates the pod's users from the host's users, so root in a container is not root on the node",
          "points": 1
        }
      ]
    }
  }
]
`;

test('a hardened Deployment: the exact text kubesec prints, exit 0', async () => {
  const out = await kubesecCli(['files/deployment-hardened.yaml'], { cwd: fixtures });
  assert.equal(out.stdout, HARDENED_OUTPUT);
  assert.equal(out.stderr, '');
  assert.equal(out.exitCode, 0);
});

test('an insecure Pod without namespace: criticals most negative first, score -58, exit 2', async () => {
  const { results, errors } = await scan('files/pod-insecure.yaml');
  assert.deepEqual(errors, []);
  assert.deepEqual(summary(results), [{
    object: 'Pod/node-debugger.default',
    valid: true,
    score: -58,
    message: 'Failed with a score of -58 points',
    critical: ['Privileged', 'HostNetwork', 'DockerSock', 'AllowPrivilegeEscalation', 'SecretsAsEnvironmentVariables'],
    passed: ['LimitsCPU', 'LimitsMemory'],
    advise: POD_ADVICE.filter((id) => id !== 'LimitsCPU' && id !== 'LimitsMemory'),
  }]);
  assert.equal(kubesecExitCode(results), 2);
  assert.equal(kubesecExitCode(results, { exitCode: 7 }), 7);
});

test('multi-document Helm output: unsupported kind, empty template, custom resource, kindless document', async () => {
  const { results, errors } = await scan('files/multi.yaml');
  assert.deepEqual(errors, []);
  assert.deepEqual(summary(results), [
    {
      object: 'Deployment/cart.shop', valid: true, score: 1, message: 'Passed with a score of 1 points',
      critical: [], passed: ['RunAsNonRoot'], advise: POD_ADVICE.filter((id) => id !== 'RunAsNonRoot'),
    },
    { object: 'Service/cart.shop', valid: true, score: 0, message: 'This resource kind is not supported by kubesec', critical: [], passed: [], advise: [] },
    {
      // "# Source: …" with nothing under it is a document: kubesec reports it, every rule as advice.
      object: 'Unknown', valid: true, score: 0, message: 'Passed with a score of 0 points', critical: [], passed: [],
      advise: [...POD_ADVICE.slice(0, 5), 'VolumeClaimAccessModeReadWriteOnce', 'VolumeClaimRequestsStorage', ...POD_ADVICE.slice(5)],
    },
    { object: 'ServiceMonitor/cart.default', valid: false, score: 0, message: 'could not find schema for ServiceMonitor', critical: [], passed: [], advise: [] },
    { object: 'Unknown', valid: false, score: 0, message: "missing 'kind' key", critical: [], passed: [], advise: [] },
  ]);
  for (const r of results) assert.equal(r.fileName, 'files/multi.yaml');
  // One passing object is not enough: any score <= 0 fails the run.
  assert.equal(kubesecExitCode(results), 2);
  const text = renderKubesec(results);
  assert.ok(text.includes('"scoring": {}'), 'empty scoring prints as {}');
  assert.ok(!text.includes('"critical": []'), 'empty lists are omitted');
});

test('JSON input is one document: a kind: List is not expanded', async () => {
  const { results, errors } = await scan('files/list.json');
  assert.deepEqual(errors, []);
  assert.deepEqual(summary(results), [
    { object: 'List/undefined.default', valid: true, score: 0, message: 'This resource kind is not supported by kubesec', critical: [], passed: [], advise: [] },
  ]);
});

test('YAML kind: List is not expanded either', () => {
  const text = 'apiVersion: v1\nkind: List\nmetadata:\n  name: bundle\nitems:\n  - apiVersion: v1\n    kind: Pod\n    metadata: {name: a}\n    spec:\n      hostPID: true\n      containers: [{name: a, image: x}]\n';
  const { results } = kubesecScanText(text, 'list.yaml');
  assert.equal(results.length, 1);
  assert.equal(results[0].object, 'List/bundle.default');
  assert.equal(results[0].message, 'This resource kind is not supported by kubesec');
});

test('only "\\n---\\n" separates documents; Job and ReplicaSet get the secrets rule only', async () => {
  const { results, errors } = await scan('files/split-quirks.yaml');
  assert.deepEqual(errors, []);
  assert.deepEqual(summary(results), [
    { object: 'Pod/first.default', valid: true, score: -9, message: 'Failed with a score of -9 points', critical: ['HostPID'], passed: [], advise: POD_ADVICE },
    // "--- # comment" is not a separator: the Pod "swallowed" is the second YAML document of
    // the first piece, and only the first document of a piece is read.
    { object: 'Job/migrate.default', valid: true, score: -5, message: 'Failed with a score of -5 points', critical: ['SecretsAsEnvironmentVariables'], passed: [], advise: [] },
    { object: 'ReplicaSet/legacy.default', valid: true, score: 0, message: 'Passed with a score of 0 points', critical: [], passed: [], advise: [] },
  ]);
});

test('CRLF files are not split (kubesec splits on "\\n---\\n" outside Windows)', async () => {
  const { results, errors } = await scan('files/crlf.yaml');
  assert.deepEqual(errors, []);
  assert.deepEqual(results.map((r) => [r.object, r.score]), [['Pod/windows-first.default', -9]]);
});

test('object names and Go JSON escaping of <, > and &', async () => {
  const out = await kubesecCli(['files/names.yaml'], { cwd: fixtures });
  assert.equal(out.exitCode, 2);
  assert.equal(out.stdout, `[
  {
    "object": "ConfigMap/undefined.default",
    "valid": true,
    "fileName": "files/names.yaml",
    "message": "This resource kind is not supported by kubesec",
    "score": 0,
    "scoring": {}
  },
  {
    "object": "ConfigMap/1.2",
    "valid": true,
    "fileName": "files/names.yaml",
    "message": "This resource kind is not supported by kubesec",
    "score": 0,
    "scoring": {}
  },
  {
    "object": "Secret/tls.",
    "valid": true,
    "fileName": "files/names.yaml",
    "message": "This resource kind is not supported by kubesec",
    "score": 0,
    "scoring": {}
  },
  {
    "object": "ConfigMap/a\\u0026b\\u003cc\\u003e.default",
    "valid": true,
    "fileName": "files/names.yaml",
    "message": "This resource kind is not supported by kubesec",
    "score": 0,
    "scoring": {}
  }
]
`);
});

test('a YAML syntax error anywhere: no report at all, exit 1', async () => {
  const { results, errors } = await scan('files/invalid-yaml.yaml');
  assert.deepEqual(results, []);
  assert.equal(errors.length, 1);
  assert.equal(errors[0].file, 'files/invalid-yaml.yaml');
  assert.match(errors[0].message, /^invalid YAML/);
  const out = await kubesecCli(['files/invalid-yaml.yaml'], { cwd: fixtures });
  assert.equal(out.stdout, '');
  assert.equal(out.exitCode, 1);
  assert.match(out.stderr, /files\/invalid-yaml\.yaml/);
});

test('empty inputs are "Invalid input"', async () => {
  const { results, errors } = await scan('files/empty.yaml');
  assert.deepEqual(results, []);
  assert.deepEqual(errors, [{ file: 'files/empty.yaml', message: 'Invalid input' }]);
  assert.deepEqual(kubesecScanText('---\n', 'x').errors, [{ file: 'x', message: 'Invalid input' }]);
  assert.deepEqual(kubesecScanText('', 'x').errors, [{ file: 'x', message: 'Invalid input' }]);
  // A trailing separator after a document is fine.
  assert.equal(kubesecScanText('apiVersion: v1\nkind: ConfigMap\n---\n', 'x').results.length, 1);
});

test('JSON edge cases: {} lacks a kind, a top-level array or scalar is one invalid document', () => {
  assert.deepEqual(kubesecScanText('{}', 'e.json').results, [
    { object: 'Unknown', valid: false, fileName: 'e.json', message: "missing 'kind' key", score: 0, scoring: {} },
  ]);
  const arr = kubesecScanText('[{"apiVersion":"v1","kind":"Pod"}]', 'a.json').results;
  assert.equal(arr.length, 1);
  assert.equal(arr[0].valid, false);
  assert.match(arr[0].message ?? '', /cannot unmarshal array/);
  const scalar = kubesecScanText('just words\n', 's.yaml').results;
  assert.equal(scalar[0].valid, false);
  assert.match(scalar[0].message ?? '', /cannot unmarshal string/);
});

test('standard input is named STDIN ("-" and "/dev/stdin")', async () => {
  for (const arg of ['-', '/dev/stdin']) {
    const stdin = Readable.from([Buffer.from('apiVersion: v1\nkind: Pod\nmetadata:\n  name: piped\nspec:\n  hostUsers: false\n  containers: [{name: a, image: x}]\n')]);
    const { results, errors } = await kubesecScan([arg], { cwd: fixtures, stdin });
    assert.deepEqual(errors, []);
    assert.deepEqual(results.map((r) => [r.object, r.fileName, r.score]), [['Pod/piped.default', 'STDIN', 1]]);
    assert.equal(kubesecExitCode(results), 0);
  }
});

test('file names as typed, absolute with --absolute-path, directories walked', async () => {
  const typed = await kubesecScan(['./files/../files/list.json'], { cwd: fixtures });
  assert.equal(typed.results[0].fileName, './files/../files/list.json');
  const abs = await kubesecScan(['files/list.json'], { cwd: fixtures, absolutePath: true });
  assert.equal(abs.results[0].fileName, resolve(fixtures, 'files/list.json'));
  const dir = await kubesecScan(['rules'], { cwd: fixtures });
  assert.deepEqual(dir.errors, []);
  assert.equal(dir.results.length, 30);
  assert.equal(dir.results[0].fileName, 'rules/allow-privilege-escalation.yaml');
});

test('missing files, no paths and unknown --rules ids are errors (exit 1)', async () => {
  const none = await kubesecCli([], { cwd: fixtures });
  assert.deepEqual([none.stdout, none.exitCode], ['', 1]);
  assert.match(none.stderr, /file path is required/);
  const missing = await scan('files/nope.yaml');
  assert.deepEqual(missing.results, []);
  assert.equal(missing.errors[0].file, 'files/nope.yaml');
  assert.equal(kubesecExitCode(missing.results, { errors: missing.errors }), 1);
  const bad = await kubesecScan(['files/list.json'], { cwd: fixtures, rules: ['Privileged', 'NoSuchRule'] });
  assert.deepEqual(bad.errors.map((e) => e.message), ['invalid rule IDs requested: NoSuchRule']);
  const only = await kubesecScan(['files/pod-insecure.yaml'], { cwd: fixtures, rules: ['Privileged', 'LimitsCPU'] });
  assert.deepEqual(summary(only.results)[0], {
    object: 'Pod/node-debugger.default', valid: true, score: -29, message: 'Failed with a score of -29 points',
    critical: ['Privileged'], passed: ['LimitsCPU'], advise: [],
  });
});

test('exit codes: 0 only when every object scores above 0', () => {
  const r = (score: number, valid = true): KubesecResult => ({ object: 'o', valid, fileName: 'f', message: 'm', score, scoring: {} });
  assert.equal(kubesecExitCode([r(1), r(5)]), 0);
  assert.equal(kubesecExitCode([r(1), r(0)]), 2, 'score 0 fails although the message says Passed');
  assert.equal(kubesecExitCode([r(3), r(-1)]), 2);
  assert.equal(kubesecExitCode([r(0, false)]), 2);
  assert.equal(kubesecExitCode([]), 1);
});

test('rendering keeps kubesec field order whatever order results were built in', () => {
  const shuffled = { scoring: { advise: [{ points: 1, reason: 'r', selector: 's', id: 'X' }] }, score: 1, message: 'Passed with a score of 1 points', fileName: 'f', valid: true, object: 'Pod/a.default' } as unknown as KubesecResult;
  assert.equal(renderKubesec([shuffled]), `[
  {
    "object": "Pod/a.default",
    "valid": true,
    "fileName": "f",
    "message": "Passed with a score of 1 points",
    "score": 1,
    "scoring": {
      "advise": [
        {
          "id": "X",
          "selector": "s",
          "reason": "r",
          "points": 1
        }
      ]
    }
  }
]
`);
});
