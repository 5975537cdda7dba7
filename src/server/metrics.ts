/**
 * Prometheus metrics for `palisade serve` (prom-client, one registry per server so that tests
 * and several servers in one process do not share counters).
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface ServerMetrics {
  registry: Registry;
  requests: Counter<'route' | 'code'>;
  latency: Histogram<'route'>;
  decisions: Counter<'endpoint' | 'outcome'>;
  checks: Counter<'check' | 'mode' | 'namespace'>;
  namespaces: Counter<'endpoint' | 'namespace' | 'outcome'>;
}

/** Buckets around the admission budget (the API server's default webhook timeout is 10 s; ours aims at ms). */
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export function createMetrics(opts: { processMetrics?: boolean } = {}): ServerMetrics {
  const registry = new Registry();
  if (opts.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'palisade_' });
  return {
    registry,
    requests: new Counter({ name: 'palisade_http_requests_total', help: 'HTTP requests by route and status code', labelNames: ['route', 'code'], registers: [registry] }),
    latency: new Histogram({ name: 'palisade_http_request_duration_seconds', help: 'Time from request to response, by route', labelNames: ['route'], buckets: BUCKETS, registers: [registry] }),
    decisions: new Counter({
      name: 'palisade_admission_decisions_total',
      help: 'Admission answers by endpoint and outcome (allowed, denied, warned, patched, skipped, error, bad-request)',
      labelNames: ['endpoint', 'outcome'],
      registers: [registry],
    }),
    checks: new Counter({
      name: 'palisade_admission_check_results_total',
      help: 'Checks that fired on admitted or denied objects, by check, mode (enforce, warn, audit) and namespace',
      labelNames: ['check', 'mode', 'namespace'],
      registers: [registry],
    }),
    namespaces: new Counter({
      name: 'palisade_admission_namespace_decisions_total',
      help: 'Admission answers by endpoint, namespace and outcome',
      labelNames: ['endpoint', 'namespace', 'outcome'],
      registers: [registry],
    }),
  };
}
