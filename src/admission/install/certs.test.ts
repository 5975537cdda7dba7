import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { caBundleOf, certificateFiles, checkCaPem, generateCertificates, serviceDnsNames, writeFiles, InstallError, type CertBundle } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'palisade-certs-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const DAY = 86_400_000;

/** GET https://127.0.0.1:port/ presenting `servername`, trusting only `ca`: resolves to the body or rejects with the TLS error. */
function get(port: number, servername: string, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', servername, ca, agent: false }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
}

async function serve(bundle: { tlsCert: string; tlsKey: string }, run: (port: number) => Promise<void>): Promise<void> {
  const server = createServer({ cert: bundle.tlsCert, key: bundle.tlsKey }, (_req, res) => res.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  try {
    await run((server.address() as AddressInfo).port);
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
}

function checkChain(bundle: CertBundle, service: string, namespace: string, days: number, now: Date) {
  const ca = new X509Certificate(bundle.caCert);
  const leaf = new X509Certificate(bundle.tlsCert);
  // The CA is a CA and signed itself; the leaf is not, and the CA signed it.
  assert.equal(ca.ca, true);
  assert.equal(leaf.ca, false);
  assert.ok(ca.verify(ca.publicKey));
  assert.ok(leaf.verify(ca.publicKey));
  assert.equal(leaf.issuer, ca.subject);
  assert.ok(leaf.checkIssued(ca));
  assert.equal(leaf.subject, `CN=${service}.${namespace}.svc`);
  // Every name the API server (or a person) may dial.
  const sans = leaf.subjectAltName!.split(', ');
  for (const name of [service, `${service}.${namespace}`, `${service}.${namespace}.svc`, `${service}.${namespace}.svc.cluster.local`]) {
    assert.ok(sans.includes(`DNS:${name}`), `SAN ${name} in ${leaf.subjectAltName}`);
  }
  assert.equal(leaf.checkHost(`${service}.${namespace}.svc`), `${service}.${namespace}.svc`);
  // Validity: backdated a little for clock skew, and `days` long.
  const from = new Date(leaf.validFrom).getTime();
  const to = new Date(leaf.validTo).getTime();
  assert.ok(from <= now.getTime() && from >= now.getTime() - 10 * 60_000, leaf.validFrom);
  assert.ok(Math.abs(to - (now.getTime() + days * DAY)) < 2000, leaf.validTo);
  assert.equal(new Date(ca.validTo).getTime(), to);
  // serverAuth; the keys are the certificates' keys.
  assert.deepEqual(leaf.keyUsage, ['1.3.6.1.5.5.7.3.1']);
  assert.ok(leaf.checkPrivateKey(createPrivateKey(bundle.tlsKey)));
  assert.ok(ca.checkPrivateKey(createPrivateKey(bundle.caKey)));
  assert.match(bundle.tlsKey, /^-----BEGIN PRIVATE KEY-----\n/);
  return { ca, leaf };
}

test('a CA and a serving certificate for palisade.palisade.svc (ECDSA P-256, SHA-256), written 0600/0644', async () => {
  const now = new Date();
  const bundle = await generateCertificates({ service: 'palisade', namespace: 'palisade', days: 30, dns: ['palisade.example.com', '127.0.0.1'], now });
  const { leaf } = checkChain(bundle, 'palisade', 'palisade', 30, now);
  assert.equal(leaf.publicKey.asymmetricKeyType, 'ec');
  assert.equal(leaf.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  assert.match(leaf.subjectAltName!, /DNS:palisade\.example\.com/);
  assert.match(leaf.subjectAltName!, /IP Address:127\.0\.0\.1/);
  assert.equal(leaf.checkIP('127.0.0.1'), '127.0.0.1');
  assert.deepEqual(bundle.dnsNames, [...serviceDnsNames('palisade', 'palisade'), 'palisade.example.com']);

  const out = join(dir, 'ec');
  const written = writeFiles(out, certificateFiles(bundle), { force: false, flag: '--out' });
  assert.deepEqual(written.map((w) => w.path), ['ca.crt', 'ca.key', 'tls.crt', 'tls.key'].map((n) => join(out, n)));
  assert.equal(statSync(join(out, 'ca.key')).mode & 0o777, 0o600);
  assert.equal(statSync(join(out, 'tls.key')).mode & 0o777, 0o600);
  assert.equal(statSync(join(out, 'ca.crt')).mode & 0o022, 0, 'certificates are not writable by group or others');
  assert.equal(readFileSync(join(out, 'tls.crt'), 'utf8'), bundle.tlsCert);
  assert.equal(Buffer.from(caBundleOf(readFileSync(join(out, 'ca.crt'), 'utf8')), 'base64').toString(), bundle.caCert);
});

test('an HTTPS server with these files is trusted by a client that knows only ca.crt and dials palisade.palisade.svc', async () => {
  const bundle = await generateCertificates({ service: 'palisade', namespace: 'palisade' });
  await serve(bundle, async (port) => {
    assert.equal(await get(port, 'palisade.palisade.svc', bundle.caCert), 'ok');
    assert.equal(await get(port, 'palisade.palisade.svc.cluster.local', bundle.caCert), 'ok');
    // A name the certificate does not carry, and a CA it was not signed by, are refused.
    await assert.rejects(get(port, 'other.palisade.svc', bundle.caCert), (err: NodeJS.ErrnoException) => err.code === 'ERR_TLS_CERT_ALTNAME_INVALID');
    const stranger = await generateCertificates({ service: 'palisade', namespace: 'palisade' });
    await assert.rejects(get(port, 'palisade.palisade.svc', stranger.caCert), /self[- ]signed|unable to verify|certificate/i);
  });
});

test('RSA 2048 works the same way', async () => {
  const now = new Date();
  const bundle = await generateCertificates({ service: 'webhook', namespace: 'security', keyType: 'rsa', days: 365, now });
  const { leaf } = checkChain(bundle, 'webhook', 'security', 365, now);
  assert.equal(leaf.publicKey.asymmetricKeyType, 'rsa');
  assert.equal(leaf.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
  assert.equal(createPublicKey(bundle.tlsCert).asymmetricKeyType, 'rsa');
  await serve(bundle, async (port) => {
    assert.equal(await get(port, 'webhook.security.svc', bundle.caCert), 'ok');
  });
});

test('existing files are refused without force, replaced with it; a failure leaves nothing behind', async () => {
  const bundle = await generateCertificates({ service: 'palisade', namespace: 'palisade' });
  const out = join(dir, 'again');
  writeFiles(out, certificateFiles(bundle), { force: false, flag: '--out' });
  assert.throws(() => writeFiles(out, certificateFiles(bundle), { force: false, flag: '--out' }),
    (err: Error) => err instanceof InstallError && /ca\.crt, ca\.key, tls\.crt, tls\.key already exist \(use --force/.test(err.message));
  const second = await generateCertificates({ service: 'palisade', namespace: 'palisade' });
  writeFiles(out, certificateFiles(second), { force: true, flag: '--out' });
  assert.equal(readFileSync(join(out, 'tls.crt'), 'utf8'), second.tlsCert);
  assert.equal(statSync(join(out, 'tls.key')).mode & 0o777, 0o600);

  // tls.crt is a directory: the files written before it are removed again.
  const partial = join(dir, 'partial');
  mkdirSync(join(partial, 'tls.crt'), { recursive: true });
  assert.throws(() => writeFiles(partial, certificateFiles(bundle), { force: true, flag: '--out' }), /--out .*: cannot write tls\.crt \(E[A-Z]+\)/);
  assert.deepEqual(readdirSync(partial), ['tls.crt']);

  const blocker = join(dir, 'a-file');
  writeFileSync(blocker, '');
  assert.throws(() => writeFiles(join(blocker, 'certs'), certificateFiles(bundle), { force: false, flag: '--out' }), /--out .*: cannot create the directory \(ENOTDIR\)/);
});

test('names are checked as Kubernetes checks them; --days is bounded', async () => {
  await assert.rejects(generateCertificates({ service: 'Palisade', namespace: 'palisade' }), /--service: "Palisade" is not a Service name/);
  await assert.rejects(generateCertificates({ service: '1webhook', namespace: 'palisade' }), /--service: "1webhook"/);
  await assert.rejects(generateCertificates({ service: 'palisade', namespace: 'kube_system' }), /--namespace: "kube_system" is not a namespace name/);
  await assert.rejects(generateCertificates({ service: 'palisade', namespace: 'p', days: 0 }), /--days: expected a whole number of days from 1 to 3650/);
  await assert.rejects(generateCertificates({ service: 'palisade', namespace: 'p', days: 3651 }), /--days/);
  await assert.rejects(generateCertificates({ service: 'palisade', namespace: 'p', dns: ['has space'] }), /--dns: "has space" is neither a DNS name/);
  const wild = await generateCertificates({ service: 'palisade', namespace: 'p', dns: ['*.hooks.example.com'] });
  assert.match(new X509Certificate(wild.tlsCert).subjectAltName!, /DNS:\*\.hooks\.example\.com/);
});

test('--ca-file must be a certificate, not a key', async () => {
  const bundle = await generateCertificates({ service: 'palisade', namespace: 'palisade' });
  assert.equal(checkCaPem('--ca-file', 'ca.crt', bundle.caCert), bundle.caCert);
  assert.throws(() => checkCaPem('--ca-file', 'tls.key', bundle.tlsKey), /--ca-file tls\.key: not a PEM certificate/);
  assert.throws(() => checkCaPem('--ca-file', 'both.pem', bundle.caCert + bundle.caKey), /holds a private key/);
  assert.throws(() => checkCaPem('--ca-file', 'x', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'), /does not parse/);
});
