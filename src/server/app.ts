/**
 * The HTTPS app (fastify). Today it carries the audit webhook backend; the admission endpoints
 * join it later. TLS unless the caller explicitly asks for plain HTTP.
 */
import Fastify, { type FastifyInstance, type FastifyError } from 'fastify';
import type { AuditReceiver } from '../audit/index.js';

export interface ServerOptions {
  /** PEM certificate and key; omit only for plain HTTP (`--insecure`). */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Largest request body, bytes (default 64 MiB); bigger bodies get 413. */
  bodyLimit?: number;
  /** The audit webhook backend, served at POST /audit. */
  audit?: AuditReceiver;
  /** Where request problems are logged, one line each (default: nowhere). */
  log?: (line: string) => void;
}

export const DEFAULT_BODY_LIMIT = 64 * 1024 * 1024;

export function buildServer(opts: ServerOptions): FastifyInstance {
  const app = Fastify({
    logger: false,
    bodyLimit: opts.bodyLimit ?? DEFAULT_BODY_LIMIT,
    ...(opts.tls ? { https: { cert: opts.tls.cert, key: opts.tls.key } } : {}),
    // The API server's webhook client keeps connections alive between batches.
    keepAliveTimeout: 65_000,
  }) as unknown as FastifyInstance;
  const log = opts.log ?? (() => {});

  app.setErrorHandler((err: FastifyError, req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status >= 500) log(`${req.method} ${req.url}: internal error: ${err.message}`);
    else log(`${req.method} ${req.url}: ${status} ${err.message}`);
    void reply.code(status).send({ error: status >= 500 ? 'internal error' : err.message });
  });
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send({ error: `no route for ${req.method} ${req.url.split('?')[0]}` });
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async () => ({ status: 'ok' }));

  const audit = opts.audit;
  if (audit) {
    app.post('/audit', async (req, reply) => {
      const answer = await audit.receive(req.body, `POST /audit from ${req.ip}`);
      if (answer.status >= 400) log(`POST /audit from ${req.ip}: ${answer.status} ${String(answer.body.error)}`);
      if (answer.headers) void reply.headers(answer.headers);
      return reply.code(answer.status).send(answer.body);
    });
  }
  return app;
}
