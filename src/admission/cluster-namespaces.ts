/**
 * Namespace labels from the API server, for a Palisade running in the cluster: the
 * NamespaceList is read at start and again every `intervalMs` (the token file is read each
 * time: projected tokens rotate). A failed read is logged and the labels already known are
 * kept; the admission answers never wait on it.
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import type { NamespaceRegistry } from './namespaces.js';
import { errorCode } from '../model/index.js';

export const IN_CLUSTER_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface ClusterSource {
  /** e.g. https://10.96.0.1:443 */
  server: string;
  tokenFile: string;
  caFile: string;
}

/** The in-cluster API server and credentials, when this process runs in a pod that has them. */
export function inClusterSource(env: NodeJS.ProcessEnv = process.env, dir = IN_CLUSTER_DIR): ClusterSource | undefined {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT ?? '443';
  if (!host) return undefined;
  const tokenFile = `${dir}/token`;
  const caFile = `${dir}/ca.crt`;
  try {
    readFileSync(tokenFile);
  } catch {
    return undefined;
  }
  return { server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`, tokenFile, caFile };
}

/** One read of /api/v1/namespaces; resolves with how many namespaces it learned. */
export function readNamespaces(source: ClusterSource, registry: NamespaceRegistry, timeoutMs = 10_000): Promise<number> {
  return new Promise((resolve, reject) => {
    let token: string;
    let ca: Buffer;
    try {
      token = readFileSync(source.tokenFile, 'utf8').trim();
      ca = readFileSync(source.caFile);
    } catch (err) {
      reject(new Error(`cannot read the service account credentials: ${errorCode(err)}`));
      return;
    }
    const req = request(new URL('/api/v1/namespaces?limit=5000', source.server), {
      method: 'GET', ca, headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' }, timeout: timeoutMs,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if (res.statusCode !== 200) {
          reject(new Error(`GET /api/v1/namespaces: HTTP ${res.statusCode}`));
          return;
        }
        try {
          const list = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { items?: unknown[] };
          const items = Array.isArray(list.items) ? list.items : [];
          let n = 0;
          for (const item of items) if (registry.observe({ kind: 'Namespace', ...(item as object) })) n++;
          resolve(n);
        } catch (err) {
          reject(new Error(`GET /api/v1/namespaces: not a NamespaceList (${(err as Error).message})`));
        }
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET /api/v1/namespaces: no answer in ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** Reads now and every `intervalMs`; returns a stop function. */
export function syncNamespaces(source: ClusterSource, registry: NamespaceRegistry, log: (line: string) => void, intervalMs = 30_000): () => void {
  let lastError = '';
  const once = async () => {
    try {
      await readNamespaces(source, registry);
      if (lastError !== '') log('namespace labels: reading from the API server again');
      lastError = '';
    } catch (err) {
      const msg = (err as Error).message;
      if (msg !== lastError) log(`namespace labels: ${msg}; keeping the ${registry.size} known`);
      lastError = msg;
    }
  };
  void once();
  const timer = setInterval(() => void once(), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
