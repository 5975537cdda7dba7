/** The HTTPS server: audit webhook backend today, admission control next. */
export { buildServer, DEFAULT_BODY_LIMIT, type ServerOptions } from './app.js';
export { listen, parseListen, readTlsFiles } from './listen.js';
