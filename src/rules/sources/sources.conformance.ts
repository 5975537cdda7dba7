// Event sources against upstream data (../shared/data/falco): the k8s audit fixtures Falco's
// tests replay, the fields the upstream rules files use, and sysdig JSON captures when present.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { dataSet, report } from '../../conformance/data.js';
import type { FieldDef, FieldSource } from '../types.js';
import { parseCondition } from '../lang/index.js';
import { createK8sAuditSource, createSyscallSource, readEvents } from './index.js';

const dir = dataSet('falco');
/** The first of the candidate paths that exists, or undefined with a one-line skip message. */
function firstExisting(...paths: string[]): string | undefined {
  const found = paths.map((p) => join(dir ?? '', p)).find((p) => existsSync(p));
  if (found === undefined) console.log(`conformance: falco/${paths[0]}: skipped (not in the data set)`);
  return found;
}

/** Arguments worth trying for a field: none, an index, a key, a pointer. */
function argsFor(def: FieldDef): Array<string | undefined> {
  if (def.arg === 'required') return def.name.endsWith('.value') ? ['/stage', '/requestObject/spec/containers/0/image'] : ['command', '/etc*'];
  if (def.arg === 'optional') return [undefined, '0'];
  return [undefined];
}

function bindAll<E>(source: FieldSource<E>) {
  return source.fields.flatMap((def) =>
    // `evt.rawarg` only takes its argument dotted (`evt.rawarg.res`).
    def.dottedArg ? [source.bind(`${def.name}.res`)] : argsFor(def).map((arg) => source.bind(def.name, arg)),
  );
}

const fixturesDir = dir && firstExisting('k8saudit/fixtures', 'k8saudit-fixtures');

test('k8s audit fixtures: every field extracts on every event', { skip: fixturesDir === undefined }, async () => {
  const bound = bindAll(createK8sAuditSource());
  let passed = 0;
  let failed = 0;
  for (const name of readdirSync(fixturesDir!).filter((n) => n.endsWith('.json')).sort()) {
    let events = 0;
    const errors: string[] = [];
    try {
      for await (const item of readEvents(join(fixturesDir!, name), 'k8s_audit')) {
        if ('error' in item) {
          errors.push(`line ${item.line}: ${item.error}`);
          continue;
        }
        events++;
        for (const b of bound) b.extract(item.event);
      }
    } catch (e) {
      errors.push(`threw: ${String(e)}`);
    }
    const ok = name === 'fal_01_003.json'
      ? errors.length === 1 && errors[0].includes('data not recognized as a k8s audit event') && events === 0
      : errors.length === 0 && events > 0;
    if (ok) passed++;
    else {
      failed++;
      console.log(`  ${name}: ${events} events, errors: ${errors.join('; ') || 'none'}`);
    }
  }
  report('k8s audit fixtures', passed, failed);
  assert.equal(failed, 0);
});

/** Field nodes of a parsed condition, as `name` or `name[arg]`. */
function conditionFields(node: unknown, out: Set<string>): void {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const child of node) conditionFields(child, out);
    return;
  }
  const n = node as Record<string, unknown>;
  if (n.type === 'field') out.add(n.arg === undefined ? String(n.field) : `${String(n.field)}[${String(n.arg)}]`);
  for (const key of ['children', 'child', 'left', 'right', 'args']) conditionFields(n[key], out);
}

/** Field tokens of conditions (from the parsed AST) and outputs (by pattern). */
function ruleFieldTokens(file: string, outputPattern: RegExp): Set<string> {
  const items = parse(readFileSync(file, 'utf8')) as Array<Record<string, unknown>> | null;
  const tokens = new Set<string>();
  for (const item of items ?? []) {
    if (typeof item.condition === 'string') {
      try {
        conditionFields(parseCondition(item.condition), tokens);
      } catch (e) {
        tokens.add(`<unparsable condition of ${String(item.rule ?? item.macro)}: ${(e as Error).message}>`);
      }
    }
    if (typeof item.output === 'string') {
      for (const m of item.output.matchAll(outputPattern)) tokens.add(m[0]);
    }
  }
  return tokens;
}

function bindTokens<E>(label: string, source: FieldSource<E>, tokens: Iterable<string>): void {
  let passed = 0;
  let failed = 0;
  for (const token of tokens) {
    const m = /^([^[]+)(?:\[(.*)\])?$/.exec(token);
    try {
      if (!m) throw new Error('not a field token');
      source.bind(m[1], m[2]);
      passed++;
    } catch (e) {
      failed++;
      console.log(`  ${token}: ${(e as Error).message}`);
    }
  }
  report(label, passed, failed);
  assert.equal(failed, 0);
}

const k8sRules = dir && firstExisting('k8saudit/rules/k8s_audit_rules.yaml', 'k8saudit-rules/k8s_audit_rules.yaml');

test('k8s audit rules: every ka./jevt. field resolves', { skip: k8sRules === undefined }, () => {
  const tokens = ruleFieldTokens(k8sRules!, /\b(?:ka|jevt|json)\.[A-Za-z_.]+[A-Za-z_](?:\[[^\]\s]*\])?/g);
  assert.ok(tokens.size > 30);
  bindTokens('k8s audit rule fields', createK8sAuditSource(), tokens);
});

const syscallRulesDir = dir && firstExisting('rules');

test('syscall rules: every field of the upstream rules files resolves', { skip: syscallRulesDir === undefined }, () => {
  const tokens = new Set<string>();
  const pattern = /(?<![\w./-])(?:evt|proc|thread|user|group|fd|fdlist|fs|container|k8s)\.[A-Za-z0-9_.]*[A-Za-z0-9_](?:\[[^\]\s]*\])?/g;
  for (const name of readdirSync(syscallRulesDir!).filter((n) => n.endsWith('.yaml'))) {
    for (const t of ruleFieldTokens(join(syscallRulesDir!, name), pattern)) tokens.add(t);
  }
  tokens.delete('container.info'); // output-only magic token, not a field (falco.md §3.2)
  assert.ok(tokens.size > 80);
  bindTokens('syscall rule fields', createSyscallSource(), tokens);
});

const scapDir = dir && firstExisting('scap');

test('sysdig JSON captures: every field extracts on every event', { skip: scapDir === undefined }, async () => {
  const source = createSyscallSource();
  const bound = bindAll(source);
  let passed = 0;
  let failed = 0;
  for (const name of readdirSync(scapDir!).filter((n) => n.endsWith('.jsonl')).sort()) {
    let ok = true;
    for await (const item of readEvents(join(scapDir!, name), 'syscall')) {
      if ('error' in item) {
        ok = false;
        console.log(`  ${name}:${item.line}: ${item.error}`);
        continue;
      }
      const event = item.event as Record<string, unknown>;
      for (const b of bound) b.extract(event);
      if (source.eventType(event) === undefined) ok = false;
    }
    if (ok) passed++;
    else failed++;
  }
  report('sysdig captures', passed, failed);
  assert.equal(failed, 0);
});
