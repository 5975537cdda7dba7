/**
 * A fast line finder for the YAML that Kubernetes manifests are written in: block mappings
 * and sequences, plain or quoted keys, one-line flow collections. It reads only the lines
 * on the way to the path, so it costs a fraction of a full positional parse. Anything it
 * is not sure about (anchors, tags, complex keys, tabs, multi-line flow collections) makes
 * it give up, and the caller falls back to the `yaml` library.
 */
import { isSpaceCode } from './lines.js';
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
  /** The path segment that led here from the parent (numbers for sequence items, strings for keys). */
  seg: string | number;
  /** Line answered for this prefix (the parent's when the key is absent). */
  line: number;
  /** The node to walk on from; undefined when the walk stops here (a leaf, or absent). */
  node: BlockNode | undefined;
  /** The first child walked so far; children are chained by `sibling` (a handful per node). */
  child?: Visited;
  sibling?: Visited;
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
      this.scanner.claim();
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
      this.root = node ? { seg: '', line: node.line, node } : null;
    }
    if (this.root === null) return 0;
    let at: Visited = this.root;
    for (let i = 0; i < path.length && at.node; i++) {
      const seg = path[i];
      let next = at.child;
      while (next !== undefined && next.seg !== seg) next = next.sibling;
      if (!next) {
        const scanner = this.scanner;
        const node = scanner.step(at.node, seg);
        next = scanner.stepLine >= 0 ? { seg, line: scanner.stepLine, node, sibling: at.child } : { seg, line: at.line, node: undefined, sibling: at.child };
        at.child = next;
      }
      at = next;
    }
    return at.line;
  }
}

/** Indentation recorded for a blank or comment line, which carries no structure. */
const SKIP = -1;
/** Indentation recorded for a line indented with a tab, which the scanner does not handle. */
const TAB = -2;

/**
 * Per measured line of the document being looked at, three numbers: the offset where it starts,
 * the offset just past its last character (its \n excluded), and its indentation in spaces (or
 * SKIP, or TAB). Shared by all documents, one at a time (see Scanner.claim).
 */
const table: { owner: Scanner | undefined; count: number; next: number; lines: Int32Array } = {
  owner: undefined,
  count: 0,
  /** Offset where the next unknown line starts; -1 once the text is exhausted. */
  next: 0,
  lines: new Int32Array(3 * 1024),
};

/**
 * Walks the text by line offsets, without splitting it: only the lines on the way to a
 * path are looked at, each is measured once (start, end, indentation), and keys are
 * compared in place by character codes. This runs for every finding and every fact a
 * cross-resource check collects, so it avoids slicing and regular expressions on the
 * common path and falls back to them only for rarer shapes.
 */
class Scanner {
  /** The line step() found (the key's or the item's), or -1 when the segment is absent. */
  stepLine = -1;

  constructor(private readonly text: string) {}

  /**
   * Makes the shared line table this document's. Lookups come in runs for one document (the
   * findings and facts of one resource), so one table serves them all and no document
   * allocates its own; a document that takes it over from another measures its lines again.
   */
  claim(): void {
    if (table.owner === this) return;
    table.owner = this;
    table.count = 0;
    table.next = 0;
  }

  private start(i: number): number {
    return table.lines[3 * i];
  }

  private end(i: number): number {
    return table.lines[3 * i + 1];
  }

  /** Whether line `i` exists (measuring lines up to it on the way). */
  private has(i: number): boolean {
    while (table.count <= i) {
      if (table.next === -1) return false;
      this.measureNext();
    }
    return true;
  }

  private measureNext(): void {
    const t = this.text;
    const start = table.next;
    const nl = t.indexOf('\n', start);
    const end = nl === -1 ? t.length : nl;
    table.next = nl === -1 ? -1 : nl + 1;
    let p = start;
    while (p < end && t.charCodeAt(p) === 32) p++;
    let indent = p - start;
    if (p === end) indent = SKIP;
    else {
      const c = t.charCodeAt(p);
      if (c === 35 /* # */ || c === 13 /* \r */) indent = SKIP;
      else if (c === 9 /* \t */) indent = t.slice(p, end).trim() === '' ? SKIP : TAB;
    }
    if (3 * table.count === table.lines.length) {
      const grown = new Int32Array(table.lines.length * 2);
      grown.set(table.lines);
      table.lines = grown;
    }
    const at = 3 * table.count++;
    table.lines[at] = start;
    table.lines[at + 1] = end;
    table.lines[at + 2] = indent;
  }

