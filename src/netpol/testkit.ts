/**
 * What the netpol tests share (not a test file itself): models from YAML text, matrices
 * printed as grids (rows: from, columns: to; X allowed, . denied) and compared as text so a
 * failure shows the whole table, and a cross-check of every pair against the slow evaluator.
 */
import assert from 'node:assert/strict';
import { parseYamlText } from '../model/index.js';
import * as B from './bitset.js';
import { buildModel } from './build.js';
import { parseProbe } from './describe.js';
import { allowedSlow, Engine } from './engine.js';
import type { NetpolModel, Probe } from './types.js';

export function modelOf(yaml: string, opts: { problems?: boolean } = {}): NetpolModel {
  const { resources, errors } = parseYamlText(yaml, 'input.yaml');
  assert.deepEqual(errors, []);
  const model = buildModel(resources);
  if (!opts.problems) assert.deepEqual(model.problems.map((p) => `${p.check}: ${p.message}`), []);
  return model;
}

export function probe(text: string): Probe {
  const p = parseProbe(text);
  assert.ok(typeof p !== 'string', p as string);
  return p as Probe;
}

/** The matrix as a grid over `ids` (default: every pod, in model order). */
export function grid(model: NetpolModel, port: string, ids?: readonly string[]): string {
  const engine = new Engine(model);
  const pr = probe(port);
  const rows = engine.matrix(pr);
  const pods = ids ? ids.map((id) => { const p = model.pods.find((x) => x.id === id); assert.ok(p, `no pod ${id}`); return p!; }) : model.pods;
  // Every pair also against the one-connection-at-a-time reading of the semantics.
  for (const s of model.pods) {
    for (const d of model.pods) {
      assert.equal(B.has(rows[s.index], d.index), allowedSlow(model, s, d, pr), `matrix and slow evaluator disagree on ${s.id} -> ${d.id} ${port}`);
      assert.equal(engine.allowed(s, d, pr), allowedSlow(model, s, d, pr), `explain and slow evaluator disagree on ${s.id} -> ${d.id} ${port}`);
    }
  }
  return render(pods.map((p) => p.id), pods.map((src) => [src.id, ...pods.map((d) => (B.has(rows[src.index], d.index) ? 'X' : '.'))]));
}

/** Aligned: a header of destination ids, then one row per source. */
function render(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const w = Math.max(0, ...rows.map((r) => r[0].length));
  const lines = [`${''.padEnd(w)} ${header.join(' ')}`];
  for (const r of rows) lines.push(`${r[0].padEnd(w)} ${r.slice(1).map((c, i) => c.padEnd(header[i]?.length ?? 1)).join(' ')}`.trimEnd());
  return lines.join('\n');
}

/** A grid written in a test, whatever its spacing: the first line names the destinations, each further line a source and its cells. */
export function table(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const header = lines[0].split(/\s+/);
  const rows = lines.slice(1).map((l) => l.split(/\s+/));
  for (const r of rows) assert.equal(r.length, header.length + 1, `row ${r[0]} has ${r.length - 1} cells for ${header.length} columns`);
  return render(header, rows);
}

/** Namespace objects with labels: `ns('x', {team: 'a'})`. */
export function ns(name: string, labels: Record<string, string> = {}): string {
  return `---
apiVersion: v1
kind: Namespace
metadata:
  name: ${name}
  labels: ${JSON.stringify(labels)}
`;
}

export interface PodOpts {
  labels?: Record<string, string>;
  ip?: string;
  ports?: Array<{ name?: string; containerPort: number; protocol?: string }>;
}

export function pod(namespace: string, name: string, opts: PodOpts = {}): string {
  return `---
apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: ${namespace}
  labels: ${JSON.stringify(opts.labels ?? { pod: name })}
spec:
  containers:
  - name: c
    image: registry.example/app:1
    ports: ${JSON.stringify(opts.ports ?? [])}
${opts.ip ? `status:\n  podIP: ${opts.ip}\n` : ''}`;
}

/** A NetworkPolicy from a spec written as JSON-compatible data. */
export function policy(namespace: string, name: string, spec: unknown): string {
  return `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: ${name}
  namespace: ${namespace}
spec: ${JSON.stringify(spec)}
`;
}

/**
 * The upstream e2e suite's world (test/e2e/network/netpol): namespaces x, y, z; pods a, b, c
 * labelled pod=<name>, serving 80 and 81 on TCP and UDP under names serve-<port>-<proto>;
 * IPs 10.0.<ns>.<pod> (x=1, y=2, z=3; a=1, b=2, c=3).
 */
export function e2eWorld(): string {
  let out = '';
  ['x', 'y', 'z'].forEach((n, i) => {
    out += ns(n);
    ['a', 'b', 'c'].forEach((p, j) => {
      out += pod(n, p, {
        ip: `10.0.${i + 1}.${j + 1}`,
        ports: [80, 81].flatMap((port) => ['TCP', 'UDP'].map((protocol) => ({ name: `serve-${port}-${protocol.toLowerCase()}`, containerPort: port, protocol }))),
      });
    });
  });
  return out;
}

export const E2E_PODS = ['x/a', 'x/b', 'x/c', 'y/a', 'y/b', 'y/c', 'z/a', 'z/b', 'z/c'];
