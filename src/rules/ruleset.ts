/**
 * From rule files to a runnable ruleset: the event sources Palisade knows, its default rule
 * files, loading (the loader's results kept for reporting) and each rule's compiled output.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { loadRules, type LoadedRuleset } from './loader/index.js';
import { compileOutput, type CompiledOutput } from './output/index.js';
import { createK8sAuditSource, createSyscallSource } from './sources/index.js';
import { Ruleset, type RuleMatching, type RuleProgram } from './engine.js';
import type { FieldSource, LoadedRule, Priority } from './types.js';

/** The event sources rules can name, by Falco's source names. */
export function defaultSources(): Record<string, FieldSource> {
  return { syscall: createSyscallSource() as FieldSource, k8s_audit: createK8sAuditSource() as FieldSource };
}

/** Palisade's own rule files, shipped in the package's rules/ folder. */
export const DEFAULT_RULE_FILES: readonly string[] = ['palisade_syscall_rules.yaml', 'palisade_k8s_audit_rules.yaml'].map((f) =>
  fileURLToPath(new URL(`../../rules/${f}`, import.meta.url)),
);

export interface RuleFile {
  name: string;
  content: string;
}

/** Reads rule files; one that cannot be read is an error naming it (the others still load). */
export async function readRuleFiles(paths: readonly string[]): Promise<{ files: RuleFile[]; errors: string[] }> {
  const files: RuleFile[] = [];
  const errors: string[] = [];
  for (const path of paths) {
    try {
      files.push({ name: path, content: await readFile(path, 'utf8') });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      errors.push(`${path}: cannot read rules file (${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code ?? String(err)})`);
    }
  }
  return { files, errors };
}

/** A rule ready to run and to say what it found. */
export interface RunnableRule extends RuleProgram {
  output: CompiledOutput<unknown>;
}

export interface BuiltRuleset {
  loaded: LoadedRuleset;
  ruleset: Ruleset<unknown, RunnableRule>;
  rules: RunnableRule[];
  /** Whether every file loaded without errors. */
  ok: boolean;
}

/** Loads rule files and compiles what runs: conditions (by the loader) and outputs. */
export function buildRuleset(
  files: readonly RuleFile[],
  opts: { sources?: Record<string, FieldSource>; minPriority?: Priority; matching?: RuleMatching } = {},
): BuiltRuleset {
  const sources = opts.sources ?? defaultSources();
  const loaded = loadRules(files, { sources, ...(opts.minPriority ? { minPriority: opts.minPriority } : {}) });
  const rules: RunnableRule[] = [];
  loaded.rules.forEach((rule, order) => {
    const source = sources[rule.source];
    if (!source || !rule.filter) return;
    // The loader has validated the output already; a failure here is a bug, reported once.
    const output = compileOutput(rule.output, source);
    rules.push({ rule: rule as LoadedRule, order, matches: rule.filter, output });
  });
  return {
    loaded,
    ruleset: new Ruleset(rules, opts.matching ?? 'all'),
    rules,
    ok: loaded.results.every((r) => r.successful && r.errors.length === 0),
  };
}
