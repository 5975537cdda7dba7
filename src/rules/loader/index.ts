/**
 * Falco rules files → lists, macros and compiled rules, with Falco's load results.
 *
 *   loadRules(files, { sources, engineVersion?, minPriority? }) → LoadedRuleset
 *   formatLoadResult(results, 'text' | 'json', counts?) → string
 */
import type { FieldSource, Priority } from '../types.js';
import { Collector, type SourceCheck } from './collector.js';
import { compileAll, type Compiled } from './compiler.js';
import { parseOperand } from './lang-backend.js';
import { FileResult, type LoaderMessage } from './messages.js';
import type { CompiledMacro, CompiledRule, FileLoadResult } from './model.js';
import { operandFields } from './ast-walk.js';
import { readFile } from './reader.js';
import { ENGINE_VERSION, parseSemver, semverString } from './versions.js';
import { SourceFile } from './yaml-nodes.js';
import type { PluginRequirement } from './infos.js';

export { formatLoadResult, type LoadCounts } from './format.js';
export { WARNING_APPEND, WARNING_ENABLED, WARNING_NO_EVTTYPE, type LoaderMessage } from './messages.js';
export type { CompiledMacro, CompiledRule, FileLoadResult } from './model.js';
export { ENGINE_VERSION } from './versions.js';
export { quoteItem, parenItem } from './text-items.js';
export { substituteList } from './lists.js';
export { exceptionConditionText, conditionWithExceptions } from './exceptions.js';

export interface LoadedList {
  name: string;
  /** Items after expanding earlier lists, unquoted. */
  items: string[];
  used: boolean;
  file: string;
  line: number;
}

export interface LoadedRuleset {
  /** Compiled rules in first-definition order (rules of unknown sources and skipped rules are absent). */
  rules: CompiledRule[];
  macros: CompiledMacro[];
  lists: LoadedList[];
  results: FileLoadResult[];
  requiredEngineVersion?: string;
  /** One entry per requirement: the plugin and its accepted alternatives. */
  requiredPlugins: PluginRequirement[][];
}

export interface LoadOptions {
  sources: Record<string, FieldSource>;
  /** The engine version to claim; default 0.63.0. */
  engineVersion?: string;
  /** Rules less severe than this are compiled but disabled. */
  minPriority?: Priority;
}

function sourceCheck(sources: Record<string, FieldSource>): SourceCheck {
  return {
    has: (name) => Object.prototype.hasOwnProperty.call(sources, name),
    isField(name, text) {
      const source = sources[name];
      if (!source) return false;
      const parsed = parseOperand(text.trim(), 0);
      if (!parsed || parsed.end !== text.trim().length) return false;
      try {
        for (const f of operandFields(parsed.expr)) source.bind(f.field, f.arg);
        return true;
      } catch {
        return false;
      }
    },
  };
}

function messageKey(m: LoaderMessage): string {
  return `${m.code}\0${m.message}\0${m.file}\0${m.offset}`;
}

/**
 * Loads files in order into one collection, recompiling everything after each file (so a later
 * file can append to or override an earlier one). A file stops at its first error.
 */
export function loadRules(files: ReadonlyArray<{ name: string; content: string }>, opts: LoadOptions): LoadedRuleset {
  const engine = parseSemver(opts.engineVersion ?? ENGINE_VERSION) ?? parseSemver(ENGINE_VERSION)!;
  const collector = new Collector(engine, sourceCheck(opts.sources));
  const parsedFiles = new Map<string, SourceFile>();
  const results: FileLoadResult[] = [];
  const reported = new Set<string>();
  let compiled: Compiled | undefined;

  for (const { name, content } of files) {
    const res = new FileResult(name);
    const file = new SourceFile(name, content);
    parsedFiles.set(name, file);
    if (readFile(file, collector, res)) {
      const warningsBefore = res.warnings.length;
      const next = compileAll(collector, { sources: opts.sources, files: parsedFiles, ...(opts.minPriority ? { minPriority: opts.minPriority } : {}) }, res);
      if (next) compiled = next;
      // Recompiling repeats warnings about earlier files' items; report each once.
      const fresh = res.warnings.slice(warningsBefore).filter((w) => !reported.has(messageKey(w)));
      res.warnings.splice(warningsBefore, res.warnings.length - warningsBefore, ...fresh);
    }
    for (const w of res.warnings) reported.add(messageKey(w));
    results.push({ file: name, successful: res.successful, errors: res.errors, warnings: res.warnings });
  }

  const out: LoadedRuleset = {
    rules: compiled?.rules ?? [],
    macros: compiled?.macros ?? [],
    lists: (compiled?.lists ?? []).map((l) => ({ name: l.name, items: l.items, used: l.used, file: l.info.ctx.file, line: l.info.ctx.pos.line })),
    results,
    requiredPlugins: collector.requiredPlugins,
  };
  if (collector.requiredEngine) out.requiredEngineVersion = semverString(collector.requiredEngine.version);
  return out;
}
