/**
 * Certificate rotation without a restart: the certificate and key files are polled (stat, so a
 * Kubernetes Secret volume's symlink swap is seen too) and, when either changes and the pair
 * reads and matches, the server's secure context is replaced. New connections get the new
 * certificate; connections already open keep theirs. A bad pair is logged and the old one kept.
 */
import { createSecureContext } from 'node:tls';
import { unwatchFile, watchFile, type Stats } from 'node:fs';
import type { Server as TlsServer } from 'node:tls';
import type { FastifyInstance } from 'fastify';
import { readTlsFiles } from './listen.js';

export function watchTls(app: FastifyInstance, certFile: string, keyFile: string, log: (line: string) => void, intervalMs = 5000): () => void {
  const server = app.server as unknown as TlsServer;
  if (typeof server.setSecureContext !== 'function') return () => {};
  let pending: NodeJS.Timeout | undefined;
  const reload = () => {
    pending = undefined;
    try {
      const { cert, key } = readTlsFiles(certFile, keyFile);
      createSecureContext({ cert, key }); // throws when the key does not match the certificate
      server.setSecureContext({ cert, key });
      log(`TLS certificate reloaded from ${certFile}`);
    } catch (err) {
      log(`TLS certificate not reloaded, keeping the current one: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  const changed = (cur: Stats, prev: Stats) => {
    if (cur.mtimeMs === prev.mtimeMs && cur.size === prev.size && cur.ino === prev.ino) return;
    // Both files usually change together: wait for the second before reading the pair.
    if (pending) clearTimeout(pending);
    pending = setTimeout(reload, Math.min(200, intervalMs));
    pending.unref();
  };
  const opts = { interval: intervalMs, persistent: false };
  watchFile(certFile, opts, changed);
  watchFile(keyFile, opts, changed);
  return () => {
    if (pending) clearTimeout(pending);
    unwatchFile(certFile, changed);
    unwatchFile(keyFile, changed);
  };
}
