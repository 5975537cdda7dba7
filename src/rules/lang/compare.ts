/**
 * One comparison `value op literal` for a field type, prepared once: the literal is parsed by
 * the field's type and anything derivable from it (lower case, byte string, regex, sets) is
 * computed here so the returned predicate does no allocation for common checks.
 */
import { RE2JS } from 're2js';
import type { FieldType, FieldValue } from '../types.js';
import { ConditionCompileError } from './errors.js';
import { fnmatch } from './glob.js';
import {
  asBool,
  asByteString,
  asIpAddr,
  asNumber,
  asText,
  asciiLower,
  internalize,
  ipInNet,
  ipv4InNet,
  ipv4Number,
  isNumericType,
  parseBool,
  parseHexBytes,
  parseIpNet,
  parseNumber,
} from './values.js';

export type ValuePredicate = (v: FieldValue) => boolean;

const NUMERIC_OPS = new Set(['=', '!=', '<', '<=', '>', '>=']);

function notSupported(op: string, kind: string): never {
  throw new ConditionCompileError(`'${op}' operator not supported for ${kind} filters`);
}

export function compileRegex(pattern: string): RE2JS {
  try {
    return RE2JS.compile(pattern);
  } catch (e) {
    throw new ConditionCompileError(`invalid regular expression '${pattern}': ${(e as Error).message}`);
  }
}

/** True when `flag` is one of the `|`-separated words of `flags`. */
function hasFlag(flags: string, flag: string): boolean {
  if (flag === '') return false;
  let from = 0;
  for (;;) {
    const at = flags.indexOf(flag, from);
    if (at < 0) return false;
    const end = at + flag.length;
    if ((at === 0 || flags.charCodeAt(at - 1) === 124) && (end === flags.length || flags.charCodeAt(end) === 124)) return true;
    from = at + 1;
  }
}

function numericPredicate(op: string, lit: number): ValuePredicate {
  switch (op) {
    case '=': return (v) => asNumber(v) === lit;
    case '!=': return (v) => { const n = asNumber(v); return !Number.isNaN(n) && n !== lit; };
    case '<': return (v) => asNumber(v) < lit;
    case '<=': return (v) => asNumber(v) <= lit;
    case '>': return (v) => asNumber(v) > lit;
    case '>=': return (v) => asNumber(v) >= lit;
  }
  return notSupported(op, 'numeric');
}

function stringPredicate(op: string, lit: string, type: FieldType): ValuePredicate {
  switch (op) {
    case '=': return (v) => asText(v) === lit;
    case '!=': return (v) => asText(v) !== lit;
    case '<': return (v) => asText(v) < lit;
    case '<=': return (v) => asText(v) <= lit;
    case '>': return (v) => asText(v) > lit;
    case '>=': return (v) => asText(v) >= lit;
    case 'contains':
      if (type === 'flags') return (v) => hasFlag(asText(v), lit);
      return (v) => asText(v).includes(lit);
    case 'icontains': {
      const lower = asciiLower(lit);
      return (v) => asciiLower(asText(v)).includes(lower);
    }
    case 'startswith': return (v) => asText(v).startsWith(lit);
    case 'endswith': return (v) => asText(v).endsWith(lit);
    case 'glob': return (v) => fnmatch(lit, asText(v));
    case 'iglob': return (v) => fnmatch(lit, asText(v), true);
    case 'regex': {
      const re = compileRegex(lit);
      return (v) => re.matches(asText(v));
    }
    case 'bcontains': {
      const bytes = parseHexBytes(lit);
      return (v) => asByteString(v).includes(bytes);
    }
    case 'bstartswith': {
      const bytes = parseHexBytes(lit);
      return (v) => asByteString(v).startsWith(bytes);
    }
  }
  throw new ConditionCompileError(`operator '${op}' not supported here`);
}