  /** Indentation of a structural line; blank and comment lines give SKIP. */
  private indentOf(i: number): number {
    const ind = table.lines[3 * i + 2];
    if (ind === TAB) throw new Unsupported();
    return ind;
  }

  private lineText(i: number): string {
    return this.text.slice(this.start(i), this.end(i));
  }

  rootNode(): BlockNode | undefined {
    for (let i = 0; this.has(i); i++) {
      if (table.lines[3 * i + 2] === SKIP) continue;
      const l = this.lineText(i);
      if (/^---(\s|$)/.test(l)) {
        if (l.slice(3).trim() !== '' && !l.slice(3).trim().startsWith('#')) throw new Unsupported();
        continue;
      }
      return { line: i, col: this.indentOf(i), end: Number.MAX_SAFE_INTEGER };
    }
    return undefined;
  }

  /**
   * One step down: the child node (undefined for a leaf), with the line of the key or item in
   * `stepLine`; `stepLine` is -1 when the segment is absent.
   */
  step(node: BlockNode, seg: string | number): BlockNode | undefined {
    this.stepLine = -1;
    const kind = this.kindAt(node);
    if (kind === 'map' && typeof seg === 'string') return this.mapEntry(node, seg);
    if (kind === 'seq' && typeof seg === 'number') return this.seqItem(node, seg);
    return undefined;
  }

  private kindAt(node: BlockNode): Kind {
    // The node may come from an earlier walk, before another document took the line table.
    if (!this.has(node.line)) throw new Unsupported();
    const t = this.text;
    const p = this.start(node.line) + node.col;
    const end = this.end(node.line);
    const first = t.charCodeAt(p);
    if (first === 45 /* - */ && (p + 1 >= end || isBlank(t, p + 1))) return 'seq';
    // The common case: a plain key, found by its `: ` without slicing the line.
    if (!specialStart(first) && !isBlank(t, p) && plainKeyLength(t, p, end) !== undefined) return 'map';
    return this.kindAtSlow(t.slice(p, end));
  }

