/**
 * A fast line finder for the YAML that Kubernetes manifests are written in: block mappings
 * and sequences, plain or quoted keys, one-line flow collections. It reads only the lines
 * on the way to the path, so it costs a fraction of a full positional parse. Anything it
 * is not sure about (anchors, tags, complex keys, tabs, multi-line flow collections) makes
 * it give up, and the caller falls back to the `yaml` library.
 */
import type { JsonPath } from './types.js';

/** Thrown inside the scanner when the text is outside the subset it handles. */
class Unsupported extends Error {}

interface BlockNode {
  /** 0-based line where the node's content starts. */
  line: number;
  /** Column where the content starts on that line. */
  col: number;
  /** Exclusive end line of the node's block. */
  end: number;
}

type Kind = 'map' | 'seq' | 'leaf';

/**
 * 0-based line of the path (or of its deepest existing ancestor) in `lines`, or undefined
 * when the text is outside the handled subset.
 */
export function findBlockLine(lines: readonly string[], path: JsonPath): number | undefined {
  return new BlockLineFinder(lines.join('\n')).find(path);
}

/** A node reached by a path prefix, with the steps already taken below it. */
interface Visited {
  /** Line answered for this prefix (the parent's when the key is absent). */
  line: number;
  /** The node to walk on from; undefined when the walk stops here (a leaf, or absent). */
  node: BlockNode | undefined;
  /** Children walked so far, by path segment (numbers for sequence items, strings for keys). */
  next?: Map<string | number, Visited>;
}

/**
 * A finder for one document that remembers the nodes it has walked through, so that the
 * many findings of one resource (all under spec.template.spec.containers[i]…) do not
 * each walk from the top again.
 */
export class BlockLineFinder {
  private readonly scanner: Scanner;
  /** The root node (null: the document has no content), once found. */
  private root?: Visited | null;
  private unsupported = false;

  /** @param text the document's text (lines separated by \n, \r\n allowed) */
  constructor(text: string) {
    this.scanner = new Scanner(text);
  }

  /** 0-based line of the path or of its deepest existing ancestor; undefined when unsure. */
  find(path: JsonPath): number | undefined {
    if (this.unsupported) return undefined;
    try {
      return this.walk(path);
    } catch (err) {
      if (err instanceof Unsupported) {
        this.unsupported = true;
        return undefined;
      }
      throw err;
    }
  }

  private walk(path: JsonPath): number {
    if (this.root === undefined) {
      const node = this.scanner.rootNode();
      this.root = node ? { line: node.line, node } : null;
    }
    if (this.root === null) return 0;
    let at: Visited = this.root;
    for (let i = 0; i < path.length && at.node; i++) {
      const seg = path[i];
      let next = at.next?.get(seg);
      if (!next) {
        const step = this.scanner.step(at.node, seg);
        next = step ? { line: step[0], node: step[1] } : { line: at.line, node: undefined };
        (at.next ??= new Map()).set(seg, next);
      }
      at = next;
    }
    return at.line;
  }
}

/**
 * Walks the text by line offsets, without splitting it: only the lines on the way to a
 * path are looked at, and most are compared in place.
 */
class Scanner {
  /** Offset where each line starts, found lazily: most lookups stop near the top of a document. */
  private readonly starts: number[] = [0];
  /** True once every line start is known. */
  private complete = false;

  constructor(private readonly text: string) {}

  /** Finds line starts until line `i` is known (or the text ends). */
  private extendTo(i: number): void {
    const starts = this.starts;
    while (!this.complete && starts.length <= i) {
      const nl = this.text.indexOf('\n', starts[starts.length - 1]);
      if (nl === -1) this.complete = true;
      else starts.push(nl + 1);
    }
  }

  /** Whether line `i` exists. */
  private has(i: number): boolean {
    this.extendTo(i);
    return i < this.starts.length;
  }

  /** Offset just past the line's last character (its \n excluded, a \r kept as \n-split lines keep it). */
  private endOf(i: number): number {
    this.extendTo(i + 1);
    return i + 1 < this.starts.length ? this.starts[i + 1] - 1 : this.text.length;
  }

  private lineText(i: number): string {
    return this.text.slice(this.starts[i], this.endOf(i));
  }

  rootNode(): BlockNode | undefined {
    for (let i = 0; this.has(i); i++) {
      if (this.isSkippable(i)) continue;
      const l = this.lineText(i);
      if (/^---(\s|$)/.test(l)) {
        if (l.slice(3).trim() !== '' && !l.slice(3).trim().startsWith('#')) throw new Unsupported();
        continue;
      }
      return { line: i, col: this.indentOf(i), end: Number.MAX_SAFE_INTEGER };
    }
    return undefined;
  }

