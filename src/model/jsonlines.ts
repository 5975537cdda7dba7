/**
 * Positions inside a JSON text without building a tree of it. A `kubectl get -o json`
 * dump can be 100 MB; finding the line of one field must not cost a second parse of all
 * of it. Values on the way are skipped with a character scan, and the start of every
 * array element and object member seen is remembered, so looking up many items of one
 * List costs one pass over the List in all.
 */
import { isSpaceCode, LineIndex } from './lines.js';
import type { JsonPath } from './types.js';

interface ObjectState {
  /** key → [offset of the member, offset of its value] */
  members: Map<string, [number, number]>;
  /** Where the next member starts (once pendingValue has been skipped). */
  cursor: number;
  /** Value of the last member read, not yet skipped. */
  pendingValue?: number;
  done: boolean;
}

export class JsonPositions {
  /** Offsets of elements (arrays) or [key, member offset, value offset] (objects) by container offset. */
  private readonly arrays = new Map<number, { starts: number[]; done: boolean; cursor: number }>();
  private readonly objects = new Map<number, ObjectState>();
  private lines?: LineIndex;

  /**
   * @param text the JSON text
   * @param value what JSON.parse made of it, when known: it tells how many elements each
   *   array has and of what type, which lets pretty-printed arrays be indexed by needle.
   */
  constructor(private readonly text: string, private readonly value?: unknown) {}

  /** 1-based line of the path, or of its deepest existing ancestor. */
  lineOf(path: JsonPath): number {
    this.lines ??= new LineIndex(this.text);
    return this.lines.lineAt(this.offsetOf(path));
  }

  offsetOf(path: JsonPath): number {
    let at = this.skipWs(0);
    let best = at;
    let value: unknown = this.value;
    for (const seg of path) {
      const c = this.text[at];
      let found: [number, number] | undefined;
      if (c === '{' && typeof seg === 'string') found = this.member(at, seg);
      else if (c === '[' && typeof seg === 'number') {
        const start = this.element(at, seg, Array.isArray(value) ? value : undefined);
        found = start === undefined ? undefined : [start, start];
      }
      if (!found) break;
      best = found[0];
      at = found[1];
      value = value !== null && typeof value === 'object' ? (value as Record<string | number, unknown>)[seg] : undefined;
    }
    return best;
  }

  private member(obj: number, key: string): [number, number] | undefined {
    let state = this.objects.get(obj);
    if (!state) {
      state = { members: new Map(), cursor: this.skipWs(obj + 1), done: false };
      this.objects.set(obj, state);
    }
    // Read members only as far as the one asked for: the next may be a 100 MB items array.
    while (!state.done && !state.members.has(key)) {
      if (state.pendingValue !== undefined) {
        this.advanceMember(state);
        if (state.done) break;
      }
      let i = state.cursor;
      if (this.text[i] !== '"') { state.done = true; break; }
      const keyStart = i;
      const keyEnd = this.skipString(i);
      const raw = this.text.slice(i + 1, keyEnd - 1);
      const name = raw.includes('\\') ? (JSON.parse(this.text.slice(i, keyEnd)) as string) : raw;
      i = this.skipWs(keyEnd);
      if (this.text[i] !== ':') { state.done = true; break; }
      const valueStart = this.skipWs(i + 1);
      if (!state.members.has(name)) state.members.set(name, [keyStart, valueStart]);
      state.pendingValue = valueStart;
    }
    return state.members.get(key);
  }

  /** Moves an object's cursor past the value of the member last read. */
  private advanceMember(state: ObjectState): void {
    if (state.pendingValue === undefined) return;
    const i = this.skipWs(this.skipValue(state.pendingValue));
    state.pendingValue = undefined;
    if (this.text[i] !== ',') state.done = true;
    else state.cursor = this.skipWs(i + 1);
  }

  private element(arr: number, index: number, parsed?: readonly unknown[]): number | undefined {
    let state = this.arrays.get(arr);
    if (!state) {
      const byLines = this.prettyElements(arr, parsed);
      state = byLines ? { starts: byLines, done: true, cursor: arr } : { starts: [], done: false, cursor: this.skipWs(arr + 1) };
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

  /**
   * Pretty-printed JSON (kubectl, jq, JSON.stringify with an indent) puts every element of
   * an array on its own line at one indentation, and the closing bracket at the
   * indentation of the line that opened the array. Two native regex scans then find every
   * element without reading the characters in between. Undefined when the layout differs.
   */
  private prettyElements(arr: number, parsed?: readonly unknown[]): number[] | undefined {
    const t = this.text;
    const lineStart = t.lastIndexOf('\n', arr) + 1;
    const open = /^( *)/.exec(t.slice(lineStart, arr + 1))![1].length;
    const firstNl = t.indexOf('\n', arr);
    if (firstNl === -1 || t.slice(arr + 1, firstNl).trim() !== '') return undefined;
    const first = this.skipWs(arr + 1);
    const inner = first - (t.lastIndexOf('\n', first) + 1);
    if (t[first] === ']' || inner <= open || t.slice(t.lastIndexOf('\n', first) + 1, first).trim() !== '') return undefined;
    const allObjects = parsed !== undefined && parsed.every((e) => e !== null && typeof e === 'object' && !Array.isArray(e));
    if (allObjects && t[first] === '{') {
      // Arrays of objects (every List): an exact needle, found with indexOf, as many times
      // as the array has elements; then the last one must be followed by the closing bracket.
      const starts = [first];
      for (let j = first; starts.length < parsed.length; ) {
        j = atLineStart(t, '{', inner, j + 1);
        if (j === -1) return undefined;
        starts.push(j);
      }
      const after = this.skipWs(this.skipValue(starts[starts.length - 1]));
      return t[after] === ']' ? starts : undefined;
    }
    // One scan: element starts at the inner indentation, until the closing bracket.
    const line = new RegExp(`^ {${open}}\\]|^ {${inner}}[^ \\]}]`, 'gm');
    line.lastIndex = first - inner;
    const starts: number[] = [];
    let closed = false;
    for (let m = line.exec(t); m !== null; m = line.exec(t)) {
      if (t.charCodeAt(m.index + open) === 93 && m[0].length === open + 1) { closed = true; break; }
      starts.push(m.index + inner);
    }
    if (!closed || (parsed !== undefined && starts.length !== parsed.length)) return undefined;
    return starts[0] === first ? starts : undefined;
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
      // One native regex scan: whole strings are consumed by the regex, brackets counted here.
      // (One shared regex: a literal here would make a new object on every call.)
      const token = TOKEN;
      token.lastIndex = i;
      let depth = 0;
      for (let m = token.exec(t); m !== null; m = token.exec(t)) {
        const ch = m[0].charCodeAt(0);
        if (ch === 34) continue;
        if (ch === 123 || ch === 91) depth++;
        else if (--depth === 0) return m.index + 1;
      }
      return t.length;
    }
    // A number, true, false or null: up to the next blank, comma or closing bracket.
    let j = i;
    while (j < t.length && !endsScalar(t.charCodeAt(j))) j++;
    return j;
  }
}

/** A string (whole) or a bracket: skipValue counts brackets between strings. */
const TOKEN = /"(?:[^"\\]|\\.)*"|[{}[\]]/g;

