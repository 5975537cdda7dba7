/**
 * Falco's `program_output` with `keep_alive: true`: one `/bin/sh -c <command>` process reads
 * one line per alert on stdin. Lines wait in a bounded buffer while the pipe is full; a process
 * that exits is restarted on the next alert (at most once per `restartIntervalMs`).
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import type { Alert } from '../types.js';
import { formatAlertText, type AlertFormatter } from './alert.js';
import { SinkCounters, type AlertSink, type SinkStats } from './sink.js';

export interface ProgramSinkOptions {
  command: string;
  format?: AlertFormatter;
  /** Bytes of lines held while the pipe is full or the program restarts (default 8 MiB). */
  maxBufferedBytes?: number;
  /** Minimum time between two starts of the program (default 1 s). */
  restartIntervalMs?: number;
  /** The program's stdout and stderr (default inherit, as Falco's popen does). */
  output?: 'inherit' | 'ignore';
  /** How long close() waits for the buffer to drain and the program to exit (default 5 s). */
  closeTimeoutMs?: number;
}

export interface ProgramSink extends AlertSink {
  /** Times the program was started (1 + restarts). */
  starts(): number;
}

class ProgramChannel implements ProgramSink {
  private readonly counters = new SinkCounters();
  private readonly format: AlertFormatter;
  private child: ChildProcess | undefined;
  private writable = false;
  private pending: string[] = [];
  private pendingBytes = 0;
  private started = 0;
  private lastStart = -Infinity;
  private restartTimer: NodeJS.Timeout | undefined;
  private closing = false;
  private onDrained?: () => void;

  constructor(private readonly opts: ProgramSinkOptions) {
    this.format = opts.format ?? formatAlertText;
  }

  write(alert: Alert): void {
    if (this.closing) {
      this.counters.dropped++;
      return;
    }
    const line = `${this.format(alert)}\n`;
    const size = Buffer.byteLength(line);
    if (this.pendingBytes + size > (this.opts.maxBufferedBytes ?? 8 * 1024 * 1024)) {
      this.counters.dropped++;
      return;
    }
    this.pending.push(line);
    this.pendingBytes += size;
    this.flush();
  }

  private start(): void {
    const wait = this.lastStart + (this.opts.restartIntervalMs ?? 1000) - Date.now();
    if (wait > 0) {
      this.restartTimer ??= setTimeout(() => {
        this.restartTimer = undefined;
        this.flush();
      }, wait);
      return;
    }
    this.lastStart = Date.now();
    this.started++;
    const out = this.opts.output ?? 'inherit';
    const stdio: StdioOptions = ['pipe', out, out];
    const child = spawn('/bin/sh', ['-c', this.opts.command], { stdio });
    this.child = child;
    this.writable = true;
    child.stdin?.on('error', () => {}); // EPIPE after the program exits: the write callbacks count it
    child.stdin?.on('drain', () => {
      if (this.child === child) {
        this.writable = true;
        this.flush();
      }
    });
    const gone = (): void => {
      if (this.child !== child) return;
      this.child = undefined;
      this.writable = false;
      this.exited?.();
      if (this.pending.length > 0 && !this.closing) this.flush();
    };
    child.on('exit', gone);
    child.on('error', gone);
  }

  private exited?: () => void;

  private flush(): void {
    if (this.pending.length === 0) {
      this.onDrained?.();
      return;
    }
    if (!this.child) {
      if (this.closing) return;
      this.start();
      if (!this.child) return;
    }
    const stdin = this.child.stdin;
    while (this.writable && stdin && this.pending.length > 0) {
      const line = this.pending.shift() as string;
      this.pendingBytes -= Buffer.byteLength(line);
      this.writable = stdin.write(line, (err) => {
        if (err) this.counters.failed++;
        else this.counters.sent++;
      });
    }
    if (this.pending.length === 0) this.onDrained?.();
  }

  async close(): Promise<void> {
    if (this.closing) return;
    const deadline = Date.now() + (this.opts.closeTimeoutMs ?? 5000);
    const until = (p: Promise<void>): Promise<void> => {
      let timer: NodeJS.Timeout | undefined;
      return Promise.race([p, new Promise<void>((r) => (timer = setTimeout(r, Math.max(0, deadline - Date.now()))))]).finally(() => clearTimeout(timer));
    };
    if (this.pending.length > 0) await until(new Promise<void>((resolve) => (this.onDrained = resolve)));
    this.closing = true;
    clearTimeout(this.restartTimer);
    this.counters.dropped += this.pending.length;
    this.pending = [];
    this.pendingBytes = 0;
    const child = this.child;
    if (child) {
      const exited = new Promise<void>((resolve) => (this.exited = resolve));
      child.stdin?.end();
      await until(exited);
      if (this.child === child) child.kill('SIGTERM');
    }
  }

  starts(): number {
    return this.started;
  }

  stats(): SinkStats {
    return this.counters.snapshot();
  }
}

export function programSink(opts: ProgramSinkOptions): ProgramSink {
  return new ProgramChannel(opts);
}
