/** A throwaway certificate for tests that talk HTTPS over loopback (selfsigned is a dev dependency). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export interface TestCertificate {
  cert: string;
  key: string;
}

export async function testCertificate(): Promise<TestCertificate> {
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] }],
  });
  return { cert: pems.cert, key: pems.private };
}

/** A test certificate written to `dir` as tls.crt and tls.key (for servers started as processes). */
export async function writeTestCertificate(dir: string): Promise<TestCertificate & { certFile: string; keyFile: string }> {
  const tls = await testCertificate();
  const certFile = join(dir, 'tls.crt');
  const keyFile = join(dir, 'tls.key');
  writeFileSync(certFile, tls.cert);
  writeFileSync(keyFile, tls.key, { mode: 0o600 });
  return { ...tls, certFile, keyFile };
}
