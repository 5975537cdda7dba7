/**
 * What the catalogue topic tests share (this is not a test file itself): running checks over a
 * YAML text the way `palisade scan` does, the shapes findings are compared in, line finders and
 * YAML builders.
 */
import assert from 'node:assert/strict';
import { parseYamlText, type Finding, type Resource } from '../../model/index.js';
import { isPodFact } from './inventory.js';
import { defaultParams } from './params.js';
import { addFactRow, CatalogueRunner, factRecords, type FactRecord, type FactRows, type ResourceRun } from './run.js';
import type { CheckParams } from './types.js';

export interface ScanOutcome {
  /**
   * Per-resource findings, resource by resource in input order and within a resource as the
   * checks reported them (a scan also sorts them by line), then the cross-resource findings.
   */
  findings: Finding[];
  /** Checks that failed on a resource or while evaluating (a bug in a check). */
  warnings: string[];
  resources: Resource[];
}

/**
 * Runs the checks `ids` over every resource of `yaml` (which must parse without errors) as a
 * scan does, both ways a scan can: as in a worker thread (facts copied by structured clone,
 * lines looked up at collect time) and as on the main thread (facts kept as they are, lines of
 * documents looked up only when a cross-resource check reports), then the cross-resource checks
 * judge all facts. Both ways must give the same findings and warnings; the outcome is the
 * worker's. `params` override the defaults key by key.
 */
export function scanText(yaml: string, ids: string | readonly string[], params: Partial<CheckParams> = {}): ScanOutcome {
  const worker = scanOnce(yaml, ids, params, false);
  const main = scanOnce(yaml, ids, params, true);
  assert.deepEqual(main.findings, worker.findings, 'the main thread (lines looked up when reported) and a worker (lines looked up at once) disagree');
  assert.deepEqual(main.warnings, worker.warnings);
  return worker;
}

/** One resource through the runner (no ignore annotations): its findings, warnings and fact records. */
export function runOne(runner: CatalogueRunner, resource: Resource): ResourceRun & { facts: FactRecord[] } {
  const rows: FactRows = [];
  const run = runner.run(resource, () => [], undefined, rows);
  return { ...run, facts: factRecords(rows) };
}

function scanOnce(yaml: string, ids: string | readonly string[], params: Partial<CheckParams>, keepLines: boolean): ScanOutcome {
  const { resources, errors } = parseYamlText(yaml, 'x.yaml');
  assert.deepEqual(errors, []);
  const runner = new CatalogueRunner(typeof ids === 'string' ? [ids] : ids, { ...defaultParams(), ...params });
  runner.keepLines = keepLines;
  const findings: Finding[] = [];
  const warnings: string[] = [];
  const facts: FactRows = [];
  const lookups = { count: 0, seen: new Set<unknown>() };
  for (const resource of resources) {
    const run = runOne(runner, resource);
    findings.push(...run.findings);
    warnings.push(...run.warnings);
    for (const f of run.facts) {
      if (keepLines) {
        countLaterLookups(f.fact, lookups);
        addFactRow(facts, f.checks, f.subject, f.fact, f.ignores);
        continue;
      }
      // Facts must survive the trip from a worker thread unchanged (as data).
      const sent = structuredClone(f.fact) as unknown;
      assert.deepEqual(sent, f.fact !== null && typeof f.fact === 'object' && !Array.isArray(f.fact) ? { ...f.fact } : f.fact);
      addFactRow(facts, f.checks, f.subject, sent, f.ignores);
    }
  }
  const reported = runner.evaluate(facts, warnings);
  for (const { finding } of reported) findings.push(finding);
  // Kept documents are looked into only for what is reported (at most one line per finding).
  assert.ok(lookups.count <= reported.length, `${lookups.count} lines of kept documents looked up for ${reported.length} cross-resource findings`);
  return { findings, warnings, resources };
}

/** Counts the lookups into a PodFact's kept document (each PodFact is counted once). */
function countLaterLookups(fact: unknown, lookups: { count: number; seen: Set<unknown> }): void {
  if (!isPodFact(fact) || !fact.later || lookups.seen.has(fact)) return;
  lookups.seen.add(fact);
  const kept = fact.later;
  fact.later = { lineOf: (path) => { lookups.count++; return kept.lineOf(path); } };
}

/** scanText's findings, failing the test when a check crashed. */
export function findingsOf(yaml: string, ids: string | readonly string[], params: Partial<CheckParams> = {}): Finding[] {
  const { findings, warnings } = scanText(yaml, ids, params);
  assert.deepEqual(warnings, []);
  return findings;
}

export interface Brief { check: string; severity: string; path: string; line: number; message: string }
export interface NamedBrief extends Brief { name: string }

/** A finding without the check's metadata. */
export function brief(f: Finding): Brief {
  return { check: f.check, severity: f.severity, path: f.path, line: f.line, message: f.message };
}

/** brief() with the resource's name, for texts with several resources. */
export function namedBrief(f: Finding): NamedBrief {
  return { check: f.check, severity: f.severity, name: f.resource.name, path: f.path, line: f.line, message: f.message };
}

/** Findings as [check, path, message, line, severity] rows. */
export function rows(findings: readonly Finding[]): Array<[string, string, string, number, string]> {
  return findings.map((x) => [x.check, x.path, x.message, x.line, x.severity]);
}

/** 1-based line of the nth line containing `needle` (or matching it). */
export function lineOf(text: string, needle: string | RegExp, nth = 1): number {
  const lines = text.split('\n');
  let seen = 0;
  for (let i = 0; i < lines.length; i++) {
    if ((typeof needle === 'string' ? lines[i].includes(needle) : needle.test(lines[i])) && ++seen === nth) return i + 1;
  }
  throw new Error(`${needle} not found`);
}

/** 1-based line of the first `needle` after `marker` in `text`. */
export function lineAfter(text: string, marker: string, needle: string): number {
  const start = text.indexOf(marker);
  assert.notEqual(start, -1, marker);
  const at = text.indexOf(needle, start);
  assert.notEqual(at, -1, needle);
  return text.slice(0, at).split('\n').length;
}

/** A Pod named p: `meta` lines (indented 2) go into its metadata, `spec` lines into its spec. */
export function pod(spec: string, meta = ''): string {
  return `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n${meta}spec:\n${spec}`;
}

/** An object with a name and, unless `ns` is undefined, a namespace; `body` follows its metadata. */
export function manifest(apiVersion: string, kind: string, name: string, ns: string | undefined, body = ''): string {
  return `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata:\n  name: ${name}\n${ns !== undefined ? `  namespace: ${ns}\n` : ''}${body}`;
}

export interface WorkloadOptions {
  /** Default Deployment. */
  kind?: string;
  namespace?: string;
  /** The pod template's labels, as a YAML flow mapping. Default `{app: <name>}`. */
  labels?: string;
  replicas?: string;
  /** Pod spec lines (indented 6) before the containers. */
  podSpec?: string;
  /** The containers lines (indented 6). Default one nginx container named c. */
  containers?: string;
}

/** An apps/v1 workload (a Deployment unless `kind` says otherwise) with a pod template. */
export function deployment(name: string, opts: WorkloadOptions = {}): string {
  const { kind = 'Deployment', namespace, labels = `{app: ${name}}`, replicas, podSpec = '', containers = '      containers: [{name: c, image: nginx}]' } = opts;
  return manifest('apps/v1', kind, name, namespace, `spec:
${replicas !== undefined ? `  replicas: ${replicas}\n` : ''}  template:
    metadata:
      labels: ${labels}
    spec:
${podSpec}${containers}`);
}
