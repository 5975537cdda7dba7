/**
 * Falco's rule_loader::reader: walks the YAML of one file and feeds the collector, checking
 * keys and types with Falco's messages. The first error ends the file (thrown as LoadError).
 */
import type { Priority } from '../types.js';
import type { Collector } from './collector.js';
import type { Entry, ExceptionInfo, ListInfo, MacroInfo, RuleInfo, RuleUpdate } from './infos.js';
import {
  ERROR_OVERRIDE_APPEND,
  LoadError,
  WARNING_APPEND,
  WARNING_ENABLED,
  type Context,
  type FileResult,
  type ItemType,
} from './messages.js';
import { parsePriority } from './priority.js';
import { parseSemver } from './versions.js';
import {
  decodeBool,
  decodeUint32,
  getKey,
  hasKey,
  isMap,
  isNullNode,
  isScalar,
  isSeq,
  keyNode,
  keysOf,
  scalarText,
  type Node,
  type SourceFile,
  type YAMLMap,
} from './yaml-nodes.js';

const IDENTIFIER = /^[a-zA-Z]+[a-zA-Z0-9_]*$/;
const BARESTR = /^[^()"'\s=,]+$/;

const KNOWN_KEYS: Record<string, readonly string[]> = {
  required_engine_version: ['required_engine_version'],
  required_plugin_versions: ['required_plugin_versions'],
  list: ['list', 'items', 'append', 'override'],
  macro: ['macro', 'condition', 'append', 'override'],
  rule: [
    'rule', 'condition', 'output', 'desc', 'priority', 'source', 'enabled', 'tags', 'exceptions', 'warn_evttypes',
    'skip-if-unknown-filter', 'capture', 'capture_duration', 'append', 'override',
  ],
};
const KIND_ORDER = ['required_engine_version', 'required_plugin_versions', 'list', 'macro', 'rule'] as const;

const RULE_APPENDABLE = ['condition', 'output', 'desc', 'tags', 'exceptions'];
const RULE_REPLACEABLE = [
  'condition', 'output', 'desc', 'priority', 'tags', 'exceptions', 'enabled', 'warn_evttypes', 'skip-if-unknown-filter',
  'capture', 'capture_duration',
];

type ValueKind = 'string' | 'bool' | 'uint';
type Decoded<K extends ValueKind> = K extends 'string' ? string : K extends 'bool' ? boolean : number;

function fail(message: string, ctx: Context): never {
  throw new LoadError('LOAD_ERR_YAML_VALIDATE', message, ctx);
}

/** Reads one file into the collector. Returns false after the first error (recorded in `res`). */
export function readFile(file: SourceFile, collector: Collector, res: FileResult): boolean {
  const reader = new ItemReader(file, collector, res);
  for (const doc of file.docs) {
    const fileCtx = file.context(null);
    fileCtx.pos = { offset: 0, line: 1, column: 1 };
    fileCtx.snippet = file.snippetAt(1);
    if (doc.errors.length > 0) {
      const err = doc.errors[0]!;
      const ctx = { ...fileCtx, pos: file.position(err.pos[0]) };
      ctx.snippet = file.snippetAt(ctx.pos.line);
      res.error('LOAD_ERR_YAML_PARSE', err.message, ctx);
      return false;
    }
  }
  for (const doc of file.docs) {
    const root = doc.contents as Node;
    if (isNullNode(root)) continue;
    try {
      const ctx = file.context(root);
      ctx.itemType = 'rules content';
      if (!isMap(root) && !isSeq(root)) fail('Rules content is not yaml', ctx);
      if (!isSeq(root)) fail('Rules content is not yaml array of objects', ctx);
      for (const item of root.items) {
        if (!isNullNode(item as Node)) reader.readItem(item as Node);
      }
    } catch (e) {
      if (e instanceof LoadError) {
        res.error(e.code, e.message, e.ctx);
        return false;
      }
      throw e;
    }
  }
  return true;
}

class ItemReader {
  constructor(
    private readonly file: SourceFile,
    private readonly collector: Collector,
    private readonly res: FileResult,
  ) {}

  private itemCtx(node: Node, type: ItemType, name?: string): Context {
    return this.file.context(node, { type, ...(name !== undefined ? { name } : {}), node });
  }

  private within(node: Node, ctx: Context): Context {
    const inner = this.file.context(node);
    return { ...ctx, pos: inner.pos, snippet: inner.snippet! };
  }

  /** Falco's decode_val / decode_optional_val. */
  private decode<K extends ValueKind>(map: YAMLMap, key: string, kind: K, ctx: Context, optional: true): Decoded<K> | undefined;
  private decode<K extends ValueKind>(map: YAMLMap, key: string, kind: K, ctx: Context, optional?: false): Decoded<K>;
  private decode<K extends ValueKind>(map: YAMLMap, key: string, kind: K, ctx: Context, optional = false): Decoded<K> | undefined {
    const val = getKey(map, key);
    if (val === undefined) {
      if (optional) return undefined;
      fail(`Item has no mapping for key '${key}'`, ctx);
    }
    if (isNullNode(val) && !(isScalar(val) && val.type !== 'PLAIN')) fail(`Mapping for key '${key}' is empty`, ctx);
    const valCtx = this.within(val, ctx);
    if (!isScalar(val)) fail('Value is not a scalar value', valCtx);
    const text = scalarText(val)!;
    if (text === '') fail('Value must be non-empty', valCtx);
    if (kind === 'string') return text as Decoded<K>;
    const decoded = kind === 'bool' ? decodeBool(text) : decodeUint32(text);
    if (decoded === undefined) fail("Can't decode YAML scalar value", valCtx);
    return decoded as Decoded<K>;
  }

  /** Falco's decode_seq: a sequence of scalars. */
  private decodeSeq(map: YAMLMap, key: string, ctx: Context, optional: boolean): string[] | undefined {
    const val = getKey(map, key);
    if (val === undefined) {
      if (optional) return undefined;
      fail(`Item has no mapping for key '${key}'`, ctx);
    }
    const valCtx = this.within(val, ctx);
    if (!isSeq(val)) fail('Value is not a sequence', valCtx);
    return val.items.map((v) => {
      if (!isScalar(v) || isNullNode(v as Node)) fail('sequence value is not scalar', this.within(v as Node, valCtx));
      return scalarText(v)!;
    });
  }

  private warnUnknownKeys(map: YAMLMap, kind: string, ctx: Context): void {
    const known = KNOWN_KEYS[kind]!;
    for (const { key, node } of keysOf(map)) {
      if (!known.includes(key)) {
        this.res.warn('LOAD_UNKNOWN_KEY', `Unknown key '${key}'. The key will be ignored.`, this.within(node, ctx));
      }
    }
  }

  readItem(item: Node): void {
    if (!isMap(item)) {
      const ctx = this.file.context(item);
      ctx.itemType = 'rules content';
      fail('Unexpected element type. Each element should be a yaml associative array.', ctx);
    }
    const kind = KIND_ORDER.find((k) => hasKey(item, k));
    switch (kind) {
      case 'required_engine_version':
        return this.readEngineVersion(item);
      case 'required_plugin_versions':
        return this.readPluginVersions(item);
      case 'list':
        return this.readList(item);
      case 'macro':
        return this.readMacro(item);
      case 'rule':
        return this.readRule(item);
      default: {
        const ctx = this.file.context(item);
        ctx.itemType = 'rules content';
        this.res.warn('LOAD_UNKNOWN_ITEM', 'Unknown top level item', ctx);
      }
    }
  }

  private readEngineVersion(item: YAMLMap): void {
    const ctx = this.itemCtx(item, 'required_engine_version');
    this.warnUnknownKeys(item, 'required_engine_version', ctx);
    const text = this.decode(item, 'required_engine_version', 'string', ctx);
    const asInt = decodeUint32(text);
    const version = asInt !== undefined ? `0.${asInt}.0` : text;
    if (!parseSemver(version)) {
      fail(`Unable to parse engine version '${text}' as a semver string. Expected "x.y.z" semver format.`, ctx);
    }
    this.collector.defineEngineVersion({ version, ctx });
  }

  private readPluginVersions(item: YAMLMap): void {
    const node = getKey(item, 'required_plugin_versions');
    const ctx = this.itemCtx(node ?? item, 'required_plugin_versions');
    this.warnUnknownKeys(item, 'required_plugin_versions', ctx);
    if (!isSeq(node)) fail('Value of required_plugin_versions must be a sequence', ctx);
    for (const plugin of node.items as Node[]) {
      const tmp = this.within(plugin, ctx);
      if (!isMap(plugin)) fail('Plugin version must be a mapping', tmp);
      const name = this.decode(plugin, 'name', 'string', tmp);
      const pctx = { ...tmp, itemName: name };
      const alternatives = [{ name, version: this.decode(plugin, 'version', 'string', pctx) }];
      const alts = getKey(plugin, 'alternatives');
      if (alts !== undefined) {
        if (!isSeq(alts)) fail('Value of plugin version alternatives must be a sequence', pctx);
        for (const alt of alts.items as Node[]) {
          const actx = this.within(alt, pctx);
          if (!isMap(alt)) fail('Plugin version alternative must be a mapping', actx);
          const altName = this.decode(alt, 'name', 'string', actx);
          alternatives.push({ name: altName, version: this.decode(alt, 'version', 'string', { ...actx, itemName: altName }) });
        }
      }
      this.collector.definePlugins(alternatives, pctx);
    }
  }

  /** Reads `append:` and `override:`; returns the keys to append and to replace. */
  private readOverrides(item: YAMLMap, appendable: readonly string[], replaceable: readonly string[], ctx: Context) {
    const appendFlag = this.decode(item, 'append', 'bool', ctx, true) ?? false;
    if (appendFlag) this.res.warn('LOAD_DEPRECATED_ITEM', WARNING_APPEND, ctx);
    const toAppend = new Set<string>();
    const toReplace = new Set<string>();
    const overrides = getKey(item, 'override');
    if (isMap(overrides)) {
      const octx = this.within(overrides, ctx);
      for (const pair of overrides.items) {
        const key = scalarText(pair.key as Node) ?? '';
        const operation = scalarText(pair.value as Node) ?? '';
        const keyCtx = this.within(pair.key as Node, octx);
        if (operation === 'append') {
          if (!appendable.includes(key)) fail(`Key '${key}' cannot be appended to, use 'replace' instead`, keyCtx);
          toAppend.add(key);
        } else if (operation === 'replace') {
          if (!replaceable.includes(key)) fail(`Key '${key}' cannot be replaced`, keyCtx);
          toReplace.add(key);
        } else {
          const allowed = (appendable.includes(key) ? 'append ' : '') + (replaceable.includes(key) ? 'replace ' : '');
          fail(
            `Invalid override operation for key '${key}': '${operation}'. Allowed values are: ${allowed}`,
            this.within(pair.value as Node, octx),
          );
        }
      }
    }
    if (appendFlag && (toAppend.size > 0 || toReplace.size > 0)) fail(ERROR_OVERRIDE_APPEND, ctx);
    return { appendFlag, toAppend, toReplace };
  }

  private readList(item: YAMLMap): void {
    const name = this.decode(item, 'list', 'string', this.itemCtx(item, 'list'));
    const ctx = this.itemCtx(item, 'list', name);
    this.warnUnknownKeys(item, 'list', ctx);
    if (!BARESTR.test(name)) {
      this.res.warn(
        'LOAD_INVALID_LIST_NAME',
        `List has an invalid name. List names should match a regular expression: ([^()"'[:space:]=,]+)`,
        ctx,
      );
    }
    const items = this.decodeSeq(item, 'items', ctx, false)!;
    const { appendFlag, toAppend } = this.readOverrides(item, ['items'], ['items'], ctx);
    const info: ListInfo = { name, items, index: 0, visibility: 0, ctx };
    if (appendFlag || toAppend.has('items')) this.collector.appendList(info);
    else this.collector.defineList(info);
  }

  private readMacro(item: YAMLMap): void {
    const name = this.decode(item, 'macro', 'string', this.itemCtx(item, 'macro'));
    const ctx = this.itemCtx(item, 'macro', name);
    this.warnUnknownKeys(item, 'macro', ctx);
    if (!IDENTIFIER.test(name)) {
      this.res.warn(
        'LOAD_INVALID_MACRO_NAME',
        'Macro has an invalid name. Macro names should match a regular expression: ([a-zA-Z]+[a-zA-Z0-9_]*)',
        ctx,
      );
    }
    const cond = this.decode(item, 'condition', 'string', ctx);
    const condNode = getKey(item, 'condition');
    const { appendFlag, toAppend } = this.readOverrides(item, ['condition'], ['condition'], ctx);
    const info: MacroInfo = { name, cond, condNode, condCtx: this.within(condNode, ctx), index: 0, visibility: 0, ctx };
    if (appendFlag || toAppend.has('condition')) this.collector.appendMacro(info);
    else this.collector.defineMacro(info);
  }

  private readPriority(item: YAMLMap, ctx: Context): Priority {
    const text = this.decode(item, 'priority', 'string', ctx);
    const priority = parsePriority(text);
    if (!priority) fail('Invalid priority', this.within(getKey(item, 'priority'), ctx));
    return priority;
  }

  /** `source` on append/override items: optional, and empty means "unspecified". */
  private lenientSource(item: YAMLMap): string | undefined {
    const text = scalarText(getKey(item, 'source'));
    return text ? text : undefined;
  }

  private readRule(item: YAMLMap): void {
    const name = this.decode(item, 'rule', 'string', this.itemCtx(item, 'rule'));
    const ctx = this.itemCtx(item, 'rule', name);
    this.warnUnknownKeys(item, 'rule', ctx);
    const { appendFlag, toAppend, toReplace } = this.readOverrides(item, RULE_APPENDABLE, RULE_REPLACEABLE, ctx);

    if (toAppend.size > 0 || toReplace.size > 0) {
      const expected = new Set([...RULE_APPENDABLE, ...RULE_REPLACEABLE].filter((k) => hasKey(item, k)));
      const take = (overrides: Set<string>, type: string, key: string): boolean => {
        if (!overrides.has(key)) return false;
        if (!expected.has(key)) fail(`An ${type} override for '${key}' was specified but '${key}' is not defined`, ctx);
        expected.delete(key);
        return true;
      };
      const source = this.lenientSource(item);
      if (toAppend.size > 0) {
        const update: RuleUpdate = { name, ctx, ...(source ? { source } : {}) };
        if (take(toAppend, 'append', 'condition')) update.cond = this.decode(item, 'condition', 'string', ctx);
        if (take(toAppend, 'append', 'exceptions')) update.exceptions = this.readExceptions(item, ctx, true);
        if (take(toAppend, 'append', 'output')) update.output = this.decode(item, 'output', 'string', ctx);
        if (take(toAppend, 'append', 'desc')) update.desc = this.decode(item, 'desc', 'string', ctx);
        if (take(toAppend, 'append', 'tags')) update.tags = new Set(this.decodeSeq(item, 'tags', ctx, true));
        this.collector.appendRule(update);
      }
      if (toReplace.size > 0) {
        const update: RuleUpdate = { name, ctx, ...(source ? { source } : {}) };
        if (take(toReplace, 'replace', 'condition')) {
          update.cond = this.decode(item, 'condition', 'string', ctx);
          update.condNode = getKey(item, 'condition');
        }
        if (take(toReplace, 'replace', 'exceptions')) update.exceptions = this.readExceptions(item, ctx, false);
        if (take(toReplace, 'replace', 'output')) update.output = this.decode(item, 'output', 'string', ctx);
        if (take(toReplace, 'replace', 'desc')) update.desc = this.decode(item, 'desc', 'string', ctx);
        if (take(toReplace, 'replace', 'tags')) update.tags = new Set(this.decodeSeq(item, 'tags', ctx, true));
        if (take(toReplace, 'replace', 'priority')) update.priority = this.readPriority(item, ctx);
        if (take(toReplace, 'replace', 'enabled')) update.enabled = this.decode(item, 'enabled', 'bool', ctx);
        if (take(toReplace, 'replace', 'warn_evttypes')) update.warnEvttypes = this.decode(item, 'warn_evttypes', 'bool', ctx);
        if (take(toReplace, 'replace', 'skip-if-unknown-filter')) {
          update.skipIfUnknownFilter = this.decode(item, 'skip-if-unknown-filter', 'bool', ctx);
        }
        if (take(toReplace, 'replace', 'capture')) update.capture = this.decode(item, 'capture', 'bool', ctx);
        if (take(toReplace, 'replace', 'capture_duration')) {
          update.captureDuration = this.decode(item, 'capture_duration', 'uint', ctx);
        }
        this.collector.replaceRule(update);
      }
      for (const key of expected) {
        fail(`Unexpected key '${key}': no corresponding entry under 'override' is defined.`, this.within(keyNode(item, key), ctx));
      }
      return;
    }

    if (appendFlag) {
      const source = this.lenientSource(item);
      const update: RuleUpdate = { name, ctx, ...(source ? { source } : {}) };
      if (hasKey(item, 'condition')) update.cond = this.decode(item, 'condition', 'string', ctx);
      if (hasKey(item, 'exceptions')) update.exceptions = this.readExceptions(item, ctx, true);
      this.collector.appendRule(update);
      return;
    }

    if (!hasKey(item, 'condition') && !hasKey(item, 'output') && !hasKey(item, 'desc') && !hasKey(item, 'priority')) {
      const enabled = this.decode(item, 'enabled', 'bool', ctx);
      this.res.warn('LOAD_DEPRECATED_ITEM', WARNING_ENABLED, ctx);
      this.collector.enableRule(name, enabled, ctx);
      return;
    }

    const cond = this.decode(item, 'condition', 'string', ctx);
    const condNode = getKey(item, 'condition');
    const output = this.decode(item, 'output', 'string', ctx).trim();
    const outputNode = getKey(item, 'output');
    const desc = this.decode(item, 'desc', 'string', ctx);
    const priority = this.readPriority(item, ctx);
    const info: RuleInfo = {
      name,
      index: 0,
      visibility: 0,
      ctx,
      cond,
      condNode,
      condCtx: this.within(condNode, ctx),
      output,
      outputCtx: this.within(outputNode, ctx),
      desc,
      priority,
      source: this.decode(item, 'source', 'string', ctx, true) ?? 'syscall',
      enabled: this.decode(item, 'enabled', 'bool', ctx, true) ?? true,
      warnEvttypes: this.decode(item, 'warn_evttypes', 'bool', ctx, true) ?? true,
      skipIfUnknownFilter: this.decode(item, 'skip-if-unknown-filter', 'bool', ctx, true) ?? false,
      capture: this.decode(item, 'capture', 'bool', ctx, true) ?? false,
      captureDuration: this.decode(item, 'capture_duration', 'uint', ctx, true) ?? 0,
      tags: new Set(this.decodeSeq(item, 'tags', ctx, true) ?? []),
      exceptions: this.readExceptions(item, ctx, false),
      unknownSource: false,
    };
    this.collector.defineRule(info, this.res);
  }

  /** Falco's decode_exception_info_entry: a non-empty scalar or a (nested) sequence; anything else is "not given". */
  private readEntry(val: Node, ctx: Context): Entry | undefined {
    if (isScalar(val) && !isNullNode(val)) {
      const text = scalarText(val)!;
      if (text === '') fail('Value must be non-empty', this.within(val, ctx));
      return { isList: false, item: text, items: [] };
    }
    if (isSeq(val)) {
      const items = (val.items as Node[]).map((v) => {
        if (v === undefined || v === null) fail("Item has no mapping for key ''", ctx);
        return this.readEntry(v, this.within(v, ctx)) ?? { isList: false, item: '', items: [] };
      });
      return { isList: true, item: '', items };
    }
    if (isScalar(val) && isScalar(val) && val.type !== 'PLAIN') fail('Value must be non-empty', this.within(val, ctx));
    return undefined;
  }

  private readExceptions(item: YAMLMap, parent: Context, append: boolean): ExceptionInfo[] {
    const exs = getKey(item, 'exceptions');
    const out: ExceptionInfo[] = [];
    if (exs === undefined || isNullNode(exs)) return out;
    const exsCtx = this.within(exs, parent);
    if (!isSeq(exs)) fail('Rule exceptions must be a sequence', exsCtx);
    for (const ex of exs.items as Node[]) {
      const tmp = this.within(ex, exsCtx);
      if (!isMap(ex)) fail('Rule exception must be a mapping', tmp);
      const name = this.decode(ex, 'name', 'string', tmp);
      const exCtx: Context = { ...tmp, itemType: 'exception', itemName: name };
      if (out.some((e) => e.name === name)) {
        this.res.warn('LOAD_EXCEPTION_NAME_NOT_UNIQUE', `Multiple definitions of exception '${name}' in the same rule`, exCtx);
      }
      const fieldsNode = getKey(ex, 'fields');
      if (fieldsNode === undefined && !append) fail("Item has no mapping for key 'fields'", exCtx);
      const info: ExceptionInfo = { name, values: [], ctx: exCtx };
      const fields = fieldsNode === undefined ? undefined : this.readEntry(fieldsNode, exCtx);
      if (fields) info.fields = fields;
      const compsNode = getKey(ex, 'comps');
      const comps = compsNode === undefined ? undefined : this.readEntry(compsNode, exCtx);
      if (comps) info.comps = comps;
      const values = getKey(ex, 'values');
      if (values !== undefined) {
        if (!isSeq(values)) fail('Rule exception values must be a sequence', this.within(values, exCtx));
        for (const v of values.items as Node[]) {
          info.values.push(this.readEntry(v, this.within(v, exCtx)) ?? { isList: false, item: '', items: [] });
        }
      } else if (append) {
        this.res.warn('LOAD_APPEND_NO_VALUES', 'Overriding/appending exception with no values', exCtx);
      }
      out.push(info);
    }
    return out;
  }
}
