// `palisade … | head`: the reader closes the pipe after a few lines, and palisade stops quietly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

test('a reader that closes the pipe early ends the scan with status 141 and no stack trace', async () => {
  // SARIF of examples/ and the real-world fixtures: ~600 KB, many times a pipe's buffer (64 KB).
  const args = ['scan', join(root, 'examples'), join(root, 'test-fixtures', 'realworld'), '--profile', 'all', '--format', 'sarif'];
  const child = spawn(process.execPath, [join(root, 'bin', 'palisade.js'), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
  // Like `| head`: one read, then the pipe is closed without reading the rest.
  const first = await new Promise<string>((done) => child.stdout.once('data', (b: Buffer) => {
    child.stdout.pause();
    child.stdout.destroy();
    done(b.toString('utf8'));
  }));
  const status = await new Promise<number | null>((done) => child.on('close', (code) => done(code)));
  assert.match(first, /^\{/);
  assert.equal(status, 141);
  assert.doesNotMatch(stderr, /EPIPE|Error|    at /);
});
