/**
 * The HTTPS app (fastify): admission (/validate, /mutate), the ImagePolicyWebhook backend
 * (/imagepolicy), the audit webhook backend (/audit), kubesec's scan API (/scan), health and
 * Prometheus metrics. TLS unless the caller explicitly asks for plain HTTP.
 */
import Fastify, { type FastifyInstance, type FastifyError, type FastifyReply } from 'fastify';
import underPressure from '@fastify/under-pressure';
import type { AuditReceiver } from '../audit/index.js';
import type { AdmissionService, Answer } from '../admission/index.js';
import { createMetrics, type ServerMetrics } from './metrics.js';

export interface ServerOptions {
  /** PEM certificate and key; omit only for plain HTTP (`--insecure`). */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Largest request body, bytes (default 64 MiB); bigger bodies get 413. */
  bodyLimit?: number;
  /** The audit webhook backend, served at POST /audit. */
  audit?: AuditReceiver;
  /** The admission endpoints (/validate, /mutate, /imagepolicy, /scan). */
  admission?: AdmissionService;
  /** Largest AdmissionReview, ImageReview or /scan body, bytes (default 8 MiB); bigger ones get 413. */
  admissionBodyLimit?: number;
  /** Metrics registry (default: a new one with process metrics). */
  metrics?: ServerMetrics;
  /** Event-loop delay beyond which requests get 503 instead of queueing without end (ms, default 1000; 0 off). */
  maxEventLoopDelay?: number;
  /** Where request problems are logged, one line each (default: nowhere). */
  log?: (line: string) => void;
}

export const DEFAULT_BODY_LIMIT = 64 * 1024 * 1024;
/**
 * kube-apiserver refuses request bodies over 3 MiB and etcd objects over 1.5 MiB; an
 * AdmissionReview carries the object and the old one, so 8 MiB leaves room and no more.
 */
export const DEFAULT_ADMISSION_BODY_LIMIT = 8 * 1024 * 1024;

export function buildServer(opts: ServerOptions): FastifyInstance {
  const app = Fastify({
    logger: false,
    bodyLimit: opts.bodyLimit ?? DEFAULT_BODY_LIMIT,
    ...(opts.tls ? { https: { cert: opts.tls.cert, key: opts.tls.key } } : {}),
    // The API server's webhook client keeps connections alive between batches.
    keepAliveTimeout: 65_000,
    // A client that sends its body slowly (or never) is cut off instead of holding a socket.
    requestTimeout: 30_000,
    // On close: idle keep-alive sockets go at once, requests in flight finish.
    forceCloseConnections: 'idle',
  }) as unknown as FastifyInstance;
  const log = opts.log ?? (() => {});
  const metrics = opts.metrics ?? createMetrics();
  const started = new WeakMap<object, bigint>();
  app.addHook('onRequest', async (req) => {
    started.set(req, process.hrtime.bigint());
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ route, code: String(reply.statusCode) });
    const t0 = started.get(req);
    if (t0 !== undefined) metrics.latency.observe({ route }, Number(process.hrtime.bigint() - t0) / 1e9);
  });
  const maxDelay = opts.maxEventLoopDelay ?? 1000;
  if (maxDelay > 0) {
    void app.register(underPressure, {
      maxEventLoopDelay: maxDelay,
      retryAfter: 1,
      exposeStatusRoute: false,
      pressureHandler: (_req, reply) => {
        void reply.code(503).header('Retry-After', '1').send({ error: 'overloaded: try again shortly' });
      },
    });
  }

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
  app.get('/metrics', async (_req, reply) => {
    void reply.header('Content-Type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });

  const admission = opts.admission;
  if (admission) registerAdmission(app, admission, metrics, opts.admissionBodyLimit ?? DEFAULT_ADMISSION_BODY_LIMIT, log);

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

function registerAdmission(app: FastifyInstance, service: AdmissionService, metrics: ServerMetrics, bodyLimit: number, log: (line: string) => void): void {
  const send = (endpoint: string, reply: FastifyReply, answer: Answer, from: string) => {
    metrics.decisions.inc({ endpoint, outcome: answer.outcome });
    const namespace = answer.namespace ?? '';
    if (answer.outcome !== 'bad-request') metrics.namespaces.inc({ endpoint, namespace, outcome: answer.outcome });
    for (const r of answer.reasons) metrics.checks.inc({ check: r.check, mode: r.mode, namespace });
    if (answer.problem) log(`POST /${endpoint} from ${from}: ${answer.status} ${answer.problem}`);
    if (answer.text !== undefined) return reply.code(answer.status).type('application/json').send(answer.text);
    return reply.code(answer.status).send(answer.body);
  };
  app.post('/validate', { bodyLimit }, async (req, reply) => send('validate', reply, service.validate(req.body), req.ip));
  app.post('/mutate', { bodyLimit }, async (req, reply) => send('mutate', reply, service.mutate(req.body), req.ip));
  app.post('/imagepolicy', { bodyLimit }, async (req, reply) => send('imagepolicy', reply, service.imageReview(req.body), req.ip));
  // kubesec's API takes the manifest as the raw body, whatever the client calls its type
  // (curl --data-binary says application/x-www-form-urlencoded).
  void app.register(async (scoped) => {
    scoped.removeAllContentTypeParsers();
    scoped.addContentTypeParser('*', { parseAs: 'string', bodyLimit }, (_req, body, done) => done(null, body));
    scoped.post('/scan', { bodyLimit }, async (req, reply) => send('scan', reply, service.scan(typeof req.body === 'string' ? req.body : ''), req.ip));
  });
}
