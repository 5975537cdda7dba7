/** Starting and stopping the app: listen address parsing, TLS files, a clean shutdown. */
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { errorCode } from '../model/index.js';

/** `HOST:PORT`, `:PORT` or `PORT` → host and port; `[::1]:8443` for IPv6. */
export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*))?:?(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new Error(`--listen: expected HOST:PORT (e.g. 0.0.0.0:8443 or 127.0.0.1:0), got "${text}"`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

export function readTlsFiles(certFile: string, keyFile: string): { cert: Buffer; key: Buffer } {
  const read = (path: string, flag: string) => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new Error(`${flag} ${path}: cannot read (${errorCode(err)})`);
    }
  };
  const cert = read(certFile, '--tls-cert');
  const key = read(keyFile, '--tls-key');
  if (!cert.includes('-----BEGIN CERTIFICATE-----')) throw new Error(`--tls-cert ${certFile}: not a PEM certificate`);
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key.toString('latin1'))) throw new Error(`--tls-key ${keyFile}: not a PEM private key`);
  return { cert, key };
}

/** Listens; resolves with the URL actually bound (port 0 gets a free port). */
export async function listen(app: FastifyInstance, host: string, port: number, tls: boolean): Promise<string> {
  try {
    await app.listen({ host, port });
  } catch (err) {
    throw new Error(`cannot listen on ${host}:${port}: ${errorCode(err)}`);
  }
  const address = app.server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return `${tls ? 'https' : 'http'}://${shownHost}:${bound}`;
}
