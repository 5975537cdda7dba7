/**
 * Falco's rule_loader::collector: keeps lists, macros and rules across files, applying
 * redefinition (replace, keep position), deprecated `append`, `override` append/replace and the
 * legacy `enabled`-only form.
 */
import type { EngineVersionRequirement, ExceptionInfo, ListInfo, MacroInfo, PluginRequirement, RuleInfo, RuleUpdate } from './infos.js';
import {
  ERROR_NO_PREVIOUS_LIST,
  ERROR_NO_PREVIOUS_MACRO,
  ERROR_NO_PREVIOUS_RULE_APPEND,
  ERROR_NO_PREVIOUS_RULE_REPLACE,
  LoadError,
  type Context,
  type FileResult,
} from './messages.js';
import { validateException } from './exceptions.js';
import { compatibleWith, compareSemver, parseSemver, semverString, type SemVer } from './versions.js';

/** What the collector needs to know about event sources. */
export interface SourceCheck {
  has(source: string): boolean;
  /** Whether `field` (possibly a transformer call) is a valid left-hand side in `source`. */
  isField(source: string, field: string): boolean;
}

function fail(message: string, ctx: Context): never {
  throw new LoadError('LOAD_ERR_VALIDATE', message, ctx);
}

/** Items by name, in first-definition order. */
class Indexed<T extends { name: string }> {
  private readonly byName = new Map<string, T>();
  get(name: string): T | undefined {
    return this.byName.get(name);
  }
  /** Replaces in place (keeping the position) or adds at the end. */
  put(item: T): void {
    this.byName.set(item.name, item);
  }
  values(): T[] {
    return [...this.byName.values()];
  }
  get size(): number {
    return this.byName.size;
  }
}

export class Collector {
  readonly lists = new Indexed<ListInfo>();
  readonly macros = new Indexed<MacroInfo>();
  readonly rules = new Indexed<RuleInfo>();
  readonly requiredPlugins: PluginRequirement[][] = [];
  requiredEngine?: { version: SemVer; ctx: Context };
  private seq = 0;

  constructor(
    private readonly engineVersion: SemVer,
    private readonly sources: SourceCheck,
  ) {}

  private define<T extends { name: string; index: number; visibility: number }>(table: Indexed<T>, info: T): void {
    const id = this.seq++;
    const prev = table.get(info.name);
    info.index = prev ? prev.index : id;
    info.visibility = id;
    table.put(info);
  }

  defineEngineVersion(req: EngineVersionRequirement): void {
    const need = parseSemver(req.version)!;
    if (!compatibleWith(this.engineVersion, need)) {
      fail(`Rules require engine version ${semverString(need)}, but engine version is ${semverString(this.engineVersion)}`, req.ctx);
    }
    if (!this.requiredEngine || compareSemver(this.requiredEngine.version, need) < 0) {
      this.requiredEngine = { version: need, ctx: req.ctx };
    }
  }

  definePlugins(alternatives: PluginRequirement[], ctx: Context): void {
    const seen = new Set<string>();
    for (const req of alternatives) {
      if (!parseSemver(req.version)) fail(`Invalid required version '${req.version}' for plugin '${req.name}'`, ctx);
      if (seen.has(req.name)) fail(`Defined multiple alternative version requirements for plugin '${req.name}'`, ctx);
      seen.add(req.name);
    }
    this.requiredPlugins.push(alternatives);
  }

  defineList(info: ListInfo): void {
    this.define(this.lists, info);
  }

  appendList(info: ListInfo): void {
    const prev = this.lists.get(info.name);
    if (!prev) fail(ERROR_NO_PREVIOUS_LIST, info.ctx);
    prev.items.push(...info.items);
    prev.visibility = this.seq++;
  }

  defineMacro(info: MacroInfo): void {
    this.define(this.macros, info);
  }

  appendMacro(info: MacroInfo): void {
    const prev = this.macros.get(info.name);
    if (!prev) fail(ERROR_NO_PREVIOUS_MACRO, info.ctx);
    prev.cond += ' ' + info.cond;
    prev.visibility = this.seq++;
  }

