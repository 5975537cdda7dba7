/**
 * Output channels (Falco's stdout/file/syslog/http/program outputs). Every `write` returns at
 * once: detection never waits for a channel. What a channel cannot take is counted as dropped,
 * what it could not deliver as failed.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import type { Alert } from '../types.js';
import { SinkCounters, type AlertSink, type SinkStats } from './sink.js';
import type { AlertFormatter } from './alert.js';
import { formatAlertText } from './alert.js';

export type { AlertSink, SinkStats } from './sink.js';

const DEFAULT_MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

export interface StreamSinkOptions {
  /** Line format (default: the text line). */
  format?: AlertFormatter;
  /** Bytes a stream may hold unwritten before new alerts are dropped (default 16 MiB). */
  maxBufferedBytes?: number;
}

/** Writes lines to a Node stream, counting completions from the write callbacks. */
class StreamSink implements AlertSink {
  protected readonly counters = new SinkCounters();
  private readonly format: AlertFormatter;
  private readonly maxBuffered: number;
  private broken = false;

  constructor(
    protected readonly stream: Writable,
    opts: StreamSinkOptions,
    private readonly endOnClose: boolean,
  ) {
    this.format = opts.format ?? formatAlertText;
    this.maxBuffered = opts.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
    stream.on('error', () => {
      this.broken = true;
    });
  }

  write(alert: Alert): void {
    if (this.broken || this.stream.destroyed || this.stream.writableEnded) {
      this.counters.failed++;
      return;
    }
    if (this.stream.writableLength > this.maxBuffered) {
      this.counters.dropped++;
      return;
    }
    this.stream.write(`${this.format(alert)}\n`, (err) => {
      if (err) this.counters.failed++;
      else this.counters.sent++;
    });
  }

  async close(): Promise<void> {
    const s = this.stream;
    if (s.destroyed || s.writableFinished) return;
    if (this.endOnClose) {
      await new Promise<void>((resolve) => {
        s.once('error', () => resolve());
        s.end(() => resolve());
      });
    } else if (s.writableNeedDrain) {
      await new Promise<void>((resolve) => s.once('drain', () => resolve()));
    }
  }

  stats(): SinkStats {
    return this.counters.snapshot();
  }
}

/** Falco's `stdout_output` (or any stream, which stays open on close). */
export function stdoutSink(opts: StreamSinkOptions & { stream?: Writable } = {}): AlertSink {
  return new StreamSink(opts.stream ?? process.stdout, opts, false);
}

/** Falco's `file_output`: appends one line per alert; the file is created if missing. */
export function fileSink(path: string, opts: StreamSinkOptions = {}): AlertSink {
  const stream: WriteStream = createWriteStream(path, { flags: 'a' });
  return new StreamSink(stream, opts, true);
}

/** Sends every alert to every sink. */
export class MultiSink implements AlertSink {
  constructor(readonly sinks: readonly AlertSink[]) {}

  write(alert: Alert): void {
    for (const sink of this.sinks) sink.write(alert);
  }

  async close(): Promise<void> {
    await Promise.all(this.sinks.map((s) => s.close()));
  }

  /** Totals over the sinks (each sink's own numbers: `sinks[i].stats()`). */
  stats(): SinkStats {
    const total = new SinkCounters();
    for (const s of this.sinks) {
      const st = s.stats();
      total.sent += st.sent;
      total.dropped += st.dropped;
      total.failed += st.failed;
    }
    return total.snapshot();
  }
}

export { syslogSink, type SyslogSinkOptions } from './syslog-sink.js';
export { httpSink, type HttpSinkOptions } from './http-sink.js';
export { programSink, type ProgramSinkOptions, type ProgramSink } from './program-sink.js';
