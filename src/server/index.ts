/** The HTTPS server: audit webhook backend today, admission control next. */
export { buildServer, DEFAULT_BODY_LIMIT, type ServerOptions } from './app.js';
