/**
 * From rule files to a runnable ruleset: the event sources Palisade knows, its default rule
 * files, loading (the loader's results kept for reporting) and each rule's compiled output.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { loadRules, type LoadedRuleset } from './loader/index.js';
import { compileOutput, type AlertRule } from './output/index.js';
import { createK8sAuditSource, createSyscallSource } from './sources/index.js';
import { eventTypeSet, fieldValueSet } from './lang/index.js';
import { Ruleset, type IndexSpec, type RuleMatching, type RuleProgram } from './engine.js';
import type { BoundField, Extracted, FieldSource, LoadedRule, Priority } from './types.js';

/**
 * A source whose bound fields are shared by every rule and remember the last event's value:
 * dozens of rules read `ka.verb` or `evt.type` of the same event, and Falco, too, extracts
 * each field once per event.
 */
export function sharedExtraction<E>(source: FieldSource<E>): FieldSource<E> {
  const bound = new Map<string, BoundField<E>>();
  return {
    name: source.name,
    fields: source.fields,
    timeNs: (e) => source.timeNs(e),
    eventType: (e) => source.eventType(e),
    bind(field, arg) {
      const key = arg === undefined ? field : `${field}[${arg}]`;
      let b = bound.get(key);
      if (!b) {
        const inner = source.bind(field, arg);
        let last: unknown = bound; // never an event
        let value: Extracted;
        const extract = (e: E): Extracted => {
          if (e !== last) {
            value = inner.extract(e);
            last = e;
          }
          return value;
        };
        b = { ...inner, extract };
        bound.set(key, b);
      }
      return b;
    },
  };
}

/** The event sources rules can name, by Falco's source names. */
export function defaultSources(): Record<string, FieldSource> {
  return {
    syscall: sharedExtraction(createSyscallSource()) as FieldSource,
    k8s_audit: sharedExtraction(createK8sAuditSource()) as FieldSource,
  };
}

function text(v: Extracted): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Syscall rules by event type (Falco's index); audit rules by verb and resource (ours). */
export function indexSpecs(sources: Record<string, FieldSource>): Record<string, IndexSpec> {
  const specs: Record<string, IndexSpec> = {};
  const syscall = sources.syscall;
  if (syscall) specs.syscall = { keys: [(e) => syscall.eventType(e)], sets: (rule) => [eventTypeSet(rule.ast)] };
  const audit = sources.k8s_audit;
  if (audit) {
    const verb = audit.bind('ka.verb');
    const resource = audit.bind('ka.target.resource');
    specs.k8s_audit = {
      keys: [(e) => text(verb.extract(e)), (e) => text(resource.extract(e))],
      sets: (rule) => [fieldValueSet(rule.ast, 'ka.verb'), fieldValueSet(rule.ast, 'ka.target.resource')],
    };
  }
  return specs;
}

/** Palisade's own rule files, shipped in the package's rules/ folder. */
export const DEFAULT_RULE_FILES: readonly string[] = ['palisade_syscall_rules.yaml', 'palisade_kubernetes_audit.yaml'].map((f) =>
  fileURLToPath(new URL(`../../rules/${f}`, import.meta.url)),
);

/** Why a file could not be read, in a few words. */
export function unreadableReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code ?? String(err);
}

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
      errors.push(`${path}: cannot read rules file (${unreadableReason(err)})`);
    }
  }
  return { files, errors };
}

/** A rule ready to run and to say what it found. */
export interface RunnableRule extends RuleProgram {
  /** What an alert of this rule needs, built once (not per alert). */
  alert: AlertRule<unknown>;
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
    const alert = { name: rule.name, priority: rule.priority, tags: rule.tags, source: rule.source, output };
    rules.push({ rule: rule as LoadedRule, order, matches: rule.filter, alert });
  });
  return {
    loaded,
    ruleset: new Ruleset(rules, opts.matching ?? 'all', indexSpecs(sources)),
    rules,
    ok: loaded.results.every((r) => r.successful && r.errors.length === 0),
  };
}
