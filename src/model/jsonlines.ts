/**
 * Positions inside a JSON text without building a tree of it. A `kubectl get -o json`
 * dump can be 100 MB; finding the line of one field must not cost a second parse of all
 * of it. Values on the way are skipped with a character scan, and the start of every
 * array element and object member seen is remembered, so looking up many items of one
 * List costs one pass over the List in all.
 */
import { LineIndex } from './lines.js';
import type { JsonPath } from './types.js';

export class JsonPositions {
  /** Offsets of elements (arrays) or [key, member offset, value offset] (objects) by container offset. */
  private readonly arrays = new Map<number, { starts: number[]; done: boolean; cursor: number }>();
  private readonly objects = new Map<number, Map<string, [number, number]>>();
  private lines?: LineIndex;

  constructor(private readonly text: string) {}

  /** 1-based line of the path, or of its deepest existing ancestor. */
  lineOf(path: JsonPath): number {
    this.lines ??= new LineIndex(this.text);
    return this.lines.lineAt(this.offsetOf(path));
  }

  offsetOf(path: JsonPath): number {
    let at = this.skipWs(0);
    let best = at;
    for (const seg of path) {
      const c = this.text[at];
      let found: [number, number] | undefined;
      if (c === '{' && typeof seg === 'string') found = this.member(at, seg);
      else if (c === '[' && typeof seg === 'number') {
        const start = this.element(at, seg);
        found = start === undefined ? undefined : [start, start];
      }
      if (!found) break;
      best = found[0];
      at = found[1];
    }
    return best;
  }

  private member(obj: number, key: string): [number, number] | undefined {
    let members = this.objects.get(obj);
    if (!members) {
      members = new Map();
      let i = this.skipWs(obj + 1);
      while (this.text[i] === '"') {
        const keyStart = i;
        const keyEnd = this.skipString(i);
        const raw = this.text.slice(i + 1, keyEnd - 1);
        const name = raw.includes('\\') ? (JSON.parse(this.text.slice(i, keyEnd)) as string) : raw;
        i = this.skipWs(keyEnd);
        if (this.text[i] !== ':') break;
        const valueStart = this.skipWs(i + 1);
        if (!members.has(name)) members.set(name, [keyStart, valueStart]);
        i = this.skipWs(this.skipValue(valueStart));
        if (this.text[i] !== ',') break;
        i = this.skipWs(i + 1);
      }
      this.objects.set(obj, members);
    }
    return members.get(key);
  }

  private element(arr: number, index: number): number | undefined {
    let state = this.arrays.get(arr);
    if (!state) {
      state = { starts: [], done: false, cursor: this.skipWs(arr + 1) };
      if (this.text[state.cursor] === ']') state.done = true;
      this.arrays.set(arr, state);
    }
    while (!state.done && state.starts.length <= index) {
      const start = state.cursor;
      state.starts.push(start);
      const after = this.skipWs(this.skipValue(start));
      if (this.text[after] === ',') state.cursor = this.skipWs(after + 1);
      else state.done = true;
    }
    return state.starts[index];
  }

  private skipWs(i: number): number {
    const t = this.text;
    while (i < t.length) {
      const c = t.charCodeAt(i);
      if (c !== 32 && c !== 10 && c !== 13 && c !== 9) break;
      i++;
    }
    return i;
  }

  /** Index just past the string that starts at `i` (a double quote). */
  private skipString(i: number): number {
    const t = this.text;
    let j = i + 1;
    for (;;) {
      const q = t.indexOf('"', j);
      if (q === -1) return t.length;
      let backslashes = 0;
      for (let k = q - 1; k > i && t.charCodeAt(k) === 92; k--) backslashes++;
      if (backslashes % 2 === 0) return q + 1;
      j = q + 1;
    }
  }

  /** Index just past the value that starts at `i`. */
  private skipValue(i: number): number {
    const t = this.text;
    const c = t[i];
    if (c === '"') return this.skipString(i);
    if (c === '{' || c === '[') {
      let depth = 0;
      let j = i;
      while (j < t.length) {
        const ch = t.charCodeAt(j);
        if (ch === 34) { j = this.skipString(j); continue; }
        if (ch === 123 || ch === 91) depth++;
        else if (ch === 125 || ch === 93) {
          depth--;
          if (depth === 0) return j + 1;
        }
        j++;
      }
      return t.length;
    }
    let j = i;
    while (j < t.length && !/[\s,\]}]/.test(t[j])) j++;
    return j;
  }
}