  /** One step down: [line of the child, child node (undefined for a leaf)], or undefined when absent. */
  step(node: BlockNode, seg: string | number): [number, BlockNode | undefined] | undefined {
    const kind = this.kindAt(node);
    let next: BlockNode | undefined;
    let at: number | undefined;
    if (kind === 'map' && typeof seg === 'string') [at, next] = this.mapEntry(node, seg);
    else if (kind === 'seq' && typeof seg === 'number') [at, next] = this.seqItem(node, seg);
    else return undefined;
    return at === undefined ? undefined : [at, next];
  }

  private content(node: BlockNode): string {
    return this.text.slice(this.starts[node.line] + node.col, this.endOf(node.line));
  }

  private kindAt(node: BlockNode): Kind {
    const c = this.content(node);
    if (/^-(\s|$)/.test(c)) return 'seq';
    const first = c[0];
    if (first === '&' || first === '*' || first === '!' || first === '?' || first === '%' || first === '@' || first === '`') throw new Unsupported();
    if (first === '{' || first === '[') {
      if (!closesOnLine(c)) throw new Unsupported();
      return 'leaf';
    }
    if (first === '|' || first === '>') return 'leaf';
    if (parseKey(c)) return 'map';
    // Something that might still be a key (a quoted key we could not read…): let the parser decide.
    if (/:(\s|$)/.test(c.replace(/\s#.*$/, '')) && first !== '"' && first !== "'") throw new Unsupported();
    return 'leaf';
  }

  /** The entry `key` of the mapping at `node`: [line of the key, its value node]. */
  private mapEntry(node: BlockNode, key: string): [number | undefined, BlockNode | undefined] {
    const col = node.col;
    const fast = isPlainKey(key);
    for (let i = node.line; i < node.end && this.has(i); i++) {
      if (i !== node.line) {
        if (this.isSkippable(i)) continue;
        const ind = this.indentOf(i);
        if (ind < col) break;
        if (ind > col) continue; // nested content of an earlier key
        if (this.isDash(i, col)) continue; // a sequence written at its key's indentation
      }
      const length = this.keyAt(i, col, key, fast);
      if (length === undefined) continue;
      return [i, this.valueAfter(i, col, col + length, node.end)];
    }
    return [undefined, undefined];
  }

  /**
   * When line `i` holds `key` at column `col`: the length up to and including its colon.
   * Undefined for another key; Unsupported when the line holds no key the scanner can read.
   */
  private keyAt(i: number, col: number, key: string, fast: boolean): number | undefined {
    const start = this.starts[i] + col;
    const end = this.endOf(i);
    const first = this.text.charCodeAt(start);
    if (fast && !specialStart(first)) {
      // A plain key: compare in place (no slicing); a line that starts otherwise is another key.
      if (!this.text.startsWith(key, start)) return undefined;
      let q = start + key.length;
      while (q < end && (this.text.charCodeAt(q) === 32 || this.text.charCodeAt(q) === 9)) q++;
      if (this.text.charCodeAt(q) !== 58 /* : */) return undefined;
      const after = this.text.charCodeAt(q + 1);
      if (q + 1 < end && after !== 32 && after !== 9 && after !== 13) return undefined;
      return q + 1 - start;
    }
    const parsed = parseKey(this.text.slice(start, end));
    if (!parsed) throw new Unsupported();
    return parsed.key === key ? parsed.length : undefined;
  }

  /** The value of a key (or of a sequence item) whose indicator ends at `afterCol` on line `i`. */
  private valueAfter(i: number, keyCol: number, afterCol: number, end: number): BlockNode | undefined {
    const rest = this.text.slice(this.starts[i] + afterCol, this.endOf(i));
    const trimmed = rest.trimStart();
    if (trimmed !== '' && !trimmed.startsWith('#')) {
      const col = afterCol + (rest.length - trimmed.length);
      // Inline value: deeper keys (if any) sit on later lines, more indented.
      return { line: i, col, end };
    }
    for (let j = i + 1; j < end && this.has(j); j++) {
      if (this.isSkippable(j)) continue;
      const ind = this.indentOf(j);
      // A child block ends at the first line indented less than it (mapEntry and seqItem
      // stop there), so the parent's end is a safe bound and nothing is scanned twice.
      if (ind > keyCol) return { line: j, col: ind, end };
      if (ind === keyCol && this.isDash(j, ind)) return { line: j, col: ind, end };
      return undefined; // null value
    }
    return undefined;
  }

  /** Item `index` of the sequence at `node`: [line of the item, its content node]. */
  private seqItem(node: BlockNode, index: number): [number | undefined, BlockNode | undefined] {
    const col = node.col;
    let seen = -1;
    for (let i = node.line; i < node.end && this.has(i); i++) {
      if (i !== node.line) {
        if (this.isSkippable(i)) continue;
        const ind = this.indentOf(i);
        if (ind < col) break;
        if (ind > col) continue;
      }
      if (!this.isSeqIndicator(i, col)) {
        if (i === node.line) throw new Unsupported();
        break;
      }
      seen++;
      if (seen !== index) continue;
      const after = this.text.slice(this.starts[i] + col + 1, this.endOf(i));
      const spaces = after.length - after.trimStart().length;
      const value = this.valueAfter(i, col, col + 1 + spaces, node.end);
      // An item whose content starts on the next line is where that content is.
      return [value ? value.line : i, value];
    }
    return [undefined, undefined];
  }

  /** Blank lines and comment lines carry no structure. */
  private isSkippable(i: number): boolean {
    const t = this.text;
    const end = this.endOf(i);
    let p = this.starts[i];
    while (p < end && t.charCodeAt(p) === 32) p++;
    if (p === end) return true;
    const c = t.charCodeAt(p);
    return c === 35 /* # */ || c === 13 /* \r */ || (c === 9 && t.slice(p, end).trim() === '');
  }

  /** `-` followed by a blank or the end of the line, at column `at`. */
  private isDash(i: number, at: number): boolean {
    const p = this.starts[i] + at;
    const end = this.endOf(i);
    if (p >= end || this.text.charCodeAt(p) !== 45) return false;
    if (p + 1 >= end) return true;
    const next = this.text.charCodeAt(p + 1);
    return next === 32 || next === 9 || next === 13;
  }

  /** `-` followed by any whitespace or the end of the line (a sequence item), at column `at`. */
  private isSeqIndicator(i: number, at: number): boolean {
    const p = this.starts[i] + at;
    const end = this.endOf(i);
    if (p >= end || this.text.charCodeAt(p) !== 45) return false;
    return p + 1 >= end || /\s/.test(this.text[p + 1]);
  }

  private indentOf(i: number): number {
    const t = this.text;
    const start = this.starts[i];
    const end = this.endOf(i);
    let p = start;
    while (p < end && t.charCodeAt(p) === 32) p++;
    if (p < end && t.charCodeAt(p) === 9) throw new Unsupported();
    return p - start;
  }
}

/** First characters after which a key is not plain (quoted, flow, indicators, comments…). */
const SPECIAL = new Uint8Array(128);
for (const c of ' \t\r#,[]{}&*!|>%@`"\'?:-') SPECIAL[c.charCodeAt(0)] = 1;

/** Whether a key written from this character code on is not a plain key (NaN: nothing there). */
function specialStart(code: number): boolean {
  return Number.isNaN(code) || (code < 128 && SPECIAL[code] === 1);
}

/**
 * Keys the scanner can compare in place: written plainly, they end at the first `: `, so a
 * key that holds `: ` or ` #`, starts with an indicator or has blanks at its ends cannot be.
 */
function isPlainKey(key: string): boolean {
  if (key === '' || specialStart(key.charCodeAt(0))) return false;
  if (/[\s]$/.test(key) || /:(?:[ \t\r]|$)|[ \t]#|[\n\r]/.test(key)) return false;
  return true;
}

/**
 * A mapping key at the start of `text`: its value and the length up to and including the
 * colon. Undefined when the text does not start with a key.
 */
function parseKey(text: string): { key: string; length: number } | undefined {
  const first = text[0];
  if (first === '"') {
    const m = /^"((?:[^"\\]|\\.)*)"[ ]*:(?=\s|$)/.exec(text);
    if (!m) return undefined;
    try {
      return { key: JSON.parse(`"${m[1]}"`) as string, length: m[0].length };
    } catch {
      throw new Unsupported();
    }
  }
  if (first === "'") {
    const m = /^'((?:[^']|'')*)'[ ]*:(?=\s|$)/.exec(text);
    return m ? { key: m[1].replace(/''/g, "'"), length: m[0].length } : undefined;
  }
  if (first === undefined || /[\s#,[\]{}&*!|>%@`]/.test(first)) return undefined;
  if (/^[-?:](\s|$)/.test(text)) return undefined; // a sequence entry or a complex key, not a plain key
  // A plain key ends at the first ": " (or a colon at the end of the line); " #" starts a comment.
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === ':' && (i + 1 === text.length || /[ \t\r]/.test(text[i + 1]))) {
      const key = text.slice(0, i).replace(/[ \t]+$/, '');
      return key === '' ? undefined : { key, length: i + 1 };
    }
    if (c === '#' && /[ \t]/.test(text[i - 1])) return undefined;
  }
  return undefined;
}

/** True when a flow collection that starts this text also closes on this line. */
function closesOnLine(text: string): boolean {
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (quote === '"' && c === '\\') i++;
      else if (c === quote) {
        if (quote === "'" && text[i + 1] === "'") i++;
        else quote = undefined;
      }
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return true;
    } else if (c === '#' && /\s/.test(text[i - 1] ?? ' ')) return false;
  }
  return false;
}
