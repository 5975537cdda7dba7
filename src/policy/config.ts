/**
 * The user's `.palisade.yaml`: defaults for `palisade scan` and the findings to ignore.
 * Parsed with `yaml` (not js-yaml) so that every problem can name the line it is on.
 * Problems never throw: they come back as InputErrors, and whatever is valid still loads.
 */
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Node, type YAMLMap } from 'yaml';
import { YamlCtx as Ctx, readStringList } from './yaml-reader.js';
import { readAdmission, type AdmissionConfig } from './admission.js';
import { compileUserPattern } from './pattern.js';
import { describeFsError, displayPath, type InputError } from '../model/index.js';

/** The config file looked up in the working directory when no path is given. */
export const DEFAULT_CONFIG_FILE = '.palisade.yaml';
/** Accepted when DEFAULT_CONFIG_FILE is absent. */
const FALLBACK_CONFIG_FILE = '.palisade.yml';

export type FailOn = 'critical' | 'high' | 'medium' | 'low' | 'none';
export const FAIL_ON_VALUES: readonly FailOn[] = ['critical', 'high', 'medium', 'low', 'none'];

export type PssLevel = 'baseline' | 'restricted';
export const PSS_LEVELS: readonly PssLevel[] = ['baseline', 'restricted'];
/** `latest` or `v1.<minor>` with minor from 0 to PSS_MAX_MINOR. */
export type PssVersion = string;
export const PSS_MAX_MINOR = 37;

export interface PssConfig {
  level?: PssLevel;
  version?: PssVersion;
}

/** One `ignore:` entry. Patterns are globs (picomatch); see matchesCheck for `check`. */
export interface IgnoreRule {
  /** Check id, or a glob over check ids (`pss/restricted/*`, `*`). */
  check: string;
  /** Exact, case-sensitive kind. */
  kind?: string;
  /** Glob on the namespace; resources without a namespace never match it. */
  namespace?: string;
  /** Glob on the resource name. */
  name?: string;
  /** Glob on the resource's file (forward slashes, as the resource names it). */
  file?: string;
  /**
   * The last instant the rule applies: 23:59:59.999 UTC of the day for a date,
   * the instant itself for a full RFC 3339 timestamp.
   */
  expires?: Date;
  /** `expires` as written in the file, for messages. */
  expiresText?: string;
  reason?: string;
  /** Where the entry was written (absent for rules built in code). */
  source?: { file: string; line: number };
}

export interface PalisadeConfig {
  /** The config file that was loaded (display path), when one was. */
  file?: string;
  failOn?: FailOn;
  pss?: PssConfig;
  /** Default for --profile. */
  profile?: ProfileName;
  /** Default for --checks (run only these ids or globs). */
  checks?: string[];
  /** Default for --skip-checks. */
  skipChecks?: string[];
  /** Check parameters (registries, sandbox runtime classes, sensitive paths…). */
  params?: ConfigParams;
  ignore: IgnoreRule[];
  /** `palisade serve`'s admission policy (defaults when absent: see policy/admission.ts). */
  admission?: AdmissionConfig;
}

export interface LoadConfigResult {
  config: PalisadeConfig;
  errors: InputError[];
}

export function emptyConfig(): PalisadeConfig {
  return { ignore: [] };
}

/**
 * Loads `opts.path` (relative to `opts.cwd`) or, without a path, `.palisade.yaml` in
 * `opts.cwd`. A missing explicit file is an error; a missing default file is not.
 */
