/**
 * Falco's `http_output`: one POST per alert. Alerts wait in a bounded queue and go out in the
 * background, with retries and backoff on 5xx, 408, 429 and connection errors, so a slow or
 * dead endpoint costs dropped alerts, never detection time.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Alert } from '../types.js';
import { formatAlertJson, type AlertFormatter } from './alert.js';
import { SinkCounters, type AlertSink, type SinkStats } from './sink.js';

export interface HttpSinkOptions {
  url: string;
  /** Body of each POST (default: the JSON alert, as Falco sends with json_output). */
  format?: AlertFormatter;
  /** Default `application/json`. */
  contentType?: string;
  userAgent?: string; // default palisade
  headers?: Record<string, string>;
  /** Alerts waiting to be sent; beyond this new alerts are dropped (default 10,000). */
  maxQueue?: number;
  /** Requests in flight at once (default 2). */
  concurrency?: number;
  /** Tries per alert, the first included (default 4). */
  maxAttempts?: number;
  /** First backoff; doubles per retry up to retryMaxMs (defaults 200 ms, 5 s). */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Per request (default 10 s). */
  timeoutMs?: number;
  /** How long close() waits for the queue to drain before dropping the rest (default 5 s). */
  closeTimeoutMs?: number;
}

type Outcome = 'ok' | 'retry' | 'reject';

function classify(status: number): Outcome {
  if (status >= 200 && status < 300) return 'ok';
  if (status === 0 || status === 408 || status === 429 || status >= 500) return 'retry';
  return 'reject';
}

class HttpSink implements AlertSink {
  private readonly counters = new SinkCounters();
  private readonly url: URL;
  private readonly agent: HttpAgent;
  private readonly format: AlertFormatter;
  /** Ring-free queue: a head index avoids O(n) shifts. */
  private queue: string[] = [];
  private head = 0;
  private inFlight = 0;
  private closing = false;
  private readonly abort = new AbortController();
  private onIdle?: () => void;

  constructor(private readonly opts: HttpSinkOptions) {
    this.url = new URL(opts.url);
    const secure = this.url.protocol === 'https:';
    this.agent = secure ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
    this.format = opts.format ?? ((a) => formatAlertJson(a));
  }

  private get queued(): number {
    return this.queue.length - this.head;
  }

  write(alert: Alert): void {
    if (this.closing || this.queued >= (this.opts.maxQueue ?? 10_000)) {
      this.counters.dropped++;
      return;
    }
    this.queue.push(this.format(alert));
    this.pump();
  }

  private take(): string | undefined {
    if (this.head >= this.queue.length) return undefined;
    const body = this.queue[this.head++];
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return body;
  }

  private pump(): void {
    while (this.inFlight < (this.opts.concurrency ?? 2) && !this.abort.signal.aborted) {
      const body = this.take();
      if (body === undefined) break;
      this.inFlight++;
      void this.deliver(body).finally(() => {
        this.inFlight--;
        if (this.queued > 0) this.pump();
        else if (this.inFlight === 0) this.onIdle?.();
      });
    }
  }

  private async deliver(body: string): Promise<void> {
    const attempts = Math.max(1, this.opts.maxAttempts ?? 4);
    let delay = this.opts.retryBaseMs ?? 200;
    for (let attempt = 1; ; attempt++) {
      const outcome = classify(await this.post(body));
      if (outcome === 'ok') {
        this.counters.sent++;
        return;
      }
      if (this.abort.signal.aborted) {
        this.counters.dropped++;
        return;
      }
      if (outcome === 'reject' || attempt >= attempts) {
        this.counters.failed++;
        return;
      }
      await this.sleep(delay);
      delay = Math.min(delay * 2, this.opts.retryMaxMs ?? 5000);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const signal = this.abort.signal;
      function done(): void {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done);
    });
  }

  /** The response status, or 0 when there was none (connection error, timeout, abort). */
  private post(body: string): Promise<number> {
    const payload = Buffer.from(body);
    const send = this.url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve) => {
      let settled = false;
      const finish = (status: number): void => {
        if (!settled) {
          settled = true;
          resolve(status);
        }
      };
      const req = send(this.url, {
        method: 'POST',
        agent: this.agent,
        signal: this.abort.signal,
        timeout: this.opts.timeoutMs ?? 10_000,
        headers: {
          'content-type': this.opts.contentType ?? 'application/json',
          'content-length': payload.length,
          'user-agent': this.opts.userAgent ?? 'palisade',
          ...this.opts.headers,
        },
      });
      req.on('response', (res: IncomingMessage) => {
        res.on('error', () => finish(0));
        res.on('end', () => finish(res.statusCode ?? 0));
        res.resume();
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => finish(0));
      req.end(payload);
    });
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    if (this.queued > 0 || this.inFlight > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => (this.onIdle = resolve)),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, this.opts.closeTimeoutMs ?? 5000))),
      ]);
      clearTimeout(timer);
    }
    // What is still waiting will not be sent; requests in flight are cancelled and counted as dropped.
    this.counters.dropped += this.queued;
    this.queue = [];
    this.head = 0;
    if (this.inFlight > 0) {
      const settled = new Promise<void>((resolve) => (this.onIdle = resolve));
      this.abort.abort();
      await settled;
    }
    this.agent.destroy();
  }

  stats(): SinkStats {
    return this.counters.snapshot();
  }
}

export function httpSink(opts: HttpSinkOptions): AlertSink {
  return new HttpSink(opts);
}
