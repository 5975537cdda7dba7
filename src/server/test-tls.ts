/** A throwaway certificate for tests that talk HTTPS over loopback (selfsigned is a dev dependency). */
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