export function loadConfig(opts: { path?: string; cwd: string }): LoadConfigResult {
  const explicit = opts.path !== undefined && opts.path !== '';
  let full: string;
  let shown: string;
  if (explicit) {
    full = isAbsolute(opts.path!) ? opts.path! : resolve(opts.cwd, opts.path!);
    shown = displayPath(opts.path!, opts.cwd);
  } else {
    const found = [DEFAULT_CONFIG_FILE, FALLBACK_CONFIG_FILE].find((name) => existsAsFile(join(opts.cwd, name)));
    if (found === undefined) return { config: emptyConfig(), errors: [] };
    full = join(opts.cwd, found);
    shown = found;
  }
  let text: string;
  try {
    if (statSync(full).isDirectory()) {
      return { config: emptyConfig(), errors: [{ file: shown, message: 'cannot read config file: is a directory' }] };
    }
    text = readFileSync(full, 'utf8');
  } catch (err) {
    return { config: emptyConfig(), errors: [{ file: shown, message: `cannot read config file: ${describeFsError(err)}` }] };
  }
  return parseConfigText(text, shown);
}

function existsAsFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

const TOP_KEYS = ['failOn', 'pss', 'profile', 'checks', 'skipChecks', 'params', 'ignore', 'admission'] as const;

/** Check profiles (see checks/catalogue/select.ts). */
export const PROFILE_VALUES = ['baseline', 'restricted', 'cks', 'all'] as const;
export type ProfileName = (typeof PROFILE_VALUES)[number];

/** Tunables of the check catalogue: lists of strings, except the numbers below. */
export const PARAM_LIST_KEYS = [
  'allowedRegistries', 'deniedRegistries', 'untrustedNamespaces', 'untrustedSelectors',
  'sandboxRuntimeClasses', 'sandboxHandlers', 'sensitiveHostPaths', 'credentialNamePatterns',
] as const;
export const PARAM_NUMBER_KEYS = ['minReplicas'] as const;
export type ConfigParams = Partial<Record<(typeof PARAM_LIST_KEYS)[number], string[]> & Record<(typeof PARAM_NUMBER_KEYS)[number], number>>;
const PSS_KEYS = ['level', 'version'] as const;
const IGNORE_KEYS = ['check', 'kind', 'namespace', 'name', 'file', 'expires', 'reason'] as const;

