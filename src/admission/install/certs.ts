/**
 * The certificates for the admission webhook: a private CA and a serving certificate it
 * signs, valid for every name the API server may dial (`<svc>.<ns>.svc` is the one it uses;
 * Go refuses certificates without SANs). Generated with @peculiar/x509 on Node's WebCrypto.
 */
import { X509Certificate as NodeX509 } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { InstallError } from './errors.js';
import { checkNamespace, checkServiceName, splitSubjectNames } from './names.js';
import type { OutputFile } from './files.js';

export type KeyType = 'ecdsa' | 'rsa';
export const KEY_TYPES: readonly KeyType[] = ['ecdsa', 'rsa'];

export interface CertOptions {
  service: string;
  namespace: string;
  /** Validity of both certificates, in days (default 365). */
  days?: number;
  /** Extra DNS names (or IP addresses) for the serving certificate. */
  dns?: readonly string[];
  /** ECDSA P-256 (default) or RSA 2048; SHA-256 signatures either way. */
  keyType?: KeyType;
  now?: Date;
}

export interface CertBundle {
  caCert: string;
  caKey: string;
  tlsCert: string;
  tlsKey: string;
  caSubject: string;
  subject: string;
  dnsNames: string[];
  ipAddresses: string[];
  notBefore: Date;
  notAfter: Date;
}

export const MAX_DAYS = 3650;
/** Backdated so that a node whose clock is a little behind still accepts a fresh certificate. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

/** The names a Service answers to inside the cluster, shortest first. */
export function serviceDnsNames(service: string, namespace: string): string[] {
  return [service, `${service}.${namespace}`, `${service}.${namespace}.svc`, `${service}.${namespace}.svc.cluster.local`];
}

function algorithm(type: KeyType): RsaHashedKeyGenParams | EcKeyGenParams & { hash: string } {
  return type === 'rsa'
    ? { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }
    : { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
}

/** A positive 128-bit serial number in hex (RFC 5280: positive, at most 20 octets). */
function serialNumber(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] & 0x7f) | 0x01;
  return Buffer.from(bytes).toString('hex');
}

async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = await crypto.subtle.exportKey('pkcs8', key);
  return `${x509.PemConverter.encode(der, 'PRIVATE KEY')}\n`;
}

export function checkDays(value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > MAX_DAYS) {
    throw new InstallError(`--days: expected a whole number of days from 1 to ${MAX_DAYS}, got "${value}"`);
  }
  return value;
}

export async function generateCertificates(opts: CertOptions): Promise<CertBundle> {
  const service = checkServiceName('--service', opts.service);
  const namespace = checkNamespace('--namespace', opts.namespace);
  const days = checkDays(opts.days ?? 365);
  const extra = splitSubjectNames(opts.dns ?? []);
  const dnsNames = [...new Set([...serviceDnsNames(service, namespace), ...extra.dns])];
  const ipAddresses = [...new Set(extra.ips)];
  const now = opts.now ?? new Date();
  const notBefore = new Date(now.getTime() - CLOCK_SKEW_MS);
  const notAfter = new Date(now.getTime() + days * 86_400_000);
  const alg = algorithm(opts.keyType ?? 'ecdsa');
  x509.cryptoProvider.set(crypto);

  const caKeys = (await crypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
  const caSubject = `CN=palisade webhook CA (${service}.${namespace}.svc), O=palisade`;
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: caSubject,
    notBefore,
    notAfter,
    keys: caKeys,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });

  const keys = (await crypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
  const subject = `CN=${service}.${namespace}.svc`;
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject,
    issuer: ca.subject,
    notBefore,
    notAfter,
    publicKey: keys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        ...dnsNames.map((value) => ({ type: 'dns' as const, value })),
        ...ipAddresses.map((value) => ({ type: 'ip' as const, value })),
      ]),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca),
    ],
  });

  return {
    caCert: `${ca.toString('pem')}\n`,
    caKey: await privateKeyPem(caKeys.privateKey),
    tlsCert: `${leaf.toString('pem')}\n`,
    tlsKey: await privateKeyPem(keys.privateKey),
    caSubject: ca.subject,
    subject: leaf.subject,
    dnsNames,
    ipAddresses,
    notBefore,
    notAfter,
  };
}

/** The four files, as `kubectl create secret tls` and the webhook configuration want them. */
export function certificateFiles(bundle: CertBundle): OutputFile[] {
  return [
    { name: 'ca.crt', content: bundle.caCert, mode: 0o644 },
    { name: 'ca.key', content: bundle.caKey, mode: 0o600 },
    { name: 'tls.crt', content: bundle.tlsCert, mode: 0o644 },
    { name: 'tls.key', content: bundle.tlsKey, mode: 0o600 },
  ];
}

/** `clientConfig.caBundle`: the base64 of the CA's PEM. */
export function caBundleOf(caPem: string): string {
  return Buffer.from(caPem).toString('base64');
}

/**
 * The CA file for `--ca-file`: read, checked to be one or more PEM certificates (the API
 * server would otherwise fail every call with an x509 error), returned as PEM text.
 */
export function checkCaPem(flag: string, file: string, text: string): string {
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  if (!blocks) throw new InstallError(`${flag} ${file}: not a PEM certificate (expected -----BEGIN CERTIFICATE-----)`);
  for (const block of blocks) {
    try {
      new NodeX509(block);
    } catch {
      throw new InstallError(`${flag} ${file}: a PEM block does not parse as an X.509 certificate`);
    }
  }
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) {
    throw new InstallError(`${flag} ${file}: holds a private key; give the CA certificate only (ca.crt)`);
  }
  return text;
}
