import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { generateCertificates, imagePolicyFiles, imagePolicyInstructions, ADMISSION_CONFIG_FILE, IMAGEPOLICY_KUBECONFIG_FILE, InstallError, type ImagePolicyOptions } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'palisade-imagepolicy-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const caFile = join(dir, 'ca.crt');
writeFileSync(caFile, (await generateCertificates({ service: 'palisade', namespace: 'palisade' })).caCert);
const clientCert = join(dir, 'apiserver-client.crt');
const clientKey = join(dir, 'apiserver-client.key');
writeFileSync(clientCert, 'cert');
writeFileSync(clientKey, 'key');
const out = join(dir, 'etc-kubernetes-imagepolicy');
const base: ImagePolicyOptions = { url: 'https://palisade.example.com:8443/imagepolicy', caFile, outDir: out };

function content(files: ReturnType<typeof imagePolicyFiles>, name: string) {
  return parse(files.files.find((f) => f.name === name)!.content);
}

test('AdmissionConfiguration and kubeconfig as kube-apiserver reads them (CA by path, not inlined)', () => {
  const files = imagePolicyFiles({ ...base, clientCert, clientKey });
  assert.deepEqual(files.files.map((f) => f.name), [ADMISSION_CONFIG_FILE, IMAGEPOLICY_KUBECONFIG_FILE]);
  const admission = content(files, ADMISSION_CONFIG_FILE);
  assert.equal(admission.apiVersion, 'apiserver.config.k8s.io/v1');
  assert.equal(admission.kind, 'AdmissionConfiguration');
  assert.deepEqual(admission.plugins, [{
    name: 'ImagePolicyWebhook',
    configuration: { imagePolicy: { kubeConfigFile: join(out, IMAGEPOLICY_KUBECONFIG_FILE), allowTTL: 50, denyTTL: 50, retryBackoff: 500, defaultAllow: false } },
  }]);
  const kubeconfig = content(files, IMAGEPOLICY_KUBECONFIG_FILE);
  assert.equal(kubeconfig.kind, 'Config');
  assert.deepEqual(kubeconfig.clusters[0].cluster, { server: 'https://palisade.example.com:8443/imagepolicy', 'certificate-authority': caFile });
  assert.deepEqual(kubeconfig.users[0].user, { 'client-certificate': clientCert, 'client-key': clientKey });
  assert.equal(kubeconfig['current-context'], kubeconfig.contexts[0].name);
  assert.doesNotMatch(files.files[1].content, /BEGIN CERTIFICATE|certificate-authority-data/);

  const text = imagePolicyInstructions(files);
  assert.match(text, /--enable-admission-plugins=NodeRestriction,ImagePolicyWebhook/);
  assert.ok(text.includes(`--admission-control-config-file=${join(out, ADMISSION_CONFIG_FILE)}`));
  assert.ok(text.includes(`mountPath: ${out}, readOnly: true`));
  assert.ok(text.includes(`mountPath: ${dir}, readOnly: true`), 'the CA directory is mounted too');
});

test('relative paths become absolute; no client certificate means an empty user', () => {
  const files = imagePolicyFiles({ ...base, allowTTL: 0, denyTTL: -1, retryBackoff: 0, defaultAllow: true });
  assert.deepEqual(content(files, ADMISSION_CONFIG_FILE).plugins[0].configuration.imagePolicy, {
    kubeConfigFile: join(out, IMAGEPOLICY_KUBECONFIG_FILE), allowTTL: 0, denyTTL: -1, retryBackoff: 0, defaultAllow: true,
  });
  assert.deepEqual(content(files, IMAGEPOLICY_KUBECONFIG_FILE).users[0].user, {});
  assert.match(files.files[0].content, /fail OPEN/);
  assert.match(imagePolicyInstructions(files), /Warning: --default-allow true fails open/);
});

test('TTLs and backoff in the ranges the API server accepts', () => {
  for (const [flag, key, good, bad] of [
    ['--allow-ttl', 'allowTTL', [-1, 0, 1, 1800], [-2, 1801, 1.5]],
    ['--deny-ttl', 'denyTTL', [-1, 0, 1, 1800], [-2, 1801, 0.5]],
    ['--retry-backoff', 'retryBackoff', [-1, 0, 1, 300_000], [-2, 300_001, 2.5]],
  ] as const) {
    for (const v of good) assert.doesNotThrow(() => imagePolicyFiles({ ...base, [key]: v }), `${flag} ${v}`);
    for (const v of bad) {
      assert.throws(() => imagePolicyFiles({ ...base, [key]: v }),
        (err: Error) => err instanceof InstallError && err.message.startsWith(`${flag}: expected -1 (disabled), 0 (default) or 1 to `) && !err.message.includes('\n'));
    }
  }
});

test('https only, a readable CA certificate, client certificate and key together', () => {
  const one = (opts: Partial<ImagePolicyOptions>, re: RegExp) =>
    assert.throws(() => imagePolicyFiles({ ...base, ...opts }), (err: Error) => err instanceof InstallError && re.test(err.message));
  one({ url: 'http://palisade.example.com/imagepolicy' }, /^--url: expected https:\/\/…, got "http:\/\/palisade\.example\.com\/imagepolicy" \(kube-apiserver only calls this backend over https\)$/);
  one({ url: 'palisade:8443' }, /--url: expected https/);
  one({ url: 'not a url' }, /--url: not a URL/);
  one({ url: 'https://user:pw@palisade/ip' }, /--url: credentials do not belong/);
  one({ url: 'https://palisade/ip?x=1' }, /--url: no \?query or #fragment/);
  one({ caFile: join(dir, 'missing.crt') }, /--ca-file .*missing\.crt: cannot read \(ENOENT\)/);
  one({ caFile: clientKey }, /--ca-file .*: not a PEM certificate/);
  one({ clientCert }, /--client-cert and --client-key go together/);
  one({ clientCert: join(dir, 'nope.crt'), clientKey }, /--client-cert .*nope\.crt: cannot use \(ENOENT\)/);
});