/** Parses config text; `file` is the name used in errors and in each rule's `source`. */
export function parseConfigText(text: string, file: string): LoadConfigResult {
  const config: PalisadeConfig = { file, ignore: [] };
  const errors: InputError[] = [];
  const lineCounter = new LineCounter();
  const doc = parseDocument(text.replace(/^\uFEFF/, ''), { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    for (const err of doc.errors) {
      const line = err.linePos?.[0]?.line;
      const reason = err.message.split('\n')[0].replace(/ at line \d+, column \d+:?\s*$/, '');
      errors.push(line !== undefined ? { file, line, message: `invalid YAML: ${reason}` } : { file, message: `invalid YAML: ${reason}` });
    }
    return { config, errors };
  }
  const ctx = new Ctx(doc, text, file, lineCounter, errors);
  const root = ctx.deref(doc.contents);
  if (root === null || (isScalar(root) && (root.value === null || root.value === undefined))) return { config, errors };
  if (!isMap(root)) {
    ctx.error(root, `the config file must be a mapping with keys ${TOP_KEYS.join(', ')} (found ${ctx.describe(root)})`);
    return { config, errors };
  }
  for (const { key, keyNode, value } of ctx.entries(root, TOP_KEYS, '')) {
    if (key === 'failOn') {
      const v = ctx.enumValue(value, 'failOn', FAIL_ON_VALUES);
      if (v !== undefined) config.failOn = v;
    } else if (key === 'pss') {
      const pss = readPss(ctx, value, keyNode);
      if (pss) config.pss = pss;
    } else if (key === 'ignore') {
      config.ignore = readIgnores(ctx, value, keyNode);
    } else if (key === 'profile') {
      const v = ctx.enumValue(value, 'profile', PROFILE_VALUES);
      if (v !== undefined) config.profile = v;
    } else if (key === 'checks' || key === 'skipChecks') {
      const list = readStringList(ctx, value, key);
      if (list) config[key] = list;
    } else if (key === 'params') {
      const params = readParams(ctx, value, keyNode);
      if (params) config.params = params;
    } else if (key === 'admission') {
      config.admission = readAdmission(ctx, value, keyNode);
    }
  }
  return { config, errors };
}

function readPss(ctx: Ctx, node: Node | null, keyNode: Node): PssConfig | undefined {
  if (!isMap(node)) {
    ctx.error(node ?? keyNode, `pss: expected a mapping with keys ${PSS_KEYS.join(', ')} (found ${ctx.describe(node)})`);
    return undefined;
  }
  const pss: PssConfig = {};
  for (const { key, value } of ctx.entries(node, PSS_KEYS, 'pss')) {
    if (key === 'level') {
      const v = ctx.enumValue(value, 'pss.level', PSS_LEVELS);
      if (v !== undefined) pss.level = v;
    } else if (key === 'version') {
      const v = ctx.scalarValue(value);
      if (typeof v === 'string' && isPssVersion(v)) pss.version = v;
      else if (typeof v === 'number') {
        ctx.error(value, `pss.version: expected a string such as "v1.${PSS_MAX_MINOR}" or "latest" (got the number ${v}; write it as "v${ctx.source(value)}")`);
      } else {
        ctx.error(value, `pss.version: expected "latest" or v1.0 … v1.${PSS_MAX_MINOR} (got ${ctx.describe(value)})`);
      }
    }
  }
  return Object.keys(pss).length > 0 ? pss : undefined;
}


/** Why a credential-name pattern cannot be used (it is not RE2), or undefined. */
function patternProblem(pattern: string): string | undefined {
  const compiled = compileUserPattern(pattern);
  return 'error' in compiled ? `${JSON.stringify(pattern)} is not a valid RE2 expression (${compiled.error}); ignored` : undefined;
}

function readParams(ctx: Ctx, node: Node | null, keyNode: Node): ConfigParams | undefined {
  if (!isMap(node)) {
    ctx.error(node ?? keyNode, `params: expected a mapping with keys ${[...PARAM_LIST_KEYS, ...PARAM_NUMBER_KEYS].join(', ')} (found ${ctx.describe(node)})`);
    return undefined;
  }
  const params: ConfigParams = {};
  for (const { key, value } of ctx.entries(node, [...PARAM_LIST_KEYS, ...PARAM_NUMBER_KEYS] as const, 'params')) {
    if ((PARAM_NUMBER_KEYS as readonly string[]).includes(key)) {
      const v = ctx.scalarValue(value);
      if (typeof v === 'number' && Number.isInteger(v) && v >= 0) params[key as (typeof PARAM_NUMBER_KEYS)[number]] = v;
      else ctx.error(value, `params.${key}: expected a whole number (got ${ctx.describe(value)})`);
    } else {
      const list = readStringList(ctx, value, `params.${key}`, key === 'credentialNamePatterns' ? patternProblem : undefined);
      if (list) params[key as (typeof PARAM_LIST_KEYS)[number]] = list;
    }
  }
  return params;
}

export function isPssVersion(v: string): boolean {
  if (v === 'latest') return true;
  const m = /^v1\.(0|[1-9]\d*)$/.exec(v);
  return m !== null && Number(m[1]) <= PSS_MAX_MINOR;
}

function readIgnores(ctx: Ctx, node: Node | null, keyNode: Node): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  if (node === null || (isScalar(node) && node.value === null)) return rules; // `ignore:` with nothing under it
  if (!isSeq(node)) {
    const hint = isMap(node) ? '; start each entry with "- ", as in "- check: pss/restricted/*"' : '';
    ctx.error(node ?? keyNode, `ignore: expected a list of entries (found ${ctx.describe(node)})${hint}`);
    return rules;
  }
  node.items.forEach((raw, i) => {
    const item = ctx.deref(raw as Node | null);
    const where = `ignore[${i}]`;
    if (!isMap(item)) {
      ctx.error(item ?? node, `${where}: expected a mapping with at least a "check" key (found ${ctx.describe(item)}); entry skipped`);
      return;
    }
    const rule = readIgnore(ctx, item, where);
    if (rule) rules.push(rule);
  });
  return rules;
}

