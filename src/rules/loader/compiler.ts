/**
 * Falco's rule_loader::compiler: turns everything collected so far into lists, macro ASTs and
 * rules (condition text → exceptions → list substitution → parse → macro expansion → checks →
 * closure). Runs after every file, as Falco does.
 */
import { ConditionSyntaxError, type Expr, type FieldSource } from '../types.js';
import type { Collector } from './collector.js';
import { conditionFields, forEachCheck, neverTrue } from './ast-walk.js';
import { conditionWithExceptions, exceptionFields } from './exceptions.js';
import type { MacroInfo, RuleInfo } from './infos.js';
import { asString, compileCondition, eventTypes, parseCondition } from './lang-backend.js';
import { compileLists, ConditionTooLongError, substituteLists, type CompiledList } from './lists.js';
import { expandMacros, MacroError, type Expanded } from './macros.js';
import { LoadError, WARNING_NO_EVTTYPE, type Context, type FileResult } from './messages.js';
import { checkOutput } from './output-check.js';
import { priorityRank } from './priority.js';
import type { CompiledMacro, CompiledRule } from './model.js';
import type { SourceFile } from './yaml-nodes.js';
import type { Priority } from '../types.js';

const PARSER_MAX_DEPTH = 1000;
const MAX_CONDITION_LENGTH = 4_000_000;
const FIELD_NAME = /^[a-zA-Z]+[a-zA-Z0-9_]*(\.[a-zA-Z]+[a-zA-Z0-9_]*)+$/;
const TRANSFORMER_CALL = /^\s*(tolower|toupper|b64|basename|len|val|join|concat|getopt)\s*\(/;
const NA_OPERATORS = new Set(['=', '==', '!=', 'in', 'intersects', 'pmatch']);
const CONTAINER_INFO = '%container.info';

export interface CompileOptions {
  sources: Record<string, FieldSource>;
  minPriority?: Priority;
  files: Map<string, SourceFile>;
}

export interface Compiled {
  rules: CompiledRule[];
  macros: CompiledMacro[];
  lists: CompiledList[];
}

function compileError(message: string, ctx: Context): never {
  throw new LoadError('LOAD_ERR_COMPILE_CONDITION', message, ctx);
}

class RuleCompiler {
  private readonly lists: Map<string, CompiledList>;
  private readonly macroInfos: MacroInfo[];
  private readonly macroAsts = new Map<string, Expr>();
  private readonly resolved = new Map<string, Expanded>();
  private readonly resolving: string[] = [];
  private readonly usedMacros = new Set<string>();

  constructor(
    private readonly collector: Collector,
    private readonly opts: CompileOptions,
    private readonly res: FileResult,
  ) {
    this.lists = compileLists(collector.lists.values());
    this.macroInfos = collector.macros.values();
  }

  /** A context inside the condition text when the text is what the file says; otherwise the condition's start. */
  private condPos(text: string, original: string, node: unknown, idx: number, base: Context): Context {
    const file = this.opts.files.get(base.file);
    if (!file || text !== original) return base;
    return file.contextInScalar(node as never, idx, base);
  }

  private parse(original: string, text: string, node: unknown, ctx: Context): Expr {
    let substituted: string;
    try {
      substituted = substituteLists(text, this.lists.values(), MAX_CONDITION_LENGTH);
    } catch (e) {
      if (e instanceof ConditionTooLongError) compileError(e.message, ctx);
      throw e;
    }
    try {
      return parseCondition(substituted, PARSER_MAX_DEPTH);
    } catch (e) {
      if (e instanceof ConditionSyntaxError) compileError(e.message, this.condPos(substituted, original, node, e.pos.idx, ctx));
      if (e instanceof RangeError) compileError('condition is nested too deeply', ctx);
      throw e;
    }
  }

  private expand(expr: Expr, original: string, node: unknown, ctx: Context, visible: (m: MacroInfo) => boolean): Expanded {
    try {
      return expandMacros(expr, (name) => {
        const info = this.collector.macros.get(name);
        if (!info || !visible(info)) return undefined;
        this.usedMacros.add(name);
        return this.resolveMacro(info);
      });
    } catch (e) {
      if (e instanceof MacroError) {
        const idx = e.at?.pos?.idx;
        compileError(e.message, idx === undefined ? ctx : this.condPos(original, original, node, idx, ctx));
      }
      throw e;
    }
  }

  private resolveMacro(info: MacroInfo): Expanded {
    const done = this.resolved.get(info.name);
    if (done) return done;
    if (this.resolving.includes(info.name)) {
      const cycle = [...this.resolving.slice(this.resolving.indexOf(info.name)), info.name].join(' -> ');
      compileError(`Macro '${info.name}' refers to itself (${cycle})`, info.condCtx);
    }
    this.resolving.push(info.name);
    try {
      const ast = this.macroAsts.get(info.name)!;
      const out = this.expand(ast, info.cond, info.condNode, info.condCtx, (m) => m.index < info.visibility);
      this.resolved.set(info.name, out);
      return out;
    } finally {
      this.resolving.pop();
    }
  }

  compile(): Compiled {
    for (const m of this.macroInfos) this.macroAsts.set(m.name, this.parse(m.cond, m.cond, m.condNode, m.condCtx));
    for (const m of this.macroInfos) this.resolveMacro(m);

    const rules: CompiledRule[] = [];
    for (const r of this.collector.rules.values()) {
      if (r.unknownSource) continue;
      const rule = this.compileRule(r);
      if (rule) rules.push(rule);
    }

    const macros: CompiledMacro[] = this.macroInfos.map((m) => ({
      name: m.name,
      condition: m.cond,
      conditionCompiled: asString(this.resolved.get(m.name)!.expr),
      used: this.usedMacros.has(m.name),
      file: m.ctx.file,
      line: m.ctx.pos.line,
    }));
    for (const m of this.macroInfos) {
      if (!this.usedMacros.has(m.name)) this.res.warn('LOAD_UNUSED_MACRO', 'Macro not referred to by any other rule/macro', m.ctx);
    }
    for (const l of this.lists.values()) {
      if (!l.used) this.res.warn('LOAD_UNUSED_LIST', 'List not referred to by any other rule/macro', l.info.ctx);
    }
    return { rules, macros, lists: [...this.lists.values()] };
  }

  private compileRule(r: RuleInfo): CompiledRule | undefined {
    const source = this.opts.sources[r.source];
    if (!source) compileError(`Unknown source ${r.source}`, r.ctx);
    const text = conditionWithExceptions(r.cond, r.exceptions);
    const parsed = this.parse(r.cond, text, r.condNode, r.condCtx);
    const expanded = this.expand(parsed, r.cond, r.condNode, r.condCtx, () => true).expr;

    // Unknown fields: an error, or with skip-if-unknown-filter a warning and no rule.
    for (const f of conditionFields(expanded)) {
      try {
        source.bind(f.field, f.arg);
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        if (r.skipIfUnknownFilter) {
          this.res.warn('LOAD_UNKNOWN_FILTER', message, r.condCtx);
          return undefined;
        }
        compileError(message, this.condPos(text, r.cond, r.condNode, f.pos?.idx ?? 0, r.condCtx));
      }
    }
    this.conditionWarnings(r, parsed, expanded, source);

    let output = r.output;
    if (r.source === 'syscall' && output.includes(CONTAINER_INFO)) {
      output = output.split(CONTAINER_INFO).join('');
      this.res.warn('LOAD_DEPRECATED_ITEM', "'%container.info' is deprecated and is replaced by an empty string", r.outputCtx);
    }
    const outputCheck = checkOutput(output, source);
    if (outputCheck.error) {
      if (r.skipIfUnknownFilter) {
        this.res.warn('LOAD_UNKNOWN_FILTER', outputCheck.error, r.outputCtx);
        return undefined;
      }
      throw new LoadError('LOAD_ERR_COMPILE_OUTPUT', outputCheck.error, r.outputCtx);
    }
    if (outputCheck.fields.includes('evt.dir')) {
      this.res.warn('LOAD_DEPRECATED_ITEM', "usage of deprecated field 'evt.dir' has been detected in the rule output", r.outputCtx);
    }

    let filter: ((event: unknown) => boolean) | undefined;
    if (compileCondition) {
      try {
        filter = compileCondition(expanded, source);
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        if (r.skipIfUnknownFilter && /nonexistent field|unknown event type/.test(message)) {
          this.res.warn('LOAD_UNKNOWN_FILTER', message, r.condCtx);
          return undefined;
        }
        compileError(message, r.condCtx);
      }
    }

    const types = r.source === 'syscall' && eventTypes ? eventTypes(expanded) : undefined;
    if (r.source === 'syscall' && eventTypes && r.warnEvttypes && (types === undefined || types.size > 100) && !neverTrue(expanded)) {
      this.res.warn('LOAD_NO_EVTTYPE', WARNING_NO_EVTTYPE, r.ctx);
    }

    const belowMinimum = this.opts.minPriority !== undefined && priorityRank(r.priority) > priorityRank(this.opts.minPriority);
    const rule: CompiledRule = {
      name: r.name,
      desc: r.desc,
      condition: r.cond,
      conditionCompiled: asString(expanded),
      ast: expanded,
      output,
      priority: r.priority,
      source: r.source,
      tags: [...r.tags].sort(),
      enabled: r.enabled && !belowMinimum,
      file: r.ctx.file,
      line: r.ctx.pos.line,
      exceptionFields: exceptionFields(r.exceptions),
      outputFields: outputCheck.fields,
      capture: r.capture,
      captureDuration: r.captureDuration,
      warnEvttypes: r.warnEvttypes,
      skipIfUnknownFilter: r.skipIfUnknownFilter,
    };
    if (types) rule.eventTypes = types;
    if (filter) rule.filter = filter;
    return rule;
  }

  /** `<NA>` comparisons on plugin fields, constants that look like fields, deprecated evt.dir. */
  private conditionWarnings(r: RuleInfo, parsed: Expr, expanded: Expr, source: FieldSource): void {
    let naWarned = false;
    let dirUsed = false;
    forEachCheck(expanded, (check) => {
      if (check.left.type === 'field' && check.left.field === 'evt.dir') dirUsed = true;
      if (check.type !== 'binary') return;
      const left = check.left;
      if (!naWarned && left.type === 'field' && /^(ka|jevt)\./.test(left.field) && NA_OPERATORS.has(check.op)) {
        const right = check.right;
        const values = right.type === 'value' ? [right.value] : right.type === 'list' ? right.values : [];
        if (values.includes('<NA>')) {
          naWarned = true;
          this.res.warn(
            'LOAD_UNSAFE_NA_CHECK',
            "Comparing a field value with <NA> is unsafe and can lead to unpredictable behavior of the rule condition. If you need to check for the existence of a field, consider using the 'exists' operator instead.",
            r.ctx,
          );
        }
      }
      if (check.right.type === 'value') {
        const value = check.right.value;
        if (TRANSFORMER_CALL.test(value)) {
          this.res.warn('LOAD_COMPILE_CONDITION', `'${value}' may be a valid field transformer misused as a const string value`, r.condCtx);
        } else if (FIELD_NAME.test(value.trim()) && binds(source, value.trim())) {
          this.res.warn('LOAD_COMPILE_CONDITION', `'${value}' may be a valid field misused as a const string value`, r.condCtx);
        }
      }
    });
    if (dirUsed) {
      // Point at evt.dir in the rule's own text, or at the macro that brings it in.
      let at: number | undefined;
      forEachCheck(parsed, (c) => {
        if (at === undefined && c.left.type === 'field' && c.left.field === 'evt.dir') at = c.pos?.idx ?? c.left.pos?.idx;
      });
      if (at === undefined) at = this.macroUsingField(parsed, 'evt.dir');
      const ctx = at === undefined ? r.condCtx : this.condPos(r.cond, r.cond, r.condNode, at, r.condCtx);
      this.res.warn('LOAD_DEPRECATED_ITEM', "usage of deprecated field 'evt.dir' has been detected in the rule condition", ctx);
    }
  }

  /** Offset of the first macro reference in `expr` whose expansion uses `field`. */
  private macroUsingField(expr: Expr, field: string): number | undefined {
    const stack: Expr[] = [expr];
    while (stack.length > 0) {
      const node = stack.shift()!;
      if (node.type === 'and' || node.type === 'or') stack.unshift(...node.children);
      else if (node.type === 'not') stack.unshift(node.child);
      else if (node.type === 'identifier') {
        const m = this.resolved.get(node.name);
        if (m && conditionFields(m.expr).some((f) => f.field === field)) return node.pos?.idx;
      }
    }
    return undefined;
  }
}

function binds(source: FieldSource, field: string): boolean {
  try {
    source.bind(field);
    return true;
  } catch {
    return false;
  }
}

/** Compiles everything collected; a LoadError is recorded in `res` and yields undefined. */
export function compileAll(collector: Collector, opts: CompileOptions, res: FileResult): Compiled | undefined {
  try {
    return new RuleCompiler(collector, opts, res).compile();
  } catch (e) {
    if (e instanceof LoadError) {
      res.error(e.code, e.message, e.ctx);
      return undefined;
    }
    throw e;
  }
}
