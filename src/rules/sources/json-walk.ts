/**
 * Walking parsed JSON the way the Go plugins do with fastjson: `Get` by object key or array
 * index, non-string values rendered as compact JSON, and k8saudit's `getValuesRecursive`.
 */
import { internalize } from '../intern.js';

const hasOwn = Object.prototype.hasOwnProperty;
const ARRAY_INDEX = /^[+-]?\d+$/;

/** fastjson's Value.Get(key): an object member, or an array element when the key is a decimal index. */
export function jsonGet(value: unknown, key: string): unknown {
  if (value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    if (!ARRAY_INDEX.test(key)) return undefined;
    const i = Number(key);
    return i >= 0 && i < value.length ? value[i] : undefined;
  }
  // Parsed JSON never holds functions, so a function is an inherited Object.prototype member;
  // `__proto__` is the one inherited non-function and needs the own-property test.
  if (key === '__proto__') return hasOwn.call(value, key) ? (value as Record<string, unknown>)[key] : undefined;
  const v = (value as Record<string, unknown>)[key];
  return typeof v === 'function' ? undefined : v;
}

/** fastjson's Value.Get(keys...). */
export function jsonPath(value: unknown, keys: readonly string[]): unknown {
  let v = value;
  for (let i = 0; i < keys.length && v !== undefined; i++) v = jsonGet(v, keys[i]);
  return v;
}

let pathReaders = 0;

/**
 * `jsonText(jsonPath(value, keys))`, undefined when the path is missing, as a function
 * compiled for this path: one property load per key in its own code, so each load's feedback
 * stays with its key and the few object shapes that have it (in the shared loop of jsonPath
 * every load sees every key and shape). The keys are arguments, never part of the source; a
 * serial number keeps the sources distinct (V8 shares one compiled function, and its
 * feedback, between Function sources of the same text). With `auditEvent`, a value that is
 * not an audit event (an object with auditID) gives undefined, as every ka.* field does.
 * Keys fastjson could take as an array index, and `__proto__`, keep the generic walk.
 */
export function pathTextReader(keys: readonly string[], auditEvent: boolean): (value: unknown) => string | undefined {
  if (keys.length === 0 || keys.some((k) => k === '__proto__' || ARRAY_INDEX.test(k))) {
    return (value) => {
      if (auditEvent && !isAuditEvent(value)) return undefined;
      const v = jsonPath(value, keys);
      return v === undefined ? undefined : jsonText(v);
    };
  }
  const params = keys.map((_, i) => `k${i}`);
  let body = `"use strict";\n// path reader ${++pathReaders}\nreturn (ev) => {\n  let v = ev;\n`;
  if (auditEvent) body += `  if (v === null || typeof v !== 'object' || v.auditID === undefined) return undefined;\n`;
  for (const k of params) {
    // jsonGet: only a non-array object has a member named by a non-index key; functions are inherited.
    body += `  if (v === null || typeof v !== 'object' || isArray(v)) return undefined;\n  v = v[${k}];\n  if (v === undefined || typeof v === 'function') return undefined;\n`;
  }
  body += `  return typeof v === 'string' ? v : JSON.stringify(v);\n};`;
  const make = new Function(...params, 'isArray', body) as (...args: unknown[]) => (value: unknown) => string | undefined;
  return make(...keys.map(internalize), Array.isArray);
}

/** Whether a value is an audit event: an object with auditID (the test every ka.* field makes first). */
export function isAuditEvent(value: unknown): boolean {
  return value !== null && typeof value === 'object' && (value as { auditID?: unknown }).auditID !== undefined;
}

/** k8saudit's jsonValueAsString: strings as they are, anything else (null too) as compact JSON. */
export function jsonText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * Port of k8saudit's getValuesRecursive. Walking `keys`, every array met on the way is either
 * fanned out (no index: one result per element, `undefined` where the rest of the path is
 * missing) or narrowed to element `index`. An array at the very end is NOT expanded: it comes
 * back as one value. Returns false when the path is missing above the first array.
 */
export function valuesRecursive(value: unknown, index: number, keys: readonly string[], from: number, out: unknown[]): boolean {
  let v = value;
  for (let i = from; i < keys.length; i++) {
    if (Array.isArray(v)) {
      if (index < 0) {
        for (const item of v) {
          if (!valuesRecursive(item, index, keys, i, out)) out.push(undefined);
        }
        return true;
      }
      if (index >= v.length) return false;
      v = v[index];
    }
    // An empty key is fastjson's Get() with no keys: the value itself.
    if (keys[i].length > 0) {
      v = jsonGet(v, keys[i]);
      if (v === undefined) return false;
    } else if (v === undefined) {
      return false;
    }
  }
  out.push(v);
  return true;
}

/** Parses an RFC 6901 pointer into keys once (the json plugin strips one leading `/`). */
export function parseJsonPointer(pointer: string): string[] {
  const body = pointer.startsWith('/') ? pointer.slice(1) : pointer;
  return body.split('/').map((key) => key.replaceAll('~1', '/').replaceAll('~0', '~'));
}
