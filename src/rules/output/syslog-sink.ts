/**
 * Falco's `syslog_output` over UDP. Falco calls syslog(3) with the priority as the level;
 * here the datagram goes to a configurable host:port (127.0.0.1:514 by default), which any
 * syslog daemon and a test listener can receive.
 */
import { createSocket, type Socket } from 'node:dgram';
import { hostname as osHostname } from 'node:os';
import type { Alert } from '../types.js';
import { formatAlertText, type AlertFormatter } from './alert.js';
import { syslogSeverity } from './priority.js';
import { SinkCounters, type AlertSink, type SinkStats } from './sink.js';

export interface SyslogSinkOptions {
  host?: string; // default 127.0.0.1
  port?: number; // default 514
  /** Syslog facility number (default 1, `user`, what syslog(3) uses without openlog). */
  facility?: number;
  /** Header layout (default rfc5424). */
  protocol?: 'rfc5424' | 'rfc3164';
  appName?: string; // default palisade
  /** HOSTNAME in the header (default: the machine's name). */
  hostname?: string;
  /** Message body (default: the text line). */
  format?: AlertFormatter;
  /** Datagrams waiting in the socket before new alerts are dropped (default 10,000). */
  maxQueued?: number;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The alert's time as a Date (milliseconds are enough for syslog headers). */
function alertDate(alert: Alert): Date {
  const d = new Date(`${alert.time.slice(0, 23)}Z`);
  return Number.isNaN(d.getTime()) ? new Date() : d;
}

/** RFC 5424 allows at most 6 fractional digits. */
function rfc5424Time(alert: Alert): string {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}/.test(alert.time) ? `${alert.time.slice(0, 26)}Z` : alertDate(alert).toISOString();
}

/** RFC 3164 `Mmm dd hh:mm:ss` in local time, day padded with a space. */
function rfc3164Time(alert: Alert): string {
  const d = alertDate(alert);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A whole syslog datagram for one alert. */
export function syslogMessage(alert: Alert, opts: SyslogSinkOptions = {}): string {
  const pri = (opts.facility ?? 1) * 8 + syslogSeverity(alert.priority);
  const host = opts.hostname ?? osHostname();
  const app = opts.appName ?? 'palisade';
  const body = (opts.format ?? formatAlertText)(alert);
  if (opts.protocol === 'rfc3164') return `<${pri}>${rfc3164Time(alert)} ${host} ${app}[${process.pid}]: ${body}`;
  return `<${pri}>1 ${rfc5424Time(alert)} ${host} ${app} ${process.pid} - - ${body}`;
}

class SyslogSink implements AlertSink {
  private readonly counters = new SinkCounters();
  private readonly socket: Socket;
  private pending = 0;
  private closed = false;

  constructor(private readonly opts: SyslogSinkOptions) {
    this.socket = createSocket(opts.host?.includes(':') ? 'udp6' : 'udp4');
    // Errors come back through the send callbacks; this keeps a socket error from being fatal.
    this.socket.on('error', () => {});
    this.socket.unref();
  }

  write(alert: Alert): void {
    if (this.closed) {
      this.counters.dropped++;
      return;
    }
    if (this.pending >= (this.opts.maxQueued ?? 10_000)) {
      this.counters.dropped++;
      return;
    }
    this.pending++;
    this.socket.ref();
    const message = Buffer.from(syslogMessage(alert, this.opts));
    this.socket.send(message, this.opts.port ?? 514, this.opts.host ?? '127.0.0.1', (err) => {
      this.pending--;
      if (err) this.counters.failed++;
      else this.counters.sent++;
      if (this.pending === 0) {
        this.socket.unref();
        this.idle?.();
      }
    });
  }

  private idle?: () => void;

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.pending > 0) await new Promise<void>((resolve) => (this.idle = resolve));
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }

  stats(): SinkStats {
    return this.counters.snapshot();
  }
}

export function syslogSink(opts: SyslogSinkOptions = {}): AlertSink {
  return new SyslogSink(opts);
}
