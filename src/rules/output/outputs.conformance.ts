/**
 * Every rule output of the upstream rulesets compiles against our sources (as Falco's loader
 * would compile it, with `%container.info` removed as Falco 0.41+ does).
 * Reads /work/shared/data (../shared/data from the project root); skips without it.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { createK8sAuditSource, createSyscallSource } from '../sources/index.js';
import type { FieldSource } from '../types.js';
import { compileOutput } from './index.js';

const DATA = resolve(process.cwd(), '../shared/data/falco');
const FILES = [
  'rules/falco_rules.yaml',
  'rules/falco-incubating_rules.yaml',
  'rules/falco-sandbox_rules.yaml',
  'rules/falco_rules-1.0.1.yaml',
  'k8saudit-rules/k8s_audit_rules.yaml',
];

test('rule outputs of the upstream rulesets compile', { skip: existsSync(DATA) ? false : `no data at ${DATA}` }, () => {
  const sources: Record<string, FieldSource<unknown>> = {
    syscall: createSyscallSource() as FieldSource<unknown>,
    k8s_audit: createK8sAuditSource() as FieldSource<unknown>,
  };
  let totalFailed = 0;
  for (const file of FILES) {
    const items = parse(readFileSync(join(DATA, file), 'utf8')) as Array<Record<string, unknown>>;
    let passed = 0;
    const failures: string[] = [];
    for (const item of items) {
      if (typeof item.rule !== 'string' || typeof item.output !== 'string') continue;
      const source = sources[(item.source as string | undefined) ?? 'syscall'];
      if (!source) continue;
      try {
        compileOutput(item.output.replaceAll('%container.info', ''), source);
        passed++;
      } catch (err) {
        failures.push(`${item.rule}: ${(err as Error).message}`);
      }
    }
    console.log(`${file}: ${passed} passed, ${failures.length} failed`);
    for (const f of failures) console.log(`  ${f}`);
    totalFailed += failures.length;
  }
  assert.equal(totalFailed, 0);
});
