/**
 * Certificate rotation without a restart: the certificate and key files are polled (read, so a
 * Kubernetes Secret volume's symlink swap is seen too, and so is a rewrite that keeps the size
 * and lands within the file system's timestamp tick) and, when either changes and the pair
 * reads and matches, the server's secure context is replaced. New connections get the new
 * certificate; connections already open keep theirs. A bad pair is logged and the old one kept.
 */
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import type { Server as TlsServer } from 'node:tls';
import type { FastifyInstance } from 'fastify';
import { errorCode } from '../model/index.js';
import { readTlsFiles } from './listen.js';

export function watchTls(app: FastifyInstance, certFile: string, keyFile: string, log: (line: string) => void, intervalMs = 5000): () => void {
  const server = app.server as unknown as TlsServer;
  if (typeof server.setSecureContext !== 'function') return () => {};
  // What the files hold, read now: any write from here on is a change. (fs.watchFile took its
  // first look later, asynchronously: a write made meanwhile was taken for the starting state
  // and never reloaded, which a busy CI machine showed.)
  let seen = contents(certFile, keyFile);
  let pending: NodeJS.Timeout | undefined;
  const reload = () => {
    pending = undefined;
    seen = contents(certFile, keyFile);
    try {
      const { cert, key } = readTlsFiles(certFile, keyFile);
      createSecureContext({ cert, key }); // throws when the key does not match the certificate
      server.setSecureContext({ cert, key });
      log(`TLS certificate reloaded from ${certFile}`);
    } catch (err) {
      log(`TLS certificate not reloaded, keeping the current one: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  const poll = () => {
    if (pending || contents(certFile, keyFile) === seen) return;
    // Both files usually change together: wait for the second before reading the pair.
    pending = setTimeout(reload, Math.min(200, intervalMs));
    pending.unref();
  };
  const timer = setInterval(poll, intervalMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    if (pending) clearTimeout(pending);
  };
}

/** Both files' bytes as one text to compare (a file that cannot be read: its error code). */
function contents(certFile: string, keyFile: string): string {
  const read = (path: string) => {
    try {
      return readFileSync(path, 'latin1');
    } catch (err) {
      return `unreadable: ${errorCode(err)}`;
    }
  };
  return `${read(certFile)}\0${read(keyFile)}`;
}
