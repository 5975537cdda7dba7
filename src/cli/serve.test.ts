/** `palisade serve` as a user runs it: a process over HTTPS, its config, its flags, its shutdown. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { admissionReview, deployment, privilegedPod } from '../admission/testkit.js';
import { postJson } from '../server/https-post.js';
import { spawnServe } from '../server/spawn-serve.js';
import { writeTestCertificate } from '../server/test-tls.js';

const bin = fileURLToPath(new URL('../../bin/palisade.js', import.meta.url));

function run(args: string[], cwd?: string) {
  return spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 20_000, ...(cwd ? { cwd } : {}) });
}

test('palisade serve: HTTPS with the config of the working directory, namespace files and VAP files; SIGTERM exits cleanly', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-serve-'));
  try {
    const tls = await writeTestCertificate(dir);
    writeFileSync(join(dir, '.palisade.yaml'), 'admission:\n  namespaces:\n    - names: [prod]\n      enforce: restricted\n');
    writeFileSync(join(dir, 'ns.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: labelled\n  labels:\n    pod-security.kubernetes.io/enforce: restricted\n');
    writeFileSync(join(dir, 'vap.yaml'), [
      'apiVersion: admissionregistration.k8s.io/v1', 'kind: ValidatingAdmissionPolicy', 'metadata: {name: no-big}',
      'spec:', '  matchConstraints:', '    resourceRules:', '    - {apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments]}',
      '  validations:', '  - expression: "object.spec.replicas <= 5"', '    message: too many replicas',
      '---', 'apiVersion: admissionregistration.k8s.io/v1', 'kind: ValidatingAdmissionPolicyBinding', 'metadata: {name: no-big-binding}',
      'spec: {policyName: no-big, validationActions: [Deny]}', '',
    ].join('\n'));
    const server = await spawnServe(['serve', '--tls-cert', tls.certFile, '--tls-key', tls.keyFile, '--namespaces', 'ns.yaml', '--vap', 'vap.yaml'], { cwd: dir });
    try {
      const post = async (body: unknown) => JSON.parse((await postJson(`${server.url}/validate`, JSON.stringify(body), { ca: tls.cert })).body).response;
      assert.equal((await post(admissionReview(deployment({ namespace: 'dev' })))).allowed, true);
      assert.equal((await post(admissionReview(deployment({ namespace: 'prod' })))).allowed, false); // the config's override
      assert.equal((await post(admissionReview(deployment({ namespace: 'labelled' })))).allowed, false); // the namespace file
      const big = deployment({ namespace: 'dev', hardened: true });
      (big.spec as Record<string, unknown>).replicas = 50;
      const vap = await post(admissionReview(big));
      assert.equal(vap.allowed, false);
      assert.match(vap.status.message, /ValidatingAdmissionPolicy 'no-big' with binding 'no-big-binding' denied request: too many replicas/);
      assert.equal((await post(admissionReview(privilegedPod({ namespace: 'kube-system' })))).allowed, true);
      assert.match(server.stderr(), /admission server listening on https:\/\/127\.0\.0\.1:\d+ \(\d+ checks, enforce baseline, warn restricted, 1 ValidatingAdmissionPolicies\)/);
    } finally {
      await server.stop('SIGTERM');
    }
    assert.ok(!/Error|at .*\.js:\d+/.test(server.stderr()), server.stderr());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('palisade serve: bad flags and bad files are one line and exit 2', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-serve-bad-'));
  try {
    const tls = await writeTestCertificate(dir);
    const noTls = run(['serve', '--listen', '127.0.0.1:0']);
    assert.equal(noTls.status, 2);
    assert.equal(noTls.stderr, 'palisade: HTTPS needs --tls-cert and --tls-key (or --insecure for plain HTTP on a test machine)\n');
    writeFileSync(join(dir, 'bad.yaml'), 'admission:\n  enforce: strict\n');
    const badConfig = run(['serve', '--insecure', '--listen', '127.0.0.1:0', '--config', 'bad.yaml'], dir);
    assert.equal(badConfig.status, 2);
    assert.equal(badConfig.stderr, 'palisade: bad.yaml:2: admission.enforce: expected one of privileged, baseline, restricted (got "strict")\n');
    writeFileSync(join(dir, 'vap.yaml'), 'apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\nmetadata: {name: p}\nspec:\n  validations:\n  - expression: "object.spec.replicas <="\n');
    const badVap = run(['serve', '--insecure', '--listen', '127.0.0.1:0', '--vap', 'vap.yaml'], dir);
    assert.equal(badVap.status, 2);
    assert.match(badVap.stderr, /^palisade: --vap: vap\.yaml:\d+: .*\n$/);
    const badKey = run(['serve', '--tls-cert', tls.certFile, '--tls-key', join(dir, 'missing.key')]);
    assert.equal(badKey.status, 2);
    assert.match(badKey.stderr, /^palisade: --tls-key .*missing\.key: cannot read \(ENOENT\)\n$/);
    const badListen = run(['serve', '--insecure', '--listen', 'nowhere']);
    assert.equal(badListen.status, 2);
    assert.match(badListen.stderr, /^palisade: --listen: expected HOST:PORT/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