  /** kindAt for lines that do not start with a plain key. */
  private kindAtSlow(c: string): Kind {
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

  /** The entry `key` of the mapping at `node`: its value node, with the key's line in `stepLine`. */
  private mapEntry(node: BlockNode, key: string): BlockNode | undefined {
    const col = node.col;
    const fast = isPlainKey(key);
    for (let i = node.line; i < node.end && this.has(i); i++) {
      if (i !== node.line) {
        const ind = this.indentOf(i);
        if (ind === SKIP) continue;
        if (ind < col) break;
        if (ind > col) continue; // nested content of an earlier key
        if (this.isDash(i, col)) continue; // a sequence written at its key's indentation
      }
      const length = this.keyAt(i, col, key, fast);
      if (length === undefined) continue;
      this.stepLine = i;
      return this.valueAfter(i, col, col + length, node.end);
    }
    return undefined;
  }

  /**
   * When line `i` holds `key` at column `col`: the length up to and including its colon.
   * Undefined for another key; Unsupported when the line holds no key the scanner can read.
   */
  private keyAt(i: number, col: number, key: string, fast: boolean): number | undefined {
    const t = this.text;
    const start = this.start(i) + col;
    const end = this.end(i);
    const first = t.charCodeAt(start);
    if (fast && !specialStart(first)) {
      // A plain key: compare in place (no slicing); a line that starts otherwise is another key.
      // Most sibling keys already differ in their first character.
      if (first !== key.charCodeAt(0) || !t.startsWith(key, start)) return undefined;
      let q = start + key.length;
      while (q < end && (t.charCodeAt(q) === 32 || t.charCodeAt(q) === 9)) q++;
      if (t.charCodeAt(q) !== 58 /* : */) return undefined;
      const after = t.charCodeAt(q + 1);
      if (q + 1 < end && after !== 32 && after !== 9 && after !== 13) return undefined;
      return q + 1 - start;
    }
    const parsed = parseKey(t.slice(start, end));
    if (!parsed) throw new Unsupported();
    return parsed.key === key ? parsed.length : undefined;
  }

  /** The value of a key (or of a sequence item) whose indicator ends at `afterCol` on line `i`. */
  private valueAfter(i: number, keyCol: number, afterCol: number, end: number): BlockNode | undefined {
    const t = this.text;
    const lineStart = this.start(i);
    const lineEnd = this.end(i);
    const q = skipBlanks(t, lineStart + afterCol, lineEnd);
    if (q < lineEnd && t.charCodeAt(q) !== 35 /* # */) {
      // Inline value: deeper keys (if any) sit on later lines, more indented.
      return { line: i, col: q - lineStart, end };
    }
    for (let j = i + 1; j < end && this.has(j); j++) {
      const ind = this.indentOf(j);
      if (ind === SKIP) continue;
      // A child block ends at the first line indented less than it (mapEntry and seqItem
      // stop there), so the parent's end is a safe bound and nothing is scanned twice.
      if (ind > keyCol) return { line: j, col: ind, end };
      if (ind === keyCol && this.isDash(j, ind)) return { line: j, col: ind, end };
      return undefined; // null value
    }
    return undefined;
  }

  /** Item `index` of the sequence at `node`: its content node, with the item's line in `stepLine`. */
  private seqItem(node: BlockNode, index: number): BlockNode | undefined {
    const col = node.col;
    let seen = -1;
    for (let i = node.line; i < node.end && this.has(i); i++) {
      if (i !== node.line) {
        const ind = this.indentOf(i);
        if (ind === SKIP) continue;
        if (ind < col) break;
        if (ind > col) continue;
      }
      if (!this.isSeqIndicator(i, col)) {
        if (i === node.line) throw new Unsupported();
        break;
      }
      seen++;
      if (seen !== index) continue;
      const from = this.start(i) + col + 1;
      const spaces = skipBlanks(this.text, from, this.end(i)) - from;
      const value = this.valueAfter(i, col, col + 1 + spaces, node.end);
      // An item whose content starts on the next line is where that content is.
      this.stepLine = value ? value.line : i;
      return value;
    }
    return undefined;
  }

  /** `-` followed by a blank or the end of the line, at column `at`. */
  private isDash(i: number, at: number): boolean {
    const p = this.start(i) + at;
    const end = this.end(i);
    if (p >= end || this.text.charCodeAt(p) !== 45) return false;
    if (p + 1 >= end) return true;
    const next = this.text.charCodeAt(p + 1);
    return next === 32 || next === 9 || next === 13;
  }

  /** `-` followed by any whitespace or the end of the line (a sequence item), at column `at`. */
  private isSeqIndicator(i: number, at: number): boolean {
    const p = this.start(i) + at;
    const end = this.end(i);
    if (p >= end || this.text.charCodeAt(p) !== 45) return false;
    return p + 1 >= end || isBlank(this.text, p + 1);
  }
}

/** Whether the character at `p` is whitespace as JavaScript's \s means it. */
function isBlank(t: string, p: number): boolean {
  return isSpaceCode(t.charCodeAt(p));
}

/** The first offset from `p` (up to `end`) that is not whitespace, as String.trimStart sees it. */
function skipBlanks(t: string, p: number, end: number): number {
  while (p < end && isBlank(t, p)) p++;
  return p;
}

/**
 * When a plain key (first character already checked) starts at `p`: the length up to and
 * including its colon, as parseKey would find it; undefined otherwise.
 */
function plainKeyLength(t: string, p: number, end: number): number | undefined {
  for (let i = p; i < end; i++) {
    const c = t.charCodeAt(i);
    if (c === 58 /* : */) {
      if (i + 1 === end) return i + 1 - p;
      const n = t.charCodeAt(i + 1);
      if (n === 32 || n === 9 || n === 13) return i + 1 - p;
    } else if (c === 35 /* # */ && i > p) {
      const b = t.charCodeAt(i - 1);
      if (b === 32 || b === 9) return undefined;
    }
  }
  return undefined;
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
  // The usual keys (spec, containers, securityContext…) are plain at a glance, without a lookup.
  if (isIdentifierKey(key)) return true;
  let plain = plainKeys.get(key);
  if (plain === undefined) {
    plain = key !== '' && !specialStart(key.charCodeAt(0)) && !/[\s]$/.test(key) && !/:(?:[ \t\r]|$)|[ \t]#|[\n\r]/.test(key);
    // Paths reuse a handful of keys (spec, template, containers…); keys from user data are bounded here.
    if (plainKeys.size >= 4096) plainKeys.clear();
    plainKeys.set(key, plain);
  }
  return plain;
}

const plainKeys = new Map<string, boolean>();

/** Letters, digits, `_`, `.`, `/` and inner `-`: a key that is plain whatever its place in a line. */
function isIdentifierKey(key: string): boolean {
  const n = key.length;
  if (n === 0 || n > 64) return false;
  for (let i = 0; i < n; i++) {
    const c = key.charCodeAt(i);
    const letterOrDigit = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57);
    if (!letterOrDigit && c !== 95 && c !== 46 && c !== 47 && !(c === 45 && i > 0)) return false;
  }
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