function readIgnore(ctx: Ctx, node: YAMLMap, where: string): IgnoreRule | undefined {
  const before = ctx.errors.length;
  const line = ctx.lineOf(node);
  const rule: Partial<IgnoreRule> = {};
  let sawCheck = false;
  for (const { key, value } of ctx.entries(node, IGNORE_KEYS, where, '; entry skipped')) {
    const label = `${where}.${key}`;
    if (key === 'check') sawCheck = true;
    if (key === 'expires') {
      const exp = readExpires(ctx, value, label);
      if (exp) {
        rule.expires = exp.at;
        rule.expiresText = exp.text;
      }
      continue;
    }
    const v = ctx.scalarValue(value);
    if (key === 'reason' && (v === null || v === undefined)) continue; // an empty reason is no reason
    if (typeof v !== 'string') {
      ctx.error(value, `${label}: expected a string (got ${ctx.describe(value)}); entry skipped`);
      continue;
    }
    if (key !== 'reason' && v.trim() === '') {
      ctx.error(value, `${label}: must not be empty; entry skipped`);
      continue;
    }
    rule[key] = key === 'reason' ? v : v.trim();
  }
  if (!sawCheck) ctx.errors.push({ file: ctx.file, line, message: `${where}: missing required key "check"; entry skipped` });
  if (ctx.errors.length > before || rule.check === undefined) return undefined;
  const out: IgnoreRule = { check: rule.check };
  for (const k of ['kind', 'namespace', 'name', 'file', 'expires', 'expiresText', 'reason'] as const) {
    if (rule[k] !== undefined) (out as unknown as Record<string, unknown>)[k] = rule[k];
  }
  out.source = { file: ctx.file, line };
  return out;
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * `YYYY-MM-DD` (valid through the end of that day, UTC) or a full RFC 3339 timestamp
 * (valid through that instant). Undefined when the text is neither, or names no real date.
 */
export function parseExpiry(text: string): Date | undefined {
  const d = DATE_ONLY.exec(text);
  if (d) {
    const [y, m, day] = [Number(d[1]), Number(d[2]), Number(d[3])];
    if (!isRealDate(y, m, day)) return undefined;
    const at = new Date(0);
    at.setUTCFullYear(y, m - 1, day);
    at.setUTCHours(23, 59, 59, 999);
    return at;
  }
  const t = DATE_TIME.exec(text);
  if (t) {
    const [y, m, day, hh, mm, ss] = [1, 2, 3, 4, 5, 6].map((i) => Number(t[i]));
    if (!isRealDate(y, m, day) || hh > 23 || mm > 59 || ss > 60) return undefined;
    const tz = t[8];
    if (tz !== 'Z' && tz !== 'z' && (Number(tz.slice(1, 3)) > 23 || Number(tz.slice(4, 6)) > 59)) return undefined;
    const at = new Date(text.replace(' ', 'T').replace(/z$/, 'Z').replace(/^(\d{4}-\d{2}-\d{2})t/, '$1T'));
    return Number.isNaN(at.getTime()) ? undefined : at;
  }
  return undefined;
}

function isRealDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = [31, (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return d <= days[m - 1];
}

function readExpires(ctx: Ctx, node: Node | null, label: string): { at: Date; text: string } | undefined {
  const v = ctx.scalarValue(node);
  let text: string | undefined;
  if (typeof v === 'string') text = v.trim();
  else if (v instanceof Date) {
    // Only with a YAML 1.1 / timestamp schema: go back to what was written, so that a
    // plain date still means "through the end of that day".
    const src = ctx.source(node).replace(/^["']|["']$/g, '').trim();
    text = parseExpiry(src) ? src : v.toISOString();
  }
  const at = text !== undefined ? parseExpiry(text) : undefined;
  if (at === undefined || text === undefined) {
    const got = typeof v === 'string' ? JSON.stringify(v) : ctx.describe(node);
    ctx.error(node, `${label}: expected a date YYYY-MM-DD or an RFC 3339 timestamp such as 2026-12-31T23:59:59Z (got ${got}); entry skipped`);
    return undefined;
  }
  return { at, text };
}
