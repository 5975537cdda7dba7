import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { readUnits, type Unit } from './read.js';
import { parseUnit } from './load.js';

const serviceAccounts = (n: number) => Array.from({ length: n }, (_, i) => `apiVersion: v1
kind: ServiceAccount
metadata:
  name: sa-${i}
  namespace: team
automountServiceAccountToken: true
`).join('---\n');

/** The file's YAML units, read with its stamp (as a scan reads the files it keeps lines for) or without. */
async function unitsOf(path: string, stamped = true): Promise<Extract<Unit, { type: 'yaml' }>[]> {
  const out: Extract<Unit, { type: 'yaml' }>[] = [];
  const st = statSync(path);
  const stamp = stamped ? { path, size: st.size, mtimeMs: st.mtimeMs } : undefined;
  for await (const u of readUnits({ kind: 'file', path, display: path }, undefined, stamp)) {
    assert.equal(u.type, 'yaml');
    out.push(u as Extract<Unit, { type: 'yaml' }>);
  }
  return out;
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'palisade-read-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('an ASCII file: every document knows its bytes in the file, also past a byte order mark and across 1 MB reads', () =>
  withDir(async (dir) => {
    const path = join(dir, 'many.yaml');
    // ~3 MB: documents straddle the 1 MB pieces the file is read in.
    await writeFile(path, `\uFEFF${serviceAccounts(25_000)}`);
    const units = await unitsOf(path);
    assert.equal(units.length, 25_000);
    const bytes = await readFile(path);
    for (const u of [units[0], units[1], ...units.filter((_, i) => i % 997 === 0), units.at(-1)!]) {
      const src = u.chunk.source;
      assert.ok(src, `document ${u.doc} has a region`);
      assert.equal(bytes.subarray(src.offset, src.offset + src.length).toString('latin1'), u.chunk.text);
    }
    assert.equal(units[0].chunk.source!.offset, 3, 'the byte order mark is skipped');
  }));

test('no regions where bytes and characters differ (non-ASCII text), the input cannot be read again (stdin), or the reader did not ask', () =>
  withDir(async (dir) => {
    const path = join(dir, 'accents.yaml');
    await writeFile(path, `${serviceAccounts(2)}---\nkind: ConfigMap\ndata: {greeting: "héllo"}\n`);
    const units = await unitsOf(path);
    assert.equal(units.length, 3);
    assert.ok(units.every((u) => u.chunk.source === undefined));
    const ascii = join(dir, 'ascii.yaml');
    await writeFile(ascii, serviceAccounts(2));
    assert.ok((await unitsOf(ascii)).every((u) => u.chunk.source !== undefined));
    assert.ok((await unitsOf(ascii, false)).every((u) => u.chunk.source === undefined), 'no stamp, no regions');
    const stdin: Unit[] = [];
    for await (const u of readUnits({ kind: 'stdin', display: '<stdin>' }, Readable.from([serviceAccounts(2)]))) stdin.push(u);
    assert.equal(stdin.length, 2);
    assert.ok(stdin.every((u) => u.type === 'yaml' && u.chunk.source === undefined));
  }));

test('lines for later read the document again from its file; a file changed since gives the document\'s first line', () =>
  withDir(async (dir) => {
    const path = join(dir, 'sa.yaml');
    await writeFile(path, `# leading comment\n---\n${serviceAccounts(3)}`);
    const units = await unitsOf(path);
    const resources = units.map((u) => parseUnit(u).resources[0]);
    const path2 = ['automountServiceAccountToken'];
    const later = resources.map((r) => r.linesForLater()!);
    assert.deepEqual(later.map((l) => l.lineOf(path2)), resources.map((r) => r.lineOf(path2)));
    assert.deepEqual(later.map((l) => l.lineOf(path2)), [8, 15, 22]);
    assert.equal(later[1].lineOf(['metadata', 'name']), 13);
    // Rewritten with something else there: the region no longer holds the document.
    await appendFile(path, '# appended\n');
    const fresh = units.map((u) => parseUnit(u).resources[0].linesForLater()!);
    assert.deepEqual(fresh.map((l) => l.lineOf(path2)), [3, 10, 17]);
  }));

test('lines for later keep their file open only for the pass that asks for them', { skip: !existsSync('/proc/self/fd') && 'no /proc/self/fd' }, () =>
  withDir(async (dir) => {
    const path = join(dir, 'sa.yaml');
    await writeFile(path, serviceAccounts(50));
    const later = (await unitsOf(path)).map((u) => parseUnit(u).resources[0].linesForLater()!);
    await new Promise((r) => setImmediate(r));
    const open = () => readdirSync('/proc/self/fd').length;
    const before = open();
    // Every document of the file in one synchronous pass, as cross-resource checks report: one descriptor.
    assert.deepEqual(later.map((l) => l.lineOf(['automountServiceAccountToken'])), later.map((_, i) => 6 + 7 * i));
    assert.equal(open(), before + 1);
    await new Promise((r) => setImmediate(r));
    assert.equal(open(), before, 'closed once the pass is over');
  }));
