/** Where the upstream data sets live (../shared/data beside the project), for conformance tests. */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function sharedDataDir(): string {
  return process.env.PALISADE_SHARED_DATA ?? resolve(projectRoot, '..', 'shared', 'data');
}

/** The folder of one data set, or undefined (with a one-line message) when it is absent. */
export function dataSet(name: string): string | undefined {
  const dir = resolve(sharedDataDir(), name);
  if (!existsSync(dir)) {
    console.log(`conformance: ${name}: skipped (no data at ${dir})`);
    return undefined;
  }
  return dir;
}

/** The per-data-set closing line the README promises. */
export function report(name: string, passed: number, failed: number): void {
  console.log(`${name}: ${passed} passed, ${failed} failed`);
}
