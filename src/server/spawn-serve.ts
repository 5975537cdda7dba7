/**
 * `palisade audit serve` as a separate process, for tests and benchmarks: started on a free
 * loopback port, its URL read from the line it prints when it listens.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../bin/palisade.js', import.meta.url));

export interface ServeProcess {
  /** e.g. https://127.0.0.1:40123 */
  url: string;
  /** Sends the signal and waits for the process to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Runs `palisade audit serve --listen 127.0.0.1:0 ARGS…` and waits until it listens. */
export async function spawnServe(args: readonly string[]): Promise<ServeProcess> {
  const child = spawn(process.execPath, [bin, 'audit', 'serve', '--listen', '127.0.0.1:0', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let err = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
      const m = /listening on (https?:\/\/[^/\s]+)/.exec(err);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`audit serve exited ${code}: ${err.trim()}`)));
  });
  return {
    url,
    stop: async (signal = 'SIGTERM') => {
      child.kill(signal);
      await exited;
    },
  };
}
