// The catalogue benchmark's plumbing: a child process measures a corpus and reports back what
// the parent judges. No timing is asserted, only that the figures are of the right scan.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureInProcesses, warmUpPairsFor } from './catalogue.js';

test('measureInProcesses reports each fresh process and the median of their overheads', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'palisade-catalogue-test-'));
  try {
    const seen: number[] = [];
    const m = await measureInProcesses(dir, 300, { processes: 2, runs: 2, warmUpPairs: 0, onProcess: (_, i) => seen.push(i) });
    assert.deepEqual(seen, [0, 1]);
    assert.equal(m.processes.length, 2);
    for (const p of m.processes) {
      assert.equal(p.resources, 300);
      assert.equal(p.runs, 2);
      // The cks profile finds the corpus's planted problems; loading alone finds nothing.
      assert.ok(p.findings > 0, `findings: ${p.findings}`);
      assert.ok(p.load > 0 && p.full > 0);
      assert.equal(p.overhead, p.full / p.load - 1);
    }
    // Both processes scan the same corpus: the same findings.
    assert.equal(m.processes[0].findings, m.processes[1].findings);
    const over = m.processes.map((p) => p.overhead).sort((a, b) => a - b);
    assert.equal(m.lowest, over[0]);
    assert.equal(m.highest, over[1]);
    assert.equal(m.overhead, (over[0] + over[1]) / 2);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('small corpora get enough warm-up pairs to make ~20,000 resources, large ones one', () => {
  assert.equal(warmUpPairsFor(1_000), 20);
  assert.equal(warmUpPairsFor(10_000), 2);
  assert.equal(warmUpPairsFor(30_000), 2);
  assert.equal(warmUpPairsFor(100_000), 1);
  assert.equal(warmUpPairsFor(500), 40);
});