/** `value op literal` for a field of `type` (op is already normalised: `==` → `=`). */
export function valuePredicate(op: string, type: FieldType, literal: string): ValuePredicate {
  if (isNumericType(type)) {
    if (!NUMERIC_OPS.has(op)) notSupported(op, 'numeric');
    return numericPredicate(op, parseNumber(literal, type));
  }
  if (type === 'bool') {
    const b = parseBool(literal);
    if (op === '=') return (v) => asBool(v) === b;
    if (op === '!=') return (v) => { const x = asBool(v); return x !== undefined && x !== b; };
    return notSupported(op, 'boolean');
  }
  if (type === 'ipaddr' || type === 'ipnet') {
    // An address field compared with a network (or a network field with an address) means containment.
    const net = parseIpNet(literal);
    if (!net) throw new ConditionCompileError(`${literal} is not a valid IP address`);
    // IPv4 text (nearly every address) is read straight into a number; anything else is parsed.
    if (op === '=') {
      return (v) => {
        const n = typeof v === 'string' ? ipv4Number(v) : -1;
        if (n >= 0) return ipv4InNet(n, net);
        const a = asIpAddr(v);
        return a !== undefined && ipInNet(a, net);
      };
    }
    if (op === '!=') {
      return (v) => {
        const n = typeof v === 'string' ? ipv4Number(v) : -1;
        if (n >= 0) return !ipv4InNet(n, net);
        const a = asIpAddr(v);
        return a !== undefined && !ipInNet(a, net);
      };
    }
    return notSupported(op, 'IP address');
  }
  return stringPredicate(op, literal, type);
}

/**
 * `left op right` where both sides are extracted at run time (`val()` and transformers on the
 * right). Literals cannot be prepared, so this path parses per call; it is the rare case.
 */
export function dynamicCompare(op: string, type: FieldType, left: FieldValue, right: FieldValue): boolean {
  if (isNumericType(type) || type === 'bool') {
    const a = asNumber(left);
    const b = asNumber(right);
    if (Number.isNaN(a) || Number.isNaN(b)) return false;
    switch (op) {
      case '=': return a === b;
      case '!=': return a !== b;
      case '<': return a < b;
      case '<=': return a <= b;
      case '>': return a > b;
      case '>=': return a >= b;
    }
    return false;
  }
  if (op === 'regex') return regexCache(asText(right)).matches(asText(left));
  if (op === 'bcontains' || op === 'bstartswith') {
    const l = asByteString(left);
    const r = asByteString(right);
    return op === 'bcontains' ? l.includes(r) : l.startsWith(r);
  }
  return stringPredicate(op, asText(right), type)(left);
}

const regexes = new Map<string, RE2JS>();
function regexCache(pattern: string): RE2JS {
  let re = regexes.get(pattern);
  if (!re) {
    if (regexes.size > 256) regexes.clear();
    re = RE2JS.compile(pattern);
    regexes.set(pattern, re);
  }
  return re;
}

/**
 * `pmatch`: the value is one of the paths or lies under one, component by component
 * (`/var/run` covers `/var/run/x` but not `/var/runx`); components may be globs.
 */
export function pathPrefixMatcher(paths: readonly string[]): (value: string) => boolean {
  const split = (p: string) => p.split('/').filter((c) => c !== '');
  const plain: string[] = [];
  const globbed: string[][] = [];
  for (const p of paths) {
    if (/[*?[]/.test(p)) globbed.push(split(p));
    else plain.push(internalize(p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p));
  }
  return (value) => {
    for (const p of plain) {
      if (value === p) return true;
      if (value.startsWith(p) && (p.endsWith('/') || value.charCodeAt(p.length) === 47)) return true;
    }
    if (globbed.length === 0) return false;
    const parts = split(value);
    outer: for (const g of globbed) {
      if (g.length > parts.length) continue;
      for (let i = 0; i < g.length; i++) if (!fnmatch(g[i]!, parts[i]!)) continue outer;
      return true;
    }
    return false;
  };
}
