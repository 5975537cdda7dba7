/**
 * The part of JSON Patch (RFC 6902) and JSON Pointer (RFC 6901) the mutating webhook needs:
 * `add` and `replace`, applied strictly (a missing parent is an error, as in the API server),
 * without touching the input.
 */
import type { JsonPath } from '../../model/index.js';

export interface JsonPatchOp {
  op: 'add' | 'replace';
  /** JSON Pointer (RFC 6901), e.g. `/spec/template/spec/securityContext`. */
  path: string;
  value: unknown;
}

/** A patch that does not apply: which operation and why. */
export class JsonPatchError extends Error {
  constructor(readonly index: number, readonly op: unknown, message: string) {
    super(`patch operation ${index}: ${message}`);
    this.name = 'JsonPatchError';
  }
}

/** One reference token: `~` → `~0`, `/` → `~1` (RFC 6901 §3). */
export function escapePointerToken(token: string | number): string {
  return String(token).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** `['spec', 'a/b']` → `/spec/a~1b`; `[]` → `''` (the whole document). */
export function toPointer(path: JsonPath): string {
  return path.map((seg) => `/${escapePointerToken(seg)}`).join('');
}

/** The reference tokens of a pointer, unescaped; undefined when it is not a valid pointer. */
export function parsePointer(pointer: string): string[] | undefined {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) return undefined;
  const tokens = pointer.slice(1).split('/');
  const out: string[] = [];
  for (const t of tokens) {
    // `~` must be followed by 0 or 1.
    if (/~(?![01])/.test(t)) return undefined;
    out.push(t.replace(/~1/g, '/').replace(/~0/g, '~'));
  }
  return out;
}

type Container = Record<string, unknown> | unknown[];

function isContainer(v: unknown): v is Container {
  return v !== null && typeof v === 'object';
}

/**
 * Sets an own property, even one named `__proto__` (plain assignment would change the
 * prototype). defineProperty only for that key: it is five times slower than assignment.
 */
function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  else obj[key] = value;
}

/** A deep copy of JSON data (objects and arrays copied, everything else shared). */
export function cloneJson<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => cloneJson(v)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) setOwn(out, key, cloneJson((value as Record<string, unknown>)[key]));
    return out as T;
  }
  return value;
}

const ARRAY_INDEX = /^(0|[1-9][0-9]*)$/;

/**
 * Applies `add` and `replace` operations in order (RFC 6902 §4.1, §4.3) and returns the new
 * document; the input and the operations' values are never modified or shared with the result.
 * Throws JsonPatchError for an operation that does not apply (bad pointer, missing parent,
 * `replace` of a missing member, array index out of range, another op).
 */
export function applyJsonPatch(object: unknown, patch: readonly JsonPatchOp[]): unknown {
  let doc = cloneJson(object);
  patch.forEach((op, index) => {
    doc = applyOne(doc, op, index);
  });
  return doc;
}

function applyOne(doc: unknown, op: JsonPatchOp, index: number): unknown {
  function fail(message: string): never {
    throw new JsonPatchError(index, op, message);
  }
  if (op === null || typeof op !== 'object') fail('not an object');
  if (op.op !== 'add' && op.op !== 'replace') fail(`unsupported op ${JSON.stringify(op.op)}`);
  if (typeof op.path !== 'string') fail('path is not a string');
  if (!Object.prototype.hasOwnProperty.call(op, 'value')) fail('no value');
  const tokens = parsePointer(op.path);
  if (tokens === undefined) return fail(`invalid JSON pointer ${JSON.stringify(op.path)}`);
  const value = cloneJson(op.value);
  if (tokens.length === 0) return value;

  let parent: unknown = doc;
  for (let i = 0; i < tokens.length - 1; i++) {
    const t = tokens[i];
    if (Array.isArray(parent)) {
      if (!ARRAY_INDEX.test(t) || Number(t) >= parent.length) fail(`${toPointer(tokens.slice(0, i + 1))} does not exist`);
      parent = parent[Number(t)];
    } else if (isContainer(parent)) {
      if (!Object.prototype.hasOwnProperty.call(parent, t)) fail(`${toPointer(tokens.slice(0, i + 1))} does not exist`);
      parent = (parent as Record<string, unknown>)[t];
    } else {
      fail(`${toPointer(tokens.slice(0, i))} is not an object or array`);
    }
  }
  const last = tokens[tokens.length - 1];
  const where = toPointer(tokens.slice(0, -1)) || 'the document root';
  if (Array.isArray(parent)) {
    if (op.op === 'add') {
      if (last === '-') parent.push(value);
      else if (ARRAY_INDEX.test(last) && Number(last) <= parent.length) parent.splice(Number(last), 0, value);
      else fail(`index ${JSON.stringify(last)} is out of range for ${where}`);
    } else {
      if (ARRAY_INDEX.test(last) && Number(last) < parent.length) parent[Number(last)] = value;
      else fail(`${op.path} does not exist`);
    }
  } else if (isContainer(parent)) {
    if (op.op === 'replace' && !Object.prototype.hasOwnProperty.call(parent, last)) fail(`${op.path} does not exist`);
    setOwn(parent as Record<string, unknown>, last, value);
  } else {
    fail(`${where} is not an object or array`);
  }
  return doc;
}
