#!/usr/bin/env node
import { main } from '../dist/cli/index.js';

// A reader that stops early (`palisade scan … | head`) closes the pipe. Stop quietly with the
// status a tool killed by SIGPIPE has (128 + 13), so `set -o pipefail` still sees the output was
// cut short, instead of dying on an unhandled 'error' event with a stack trace.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(141);
  process.stderr.write(`palisade: cannot write the output: ${err.message}\n`);
  process.exit(2);
});

main(process.argv).then(
  (code) => { process.exitCode = code; },
  (err) => {
    // Last line of defence: never print a stack trace to a user.
    process.stderr.write(`palisade: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
