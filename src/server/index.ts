/** The HTTPS server: admission, image policy, audit webhook, kubesec scan API, health and metrics. */
export { buildServer, DEFAULT_BODY_LIMIT, DEFAULT_ADMISSION_BODY_LIMIT, type ServerOptions } from './app.js';
export { listen, parseListen, readTlsFiles } from './listen.js';
export { watchTls } from './tls-reload.js';
export { createMetrics, type ServerMetrics } from './metrics.js';
