/**
 * The small pieces of Go behaviour that kubesec's output depends on, written for plain JSON
 * values (what JSON.parse / the YAML loader give us):
 *
 * - `goValue`: how Go's `fmt.Sprintf("%v", x)` prints a decoded JSON value. kubesec builds
 *   object names with it and several rules are substring tests on it (`"SYS_ADMIN"`,
 *   `"/proc"`, `"accessModes:[ReadWriteOnce]"`, `"<nil>"`…), so the text has to be the same.
 * - `lookup` / `pluck`: the path semantics of the JSON query library kubesec's rules use
 *   (`From("a.b").Get()` and `From(list).Only("a.b")`).
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Go's shortest `%v` / `%g` text of a float64 (JSON numbers decode to float64). */
export function goFloat(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (!Number.isFinite(f)) return f > 0 ? '+Inf' : '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  // toExponential() without a precision gives the shortest digits that round-trip, as Go does.
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(f.toExponential());
  if (!m) return String(f);
  const [, sign, lead, rest = '', expText] = m;
  const digits = lead + rest;
  const exp = Number(expText);
  // strconv's 'g' with the shortest precision switches to %e when exp < -4 || exp >= 6
  // (fmt.Println(1e6) prints 1e+06).
  if (exp < -4 || exp >= 6) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp);
    return `${sign}${mant}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return `${sign}${digits}${'0'.repeat(exp + 1 - digits.length)}`;
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

/** Go's byte-wise string order, for sorting map keys the way fmt prints them. */
export function goLess(a: string, b: string): number {
  const ba = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return Buffer.compare(ba, bb);
}

/** `fmt.Sprintf("%v", v)` for a value decoded from JSON into `interface{}`. */
export function goValue(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return goFloat(v);
  if (Array.isArray(v)) return `[${v.map(goValue).join(' ')}]`;
  if (isMap(v)) {
    const keys = Object.keys(v).sort(goLess);
    return `map[${keys.map((k) => `${k}:${goValue(v[k])}`).join(' ')}]`;
  }
  return String(v);
}

/** Result of following a dotted path: `found` only when every step was a map holding the key. */
export interface Lookup {
  found: boolean;
  value: unknown;
}

/**
 * `From("a.b.c")` of the query library: each step must be a map that has the key (a key
 * holding null counts as present). Index steps are not needed by kubesec's rules here.
 */
export function lookup(root: unknown, path: readonly string[]): Lookup {
  let cur: unknown = root;
  for (const key of path) {
    if (!isMap(cur) || !Object.prototype.hasOwnProperty.call(cur, key)) return { found: false, value: undefined };
    cur = cur[key];
  }
  return { found: true, value: cur };
}

/** `From(path).Get()`: the value, or null when the path is missing (Go's nil either way). */
export function get(root: unknown, path: readonly string[]): unknown {
  const r = lookup(root, path);
  return r.found && r.value !== undefined ? r.value : null;
}

/**
 * `Count()` of the query library: the length of a list, or the number of keys of a map
 * (a map in place of a list is schema-invalid, but the library counts it).
 */
export function count(v: unknown): number {
  if (Array.isArray(v)) return v.length;
  if (isMap(v)) return Object.keys(v).length;
  return 0;
}

/**
 * Element `i` of what `count` counted. An index step on a map leaves the map as it is in the
 * query library, so a map "list" yields the map itself for every index.
 */
export function element(v: unknown, i: number): unknown {
  if (Array.isArray(v)) return v[i];
  if (isMap(v)) return v;
  return undefined;
}

/**
 * `From(list).Only("a.b")`: for each map in the list that has the nested key, a one-key map
 * named after the last path segment (the library's alias rule). Anything but a list gives [].
 */
export function pluck(list: unknown, dotted: string): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  if (!Array.isArray(list)) return out;
  const path = dotted.split('.');
  const alias = path[path.length - 1];
  for (const item of list) {
    const r = lookup(item, path);
    if (r.found) out.push({ [alias]: r.value === undefined ? null : r.value });
  }
  return out;
}
