#!/usr/bin/env node
// Runs node's test runner over the compiled tests: `unit` = dist/**/*.test.js,
// `conformance` = dist/**/*.conformance.js (these read ../shared/data and skip without it).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const kind = process.argv[2] ?? 'unit';
const suffix = kind === 'conformance' ? '.conformance.js' : '.test.js';

function find(dir, out = []) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) find(p, out);
    else if (name.endsWith(suffix)) out.push(p);
  }
  return out;
}

const files = find('dist');
if (files.length === 0) {
  console.error(`no ${kind} tests found under dist/`);
  process.exit(1);
}
const extra = process.argv.slice(3);
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...extra, ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