  defineRule(info: RuleInfo, res: FileResult): void {
    const prev = this.rules.get(info.name);
    if (prev && prev.source !== info.source) fail('Rule has been re-defined with a different source', info.ctx);
    const known = this.sources.has(info.source);
    if (!known) {
      info.unknownSource = true;
      res.warn('LOAD_UNKNOWN_SOURCE', `Unknown source ${info.source}, skipping`, info.ctx);
    }
    for (const ex of info.exceptions) {
      if (!ex.fields) fail('Rule exception item must have fields property with a list of fields', ex.ctx);
      validateException(ex, known ? (f) => this.sources.isField(info.source, f) : undefined);
    }
    this.define(this.rules, info);
  }

  private previousRule(update: RuleUpdate, missing: string): RuleInfo {
    const prev = this.rules.get(update.name);
    if (!prev) fail(missing, update.ctx);
    if (update.source && update.source !== prev.source) fail('Rule has been re-defined with a different source', update.ctx);
    return prev;
  }

  private fieldCheck(prev: RuleInfo): ((f: string) => boolean) | undefined {
    return prev.unknownSource ? undefined : (f) => this.sources.isField(prev.source, f);
  }

  appendRule(update: RuleUpdate): void {
    const prev = this.previousRule(update, ERROR_NO_PREVIOUS_RULE_APPEND);
    if (!hasAnyValue(update)) fail('Appended rule must have exceptions or condition property', update.ctx);
    if (update.cond) prev.cond += ' ' + update.cond;
    if (update.output) prev.output += ' ' + update.output;
    if (update.desc) prev.desc += ' ' + update.desc;
    if (update.tags) for (const t of update.tags) prev.tags.add(t);
    if (update.exceptions) {
      for (const ex of update.exceptions) appendException(prev, ex, this.fieldCheck(prev));
    }
    prev.visibility = this.seq++;
  }

  replaceRule(update: RuleUpdate): void {
    const prev = this.previousRule(update, ERROR_NO_PREVIOUS_RULE_REPLACE);
    if (!hasAnyValue(update)) fail('The rule must have at least one field that can be replaced', update.ctx);
    if (update.cond !== undefined) {
      prev.cond = update.cond;
      if (update.condNode !== undefined) prev.condNode = update.condNode;
    }
    if (update.output !== undefined) prev.output = update.output;
    if (update.desc !== undefined) prev.desc = update.desc;
    if (update.tags !== undefined) prev.tags = new Set(update.tags);
    if (update.exceptions !== undefined) {
      const check = this.fieldCheck(prev);
      for (const ex of update.exceptions) validateException(ex, check);
      prev.exceptions = update.exceptions;
    }
    if (update.priority !== undefined) prev.priority = update.priority;
    if (update.enabled !== undefined) prev.enabled = update.enabled;
    if (update.warnEvttypes !== undefined) prev.warnEvttypes = update.warnEvttypes;
    if (update.skipIfUnknownFilter !== undefined) prev.skipIfUnknownFilter = update.skipIfUnknownFilter;
    if (update.capture !== undefined) prev.capture = update.capture;
    if (update.captureDuration !== undefined) prev.captureDuration = update.captureDuration;
    prev.visibility = this.seq++;
  }

  enableRule(name: string, enabled: boolean, ctx: Context): void {
    const prev = this.rules.get(name);
    if (!prev) fail("Rule has 'enabled' key but no rule by that name already exists", ctx);
    prev.enabled = enabled;
  }
}

function hasAnyValue(u: RuleUpdate): boolean {
  return (
    u.cond !== undefined || u.output !== undefined || u.desc !== undefined || u.tags !== undefined ||
    u.exceptions !== undefined || u.priority !== undefined || u.enabled !== undefined ||
    u.warnEvttypes !== undefined || u.skipIfUnknownFilter !== undefined || u.capture !== undefined ||
    u.captureDuration !== undefined
  );
}

/** New exception names are added whole; an existing name only gains values. */
function appendException(prev: RuleInfo, ex: ExceptionInfo, check: ((f: string) => boolean) | undefined): void {
  const existing = prev.exceptions.find((e) => e.name === ex.name);
  if (!existing) {
    if (!ex.fields) fail('Rule exception must have fields property with a list of fields', ex.ctx);
    if (ex.values.length === 0) fail('Rule exception must have values property with a list of values', ex.ctx);
    validateException(ex, check);
    prev.exceptions.push(ex);
    return;
  }
  if (ex.fields) fail('Can not append exception fields to existing exception, only values', ex.ctx);
  if (ex.comps) fail('Can not append exception comps to existing exception, only values', ex.ctx);
  existing.values.push(...ex.values);
}
