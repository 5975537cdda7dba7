/**
 * A `palisade … serve` command (`serve`, `audit serve`) as a separate process, for tests and
 * benchmarks: started on a free loopback port, its URL read from the line it prints when it
 * listens, and killed when this process exits, whatever happens to the caller.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../bin/palisade.js', import.meta.url));

export interface ServeProcess {
  /** e.g. https://127.0.0.1:40123 */
  url: string;
  /** The server's process id (for its CPU time in /proc, or a profiler). */
  pid: number;
  /** What the server has printed on stderr so far (the last 64 KiB). */
  stderr(): string;
  /** Sends the signal and waits for the process to exit (at once if it already has). */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface SpawnServeOptions {
  /** Node options before the script, e.g. `['--cpu-prof', '--cpu-prof-dir', dir]`. */
  nodeArgs?: readonly string[];
  /** Environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Working directory (default: this process's), where a `./.palisade.yaml` would be read. */
  cwd?: string;
  /** How long to wait for the server to listen (ms, default 30,000). */
  timeoutMs?: number;
}

const STDERR_KEEP = 64 * 1024;

/**
 * Runs `palisade COMMAND…` (e.g. `['serve', '--tls-cert', f, '--tls-key', k]` or
 * `['audit', 'serve', …]`) with `--listen 127.0.0.1:0` unless the command has its own `--listen`,
 * and waits until it listens.
 */
export async function spawnServe(command: readonly string[], opts: SpawnServeOptions = {}): Promise<ServeProcess> {
  const listen = command.some((a) => a === '--listen' || a.startsWith('--listen=')) ? [] : ['--listen', '127.0.0.1:0'];
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), bin, ...command, ...listen], {
    stdio: ['ignore', 'ignore', 'pipe'],
    ...(opts.env ? { env: opts.env } : {}),
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
  });
  let exitCode: number | null | undefined;
  let exitSignal: NodeJS.Signals | null = null;
  const exited = new Promise<void>((resolve) => child.once('exit', (code, signal) => {
    exitCode = code;
    exitSignal = signal;
    resolve();
  }));
  // A caller that throws, or a process that exits without stopping the server, leaves no orphan.
  const killOnExit = () => { if (exitCode === undefined) child.kill('SIGKILL'); };
  process.once('exit', killOnExit);
  void exited.then(() => process.removeListener('exit', killOnExit));

  let err = '';
  child.stderr.setEncoding('utf8');
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`palisade ${command.join(' ')} did not listen within ${opts.timeoutMs ?? 30_000} ms: ${err.trim()}`));
    }, opts.timeoutMs ?? 30_000);
    child.stderr.on('data', (c: string) => {
      err += c;
      if (err.length > STDERR_KEEP) err = err.slice(-STDERR_KEEP);
      const m = /listening on (https?:\/\/[^/\s]+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`palisade ${command.join(' ')} exited ${exitCode ?? exitSignal}: ${err.trim()}`));
    });
  });
  return {
    url,
    pid: child.pid ?? 0,
    stderr: () => err,
    stop: async (signal = 'SIGTERM') => {
      if (exitCode === undefined) child.kill(signal);
      await exited;
    },
  };
}
