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
  // Flattening a concatenation makes a fresh string; the slice is then a view of that copy only.
  return s.length < SLICE_MIN ? s : (' ' + s).slice(1);
}

/**
 * `value` with every long string replaced by its own copy: plain objects and arrays are
 * rebuilt, anything else (numbers, class instances) is kept as it is.
 */
export function ownStrings<T>(value: T): T {
  if (typeof value === 'string') return ownString(value) as T;
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(ownStrings) as T;
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[k];
    if (k === '__proto__') Object.defineProperty(out, k, { value: ownStrings(v), enumerable: true, writable: true, configurable: true });
    else out[k] = ownStrings(v);
  }
  return out as T;
}
