/**
 * The NetworkPolicy benchmark: a reachability matrix over 1,000 pods in 50 namespaces with
 * 300 NetworkPolicies, on one core (target < 1 s from loaded resources to the matrix: model,
 * per-policy and per-rule bit sets, matrix). Also shown: parsing the YAML, a second port with
 * named ports only, the JSON rendering of the matrix, and a spot check of 5,000 random pairs
 * against the plain one-connection evaluator (any mismatch fails the run).
 *
 *   node dist/perf/netpol-bench.js [--quick]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseYamlText, type Resource } from '../model/index.js';
import { allowedSlow, buildModel, Engine, matrixAnswer, matrixJson, type Probe } from '../netpol/index.js';
import { collectGarbage, measure, printRows, progress, type BenchRow } from './measure.js';

const quick = process.argv.includes('--quick');
const NAMESPACES = 50;
const PODS_PER_NS = quick ? 4 : 20;
const POLICIES_PER_NS = 6;
const TARGET_MS = 1000;

/** A deterministic generator, so every run measures the same cluster. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function corpus(): string {
  const rand = rng(42);
  const docs: string[] = [];
  const apps = 10;
  for (let n = 0; n < NAMESPACES; n++) {
    const ns = `ns-${n}`;
    docs.push(`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n  labels: {team: team-${n % 5}, env: ${n % 3 === 0 ? 'prod' : 'dev'}}`);
    for (let i = 0; i < PODS_PER_NS; i++) {
      const app = `app-${i % apps}`;
      const http = 8000 + Math.floor(rand() * 3) * 80;
      const kind = i % 4 === 0 ? 'Deployment' : 'Pod';
      const labels = `{app: ${app}, tier: ${i % 3 === 0 ? 'web' : 'backend'}, monitored: "${i % 2 === 0}"}`;
      const containers = `[{name: c, image: registry.example/${app}:1, ports: [{name: http, containerPort: ${http}}, {name: metrics, containerPort: 9090}, {name: dns, containerPort: 53, protocol: UDP}]}]`;
      if (kind === 'Pod') {
        docs.push(`apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${app}-${i}\n  namespace: ${ns}\n  labels: ${labels}\nspec:\n  containers: ${containers}\nstatus:\n  podIP: 10.${n}.${i >> 8}.${i & 255}`);
      } else {
        docs.push(`apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${app}-${i}\n  namespace: ${ns}\nspec:\n  template:\n    metadata:\n      labels: ${labels}\n    spec:\n      containers: ${containers}`);
      }
    }
    const np = (name: string, spec: string) => docs.push(`apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: ${name}\n  namespace: ${ns}\nspec:\n${spec}`);
    np('default-deny', '  podSelector: {}\n  policyTypes: [Ingress, Egress]');
    np('allow-dns', '  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n  - to:\n    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}\n      podSelector: {matchLabels: {k8s-app: kube-dns}}\n    ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]');
    const a = n % apps;
    np('app-to-app', `  podSelector: {matchLabels: {app: app-${a}}}\n  ingress:\n  - from:\n    - podSelector: {matchLabels: {app: app-${(a + 1) % apps}}}\n    - podSelector: {matchExpressions: [{key: tier, operator: In, values: [web]}]}\n    ports: [{port: http}, {port: 80}]\n  egress:\n  - to:\n    - podSelector: {matchLabels: {tier: backend}}\n    ports: [{port: http}]`);
    np('from-team', `  podSelector: {matchLabels: {tier: backend}}\n  policyTypes: [Ingress]\n  ingress:\n  - from:\n    - namespaceSelector: {matchLabels: {team: team-${(n + 1) % 5}}}\n      podSelector: {matchLabels: {tier: web}}\n    ports: [{protocol: TCP, port: 8000, endPort: 8200}]`);
    np('from-outside', `  podSelector: {matchLabels: {tier: web}}\n  ingress:\n  - from:\n    - ipBlock: {cidr: 10.0.0.0/8, except: [10.${(n + 7) % NAMESPACES}.0.0/16]}\n    - ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}\n    ports: [{port: 80}, {port: 443}]`);
    np('monitoring', `  podSelector: {matchLabels: {monitored: "true"}}\n  ingress:\n  - from:\n    - namespaceSelector: {matchLabels: {env: prod}}\n      podSelector: {matchExpressions: [{key: app, operator: NotIn, values: [app-0, app-1]}]}\n    ports: [{port: metrics}]\n  egress:\n  - to:\n    - namespaceSelector: {}\n    ports: [{port: 80}, {port: http}]`);
  }
  return `${docs.join('\n---\n')}\n`;
}

async function main(): Promise<void> {
  const rows: BenchRow[] = [];
  progress('generating the cluster');
  const text = corpus();
  const t0 = performance.now();
  const parsed = parseYamlText(text, 'bench.yaml');
  const parseMs = performance.now() - t0;
  if (parsed.errors.length > 0) throw new Error(`corpus does not parse: ${parsed.errors[0].message}`);
  const resources: Resource[] = parsed.resources;
  const model = buildModel(resources);
  if (model.problems.length > 0) throw new Error(`corpus has problems: ${model.problems[0].message}`);
  const pods = model.pods.length;
  const policies = model.policies.length;
  progress(`${pods} pods (${model.pods.filter((p) => p.kind !== 'Pod').length} workload templates), ${model.namespaces.length} namespaces, ${policies} NetworkPolicies`);

  const http: Probe = { port: 8080, protocol: 'TCP' };
  const web: Probe = { port: 80, protocol: 'TCP' };
  let allowed80 = 0;
  // One timed run: model + compile + matrix, from resources already in memory.
  const full = await measure('model + bit sets + matrix 80/TCP', () => {
    const m = buildModel(resources);
    const e = new Engine(m);
    const rowsOut = e.matrix(web);
    allowed80 = rowsOut.reduce((n, r) => n + r.reduce((k, w) => k + popcount(w), 0), 0);
    return pods * pods;
  }, { runs: 5 });
  const bestFullMs = Math.min(...full.ms);

  const model2 = buildModel(resources);
  let engine!: Engine;
  const compile = await measure('model + bit sets only', () => {
    engine = new Engine(buildModel(resources));
    return policies;
  }, { runs: 5 });
  const matrixOnly = await measure('matrix 8080/TCP (named ports) on a compiled engine', () => {
    engine.matrix(http);
    return pods * pods;
  }, { runs: 5 });

  // From YAML text to the matrix, as `palisade netpol matrix` does after reading the file.
  const fromText = await measure('parse YAML + model + bit sets + matrix 80/TCP', () => {
    const e = new Engine(buildModel(parseYamlText(text, 'bench.yaml').resources));
    e.matrix(web);
    return pods * pods;
  }, { runs: 3 });
  const bestTextMs = Math.min(...fromText.ms);

  // The command itself: process start, reading the file, JSON out.
  const dir = mkdtempSync(join(tmpdir(), 'palisade-netpol-bench-'));
  let cliMs = NaN;
  try {
    writeFileSync(join(dir, 'cluster.yaml'), text);
    const bin = fileURLToPath(new URL('../../bin/palisade.js', import.meta.url));
    const c0 = performance.now();
    const r = spawnSync(process.execPath, [bin, 'netpol', 'matrix', join(dir, 'cluster.yaml'), '--format', 'json'], { encoding: 'utf8', maxBuffer: 256 << 20 });
    cliMs = performance.now() - c0;
    if (r.status !== 0) throw new Error(`palisade netpol matrix failed: ${r.stderr}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  collectGarbage();
  const answer = matrixAnswer(engine, web);
  const j0 = performance.now();
  const json = matrixJson(answer);
  const jsonMs = performance.now() - j0;

  // Spot check: random pairs on both ports against the plain evaluator.
  progress('spot check against the plain evaluator');
  const rand = rng(7);
  let mismatches = 0;
  const checked = 5000;
  for (const probe of [web, http]) {
    const matrix = engine.matrix(probe);
    for (let k = 0; k < checked / 2; k++) {
      const s = model2.pods[Math.floor(rand() * pods)];
      const d = model2.pods[Math.floor(rand() * pods)];
      const fast = (matrix[s.index][d.index >>> 5] & (1 << (d.index & 31))) !== 0;
      if (fast !== allowedSlow(model2, s, d, probe)) mismatches++;
    }
  }

  rows.push({ name: 'cluster', value: `${pods} pods`, note: `${model.namespaces.length} namespaces, ${policies} NetworkPolicies, ${(text.length / 1024).toFixed(0)} KiB of YAML` });
  rows.push({ name: 'parse YAML (once)', value: `${parseMs.toFixed(0)} ms`, note: 'the loader, before any NetworkPolicy work' });
  rows.push({
    name: 'matrix 80/TCP from resources', value: `${bestFullMs.toFixed(0)} ms`, target: `< ${TARGET_MS} ms`, pass: bestFullMs < TARGET_MS,
    note: `best of ${full.runs}, median ${medianOf(full.ms).toFixed(0)} ms: model + bit sets + ${pods}×${pods} matrix; ${allowed80.toLocaleString('en-US')} pairs allowed`,
  });
  rows.push({
    name: 'matrix 80/TCP from YAML text', value: `${bestTextMs.toFixed(0)} ms`, target: `< ${TARGET_MS} ms`, pass: bestTextMs < TARGET_MS,
    note: `best of ${fromText.runs}: parse + model + bit sets + matrix`,
  });
  rows.push({ name: '  of which model + bit sets', value: `${Math.min(...compile.ms).toFixed(0)} ms`, note: `best of ${compile.runs}` });
  rows.push({ name: 'matrix 8080/TCP, compiled engine', value: `${Math.min(...matrixOnly.ms).toFixed(0)} ms`, note: `best of ${matrixOnly.runs}; named ports resolved per destination` });
  rows.push({ name: 'matrix as JSON', value: `${jsonMs.toFixed(0)} ms`, note: `${(json.length / (1 << 20)).toFixed(1)} MiB (${(pods * pods).toLocaleString('en-US')} entries)` });
  rows.push({ name: 'palisade netpol matrix --format json', value: `${cliMs.toFixed(0)} ms`, note: 'the command end to end: node start-up, read the file, write the JSON' });
  rows.push({ name: 'spot check vs plain evaluator', value: `${mismatches} mismatches`, target: '0', pass: mismatches === 0, note: `${checked} random pairs on 80/TCP and 8080/TCP` });
  printRows(`Palisade NetworkPolicy benchmark — node ${process.version}, one core${quick ? ' (--quick)' : ''}`, rows);
  if (mismatches > 0) process.exitCode = 1;
}

function popcount(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

function medianOf(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

main().catch((err) => {
  process.stderr.write(`netpol-bench: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exitCode = 1;
});
