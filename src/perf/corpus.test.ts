// The benchmark's corpus must be what it claims: hardened documents pass `restricted`,
// insecure ones do not, and the generators produce parseable text. No timing here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import jsYaml from 'js-yaml';
import { Engine, parsePssVersion } from '../checks/index.js';
import { parseJsonText, parseYamlText } from '../model/index.js';
import { emptyConfig } from '../policy/index.js';
import { INSECURE_VARIANTS, deployment, kubectlListText, streamYaml, toYaml, variantFor, yamlDocument } from './corpus.js';

const opts = { pss: { level: 'restricted' as const, minor: parsePssVersion('latest')! }, config: emptyConfig(), now: Date.now() };

test('the emitted YAML reads back as the generated object', () => {
  for (let i = 0; i < 200; i++) {
    const obj = deployment(i, { insecure: variantFor(i, 0.2) });
    assert.deepEqual(jsYaml.load(toYaml(obj)), obj, `document ${i}`);
  }
});

test('hardened documents pass restricted; every insecure variant fails it', () => {
  const text = Array.from({ length: 100 }, (_, i) => yamlDocument(i, 0.2)).join('');
  const parsed = parseYamlText(text, 'corpus.yaml');
  assert.equal(parsed.errors.length, 0);
  assert.equal(parsed.resources.length, 100);
  const seen = new Set<string>();
  parsed.resources.forEach((r, i) => {
    const variant = variantFor(i, 0.2);
    const findings = new Engine(opts).runResource(r).findings;
    if (variant) {
      seen.add(variant);
      assert.ok(findings.length > 0, `insecure document ${i} (${variant}) has no findings`);
    } else {
      assert.deepEqual(findings.map((f) => f.check), [], `hardened document ${i} has findings`);
    }
  });
  assert.deepEqual([...seen].sort(), [...INSECURE_VARIANTS].sort());
});

test('the insecure share is what was asked for, spread evenly', () => {
  const n = 1000;
  const insecure = Array.from({ length: n }, (_, i) => variantFor(i, 0.2)).filter(Boolean).length;
  assert.equal(insecure, 200);
  assert.equal(Array.from({ length: n }, (_, i) => variantFor(i, 0.02)).filter(Boolean).length, 20);
  // no run of hardened documents much longer than 1/share
  let run = 0;
  let longest = 0;
  for (let i = 0; i < n; i++) {
    run = variantFor(i, 0.2) ? 0 : run + 1;
    longest = Math.max(longest, run);
  }
  assert.ok(longest <= 5, `longest hardened run ${longest}`);
});

test('the kubectl-style dump is a List indented with 4 spaces', () => {
  const { text, insecure } = kubectlListText(50, 0.2);
  assert.equal(insecure, 10);
  assert.match(text, /^\{\n {4}"apiVersion": "v1",\n {4}"items": \[\n {8}\{/);
  const parsed = parseJsonText(text, 'dump.json');
  assert.equal(parsed.errors.length, 0);
  assert.equal(parsed.resources.length, 50);
  assert.ok(parsed.resources.every((r) => r.kind === 'Deployment' && r.namespace !== undefined));
});

test('streamYaml waits for drain, stops near the target and ends the stream', async () => {
  const out = new PassThrough({ highWaterMark: 16 << 10 });
  let received = 0;
  let maxBuffered = 0;
  const chunks: string[] = [];
  out.setEncoding('utf8');
  const consumed = (async () => {
    for await (const c of out) {
      maxBuffered = Math.max(maxBuffered, out.readableLength + out.writableLength);
      received += (c as string).length;
      chunks.push(c as string);
      await new Promise((r) => setImmediate(r)); // a slow reader
    }
  })();
  const target = 1 << 20;
  const chunkBytes = 32 << 10;
  const stats = await streamYaml(out, target, 0.02, chunkBytes);
  await consumed;
  assert.equal(received, stats.bytes);
  assert.ok(stats.bytes >= target && stats.bytes < target + chunkBytes + 4096, `wrote ${stats.bytes}`);
  assert.ok(maxBuffered <= 2 * chunkBytes + (16 << 10), `buffered ${maxBuffered} bytes`);
  const parsed = parseYamlText(chunks.join(''), '<stdin>');
  assert.equal(parsed.errors.length, 0);
  assert.equal(parsed.resources.length, stats.documents);
});