/** Whether a character ends a bare JSON scalar: whitespace (as \s sees it), `,`, `]` or `}`. */
function endsScalar(c: number): boolean {
  return c === 44 || c === 93 || c === 125 || isSpaceCode(c);
}

/** One element of a List, cut out of the text without parsing it. */
export interface JsonListItem {
  text: string;
  /** 1-based line of the element's first line in the whole text. */
  firstLine: number;
}

/**
 * Cuts the items of a pretty-printed `kind: *List` (kubectl get -o json, jq) out of the
 * text, so that worker threads can parse them in parallel. Only the layout those tools
 * write is accepted (one member per line, members of the top object at one indentation,
 * items as objects one level deeper); anything else gives undefined and is parsed whole.
 */
export function splitPrettyJsonList(text: string): JsonListItem[] | undefined {
  const open = /^\s*\{[ \t]*\r?\n( +)"/.exec(text.slice(0, 4096));
  if (!open) return undefined;
  const indent = open[1].length;
  // `kind` is a member of the top object: at its indentation, first or (kubectl) last.
  const kindNeedle = `\n${open[1]}"kind": "`;
  let kindAt = text.slice(0, 4096).indexOf(kindNeedle);
  if (kindAt === -1) kindAt = text.lastIndexOf(kindNeedle);
  if (kindAt === -1) return undefined;
  const kindStart = kindAt + kindNeedle.length;
  const kind = text.slice(kindStart, text.indexOf('"', kindStart));
  if (!kind.endsWith('List') || kind.includes('\\')) return undefined;
  const itemsKey = text.indexOf(`\n${open[1]}"items": [`);
  if (itemsKey === -1) return undefined;
  const afterBracket = itemsKey + indent + 11;
  if (!/^[ \t]*\r?\n/.test(text.slice(afterBracket, afterBracket + 8))) return undefined; // [] or one-line items
  const arrayEnd = atLineStart(text, ']', indent, afterBracket);
  if (arrayEnd === -1) return undefined;
  const firstLineEnd = text.indexOf('\n', afterBracket);
  const firstItem = /^( +)\{/.exec(text.slice(firstLineEnd + 1, firstLineEnd + 1 + 256));
  if (!firstItem || firstItem[1].length <= indent) return undefined;
  const inner = firstItem[1].length;
  const starts: number[] = [];
  for (let j = atLineStart(text, '{', inner, firstLineEnd); j !== -1 && j < arrayEnd; j = atLineStart(text, '{', inner, j + 1)) starts.push(j);
  const items: JsonListItem[] = [];
  let line = countLines(text, 0, starts[0]) + 1;
  for (let i = 0; i < starts.length; i++) {
    const stop = i + 1 < starts.length ? starts[i + 1] : arrayEnd;
    // Every element must be an object that ends where the next begins (then only `,` and blanks).
    const close = text.lastIndexOf('}', stop);
    const gap = text.slice(close + 1, stop);
    if (close < starts[i] || gap.replace(/[\s,]/g, '') !== '' || gap.split(',').length > 2) return undefined;
    const body = text.slice(starts[i], close + 1);
    items.push({ text: body, firstLine: line });
    line += countLines(text, starts[i], stop);
  }
  return items;
}

/**
 * Offset of the next `char` from `from` that opens a line indented by exactly `indent`
 * spaces, or -1. Searching for one character is many times faster than for a string
 * that starts with a newline and spaces, which match partly on every line.
 */
function atLineStart(text: string, char: string, indent: number, from: number): number {
  for (let j = text.indexOf(char, from); j !== -1; j = text.indexOf(char, j + 1)) {
    if (j < indent + 1 || text.charCodeAt(j - indent - 1) !== 10) continue;
    let k = j - 1;
    while (k > j - indent - 1 && text.charCodeAt(k) === 32) k--;
    if (k === j - indent - 1) return j;
  }
  return -1;
}

function countLines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf('\n', from); i !== -1 && i < to; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
