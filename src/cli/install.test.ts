// End-to-end: `palisade certs generate`, `palisade install --print` and `palisade install imagepolicy`
// as a user runs them, and the printed manifests judged by `palisade scan --profile restricted`.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = join(root, 'bin', 'palisade.js');
const dir = mkdtempSync(join(tmpdir(), 'palisade-install-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, input, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '1' } });
  assert.equal(r.signal, null, `palisade was killed (${r.signal})`);
  assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+/, 'no stack trace');
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A user error: exit 2, nothing on stdout, exactly one line on stderr matching `re`. */
function refused(args: string[], re: RegExp) {
  const r = run(args);
  assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line: ${JSON.stringify(r.stderr)}`);
  assert.match(lines[0], /^palisade: /);
  assert.match(lines[0], re);
  assert.doesNotMatch(lines[0], /internal error/);
}

const certs = join(dir, 'certs');

test('certs generate writes the four files and says what to do next', () => {
  const r = run(['certs', 'generate', '--service', 'palisade', '--namespace', 'palisade', '--out', 'certs', '--days', '90', '--dns', 'palisade.example.com']);
  assert.equal(r.code, 0, r.stderr);
  for (const name of ['ca.crt', 'ca.key', 'tls.crt', 'tls.key']) assert.match(r.stdout, new RegExp(`wrote ${join(certs, name).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  assert.equal(statSync(join(certs, 'tls.key')).mode & 0o777, 0o600);
  assert.equal(statSync(join(certs, 'ca.key')).mode & 0o777, 0o600);
  const leaf = new X509Certificate(readFileSync(join(certs, 'tls.crt')));
  assert.match(leaf.subjectAltName!, /DNS:palisade\.palisade\.svc,.*DNS:palisade\.example\.com/);
  assert.match(r.stdout, /kubectl -n palisade create secret tls palisade-tls --cert=.*tls\.crt --key=.*tls\.key/);
  assert.match(r.stdout, /palisade install --print --namespace palisade --ca-file .*ca\.crt \| kubectl apply -f -/);
  const hint = r.stdout.trimEnd().split('\n').at(-1)!.trim();
  assert.equal(Buffer.from(hint, 'base64').toString(), readFileSync(join(certs, 'ca.crt'), 'utf8'), 'the last line is the caBundle');
  assert.doesNotMatch(r.stdout, /PRIVATE KEY/);
});

test('certs generate: bad input is one line, exit 2, and nothing is overwritten', () => {
  refused(['certs', 'generate', '--namespace', 'palisade', '--out', 'x'], /--service NAME .* is required/);
  refused(['certs', 'generate', '--service', 'palisade', '--out', 'x'], /--namespace NAMESPACE .* is required/);
  refused(['certs', 'generate', '--service', 'palisade', '--namespace', 'palisade'], /--out DIR .* is required/);
  writeFileSync(join(dir, 'plain-file'), '');
  refused(['certs', 'generate', '--service', 'palisade', '--namespace', 'palisade', '--out', 'plain-file/certs'], /--out plain-file\/certs: cannot create the directory \(ENOTDIR\)/);
  const before = readFileSync(join(certs, 'tls.crt'), 'utf8');
  refused(['certs', 'generate', '--service', 'palisade', '--namespace', 'palisade', '--out', 'certs'], /--out certs: ca\.crt, ca\.key, tls\.crt, tls\.key already exist \(use --force to overwrite\)/);
  assert.equal(readFileSync(join(certs, 'tls.crt'), 'utf8'), before);
  refused(['certs', 'generate', '--service', 'Palisade', '--namespace', 'palisade', '--out', 'y'], /--service: "Palisade" is not a Service name/);
  refused(['certs', 'generate', '--service', 'palisade', '--namespace', 'palisade', '--out', 'y', '--days', 'ten'], /--days: expected a whole number, got "ten"/);
  refused(['certs', 'generate', '--service', 'palisade', '--namespace', 'palisade', '--out', 'y', '--days', '0'], /--days: expected a whole number of days from 1 to 3650/);
  assert.equal(existsSync(join(dir, 'y')), false);
  const forced = run(['certs', 'generate', '--service', 'palisade', '--namespace', 'palisade', '--out', 'certs', '--force']);
  assert.equal(forced.code, 0, forced.stderr);
  assert.notEqual(readFileSync(join(certs, 'tls.crt'), 'utf8'), before);
});

test('install --print: manifests that palisade scan --profile restricted finds nothing in', () => {
  const printed = run(['install', '--print', '--ca-file', join(certs, 'ca.crt')]);
  assert.equal(printed.code, 0, printed.stderr);
  assert.equal(printed.stderr, '');
  const kinds = parseAllDocuments(printed.stdout).map((d) => (d.toJS() as { kind: string }).kind);
  assert.deepEqual(kinds, [
    'Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Service', 'Deployment', 'PodDisruptionBudget',
    'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration',
  ]);
  const scanned = run(['scan', '--profile', 'restricted', '--format', 'json', '-'], printed.stdout);
  const report = JSON.parse(scanned.stdout);
  assert.deepEqual(report.findings, [], JSON.stringify(report.findings, null, 2));
  assert.deepEqual(report.errors, []);
  assert.equal(report.summary.resources, 9);
  assert.equal(scanned.code, 0);
  // Suppressed findings would not be "zero findings": nothing is silenced by annotation.
  assert.doesNotMatch(printed.stdout, /palisade\.dev\/ignore/);

  // The other variants scan clean too: a digest image, more replicas, no CA yet.
  const variant = run(['install', '--print', '--namespace', 'guard', '--replicas', '3', '--image', `registry.example.com/palisade@sha256:${'0'.repeat(64)}`]);
  assert.equal(variant.code, 0);
  assert.match(variant.stderr, /^palisade: warning: no --ca-file/);
  const again = run(['scan', '--profile', 'restricted', '--format', 'json', '-'], variant.stdout);
  assert.deepEqual(JSON.parse(again.stdout).findings, []);
});

test('install: bad input is one line, exit 2', () => {
  refused(['install'], /use --print \| kubectl apply -f -/);
  refused(['install', '--print', '--replicas', '1'], /--replicas: expected a whole number from 2 to 50/);
  refused(['install', '--print', '--image', 'nginx'], /--image: "nginx" has no version/);
  refused(['install', '--print', '--ca-file', join(certs, 'tls.key')], /--ca-file .*tls\.key: not a PEM certificate/);
  refused(['install', '--print', '--ca-file', 'missing.crt'], /--ca-file missing\.crt: cannot read \(ENOENT\)/);
  refused(['install', '--print', '--namespace', 'Not_A_Name'], /--namespace: "Not_A_Name" is not a namespace name/);
});

test('install imagepolicy writes the AdmissionConfiguration and kubeconfig, and prints the kube-apiserver flags', () => {
  const out = join(dir, 'imagepolicy');
  const r = run(['install', 'imagepolicy', '--url', 'https://palisade.example.com:8443/imagepolicy', '--ca-file', 'certs/ca.crt', '--out', 'imagepolicy', '--allow-ttl', '60', '--deny-ttl', '-1']);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.includes(`wrote ${join(out, 'admission-config.yaml')}`));
  assert.ok(r.stdout.includes(`--admission-control-config-file=${join(out, 'admission-config.yaml')}`));
  assert.match(r.stdout, /--enable-admission-plugins=.*ImagePolicyWebhook/);
  assert.match(r.stdout, /volumeMounts:/);
  const admission = parse(readFileSync(join(out, 'admission-config.yaml'), 'utf8'));
  assert.deepEqual(admission.plugins[0].configuration.imagePolicy, {
    kubeConfigFile: join(out, 'imagepolicy-kubeconfig.yaml'), allowTTL: 60, denyTTL: -1, retryBackoff: 500, defaultAllow: false,
  });
  const kubeconfig = parse(readFileSync(join(out, 'imagepolicy-kubeconfig.yaml'), 'utf8'));
  assert.equal(kubeconfig.clusters[0].cluster.server, 'https://palisade.example.com:8443/imagepolicy');
  assert.equal(kubeconfig.clusters[0].cluster['certificate-authority'], join(certs, 'ca.crt'));
});

