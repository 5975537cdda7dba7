/**
 * Strings that share no memory with the documents they were read from. A parsed value is a
 * view into its whole document's text (V8 represents substrings as slices of their parent),
 * so one name kept in a finding or a fact would keep the whole document alive until the end
 * of the scan: memory that grows with the input, and garbage collection that copies it.
 */

/** Strings this short are copied by V8 anyway. */
const SLICE_MIN = 13;

/** A copy of `s` that shares no memory with a larger string. */
export function ownString(s: string): string {
  if (s.length < SLICE_MIN) return s;
  // Joining two pieces writes them into one fresh flat string: the copy is a single object.
  // (Slicing a flattened concatenation, (' ' + s).slice(1), kept two: the copy, and a view of
  // it. Copies are kept by the thousand to the end of a scan, and each is moved by the garbage
  // collector.) The pieces go in one reused pair.
  const pair = halves;
  pair[0] = s[0];
  pair[1] = s.slice(1);
  const copy = pair.join('');
  pair[1] = '';
  return copy;
}

const halves: [string, string] = ['', ''];

/**
 * `value` with every long string replaced by its own copy: plain objects and arrays are
 * rebuilt, anything else (numbers, class instances) is kept as it is. Objects met again in
 * `seen` (shared by several values) are rebuilt once and stay shared.
 */
export function ownStrings<T>(value: T, seen: Map<object, unknown> = new Map()): T {
  if (typeof value === 'string') return ownString(value) as T;
  if (value === null || typeof value !== 'object') return value;
  // Class instances are kept as they are (without a lookup: facts are often one).
  if (!Array.isArray(value) && Object.getPrototypeOf(value) !== Object.prototype) return value;
  const done = seen.get(value);
  if (done !== undefined) return done as T;
  let out: unknown;
  if (Array.isArray(value)) {
    const copy: unknown[] = [];
    seen.set(value, copy);
    for (const item of value) copy.push(ownStrings(item, seen));
    out = copy;
  } else {
    const copy: Record<string, unknown> = {};
    seen.set(value, copy);
    for (const k of Object.keys(value)) {
      const v = ownStrings((value as Record<string, unknown>)[k], seen);
      if (k === '__proto__') Object.defineProperty(copy, k, { value: v, enumerable: true, writable: true, configurable: true });
      else copy[k] = v;
    }
    out = copy;
  }
  return out as T;
}