test('install imagepolicy: bad input is one line, exit 2', () => {
  const ok = ['--ca-file', 'certs/ca.crt', '--out', 'ip-bad'];
  refused(['install', 'imagepolicy', '--url', 'http://palisade.example.com/imagepolicy', ...ok], /--url: expected https:\/\/…, got "http:\/\/palisade\.example\.com\/imagepolicy"/);
  refused(['install', 'imagepolicy', '--url', 'https://p/ip', ...ok, '--allow-ttl', '1801'], /--allow-ttl: expected -1 \(disabled\), 0 \(default\) or 1 to 1800 seconds, got "1801"/);
  refused(['install', 'imagepolicy', '--url', 'https://p/ip', ...ok, '--deny-ttl', '-5'], /--deny-ttl: .* got "-5"/);
  refused(['install', 'imagepolicy', '--url', 'https://p/ip', ...ok, '--retry-backoff', '300001'], /--retry-backoff: expected -1 \(disabled\), 0 \(default\) or 1 to 300000 milliseconds/);
  refused(['install', 'imagepolicy', '--url', 'https://p/ip', ...ok, '--default-allow', 'maybe'], /--default-allow: expected true or false/);
  refused(['install', 'imagepolicy', ...ok], /--url URL .* is required/);
  refused(['install', 'imagepolicy', '--url', 'https://p/ip', '--out', 'ip-bad'], /--ca-file FILE .* is required/);
  refused(['install', 'imagepolicy', '--url', 'https://p/ip', ...ok, '--client-key', 'certs/ca.key'], /--client-cert and --client-key go together/);
  assert.equal(existsSync(join(dir, 'ip-bad')), false);
  refused(['install', 'imagepolicy', '--url', 'https://p/ip', '--ca-file', 'certs/ca.crt', '--out', 'imagepolicy'], /--out imagepolicy: admission-config\.yaml, imagepolicy-kubeconfig\.yaml already exist/);
});
