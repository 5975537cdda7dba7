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
  return new BlockLineFinder(lines).find(path);
}

/**
 * A finder for one document that remembers the nodes it has walked through, so that the
 * many findings of one resource (all under spec.template.spec.containers[i]…) do not
 * each walk from the top again.
 */
export class BlockLineFinder {
  private readonly scanner: Scanner;
  /** Path prefix (joined) → [line of the prefix, its node (undefined: walk stops there)]. */
  private readonly walked = new Map<string, [number, BlockNode | undefined]>();
  private unsupported = false;

  constructor(lines: readonly string[]) {
    this.scanner = new Scanner(lines);
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
    let start = 0;
    let best: number;
    let node: BlockNode | undefined;
    const keys: string[] = [''];
    for (let i = 0; i < path.length; i++) keys.push(`${keys[i]}\u0000${String(path[i])}`);
    let cached: [number, BlockNode | undefined] | undefined;
    for (start = path.length; start >= 0; start--) {
      cached = this.walked.get(keys[start]);
      if (cached) break;
    }
    if (cached) {
      [best, node] = cached;
    } else {
      start = 0;
      node = this.scanner.rootNode();
      if (!node) return 0;
      best = node.line;
      this.walked.set('', [best, node]);
    }
    for (let i = start; i < path.length && node; i++) {
      const step = this.scanner.step(node, path[i]);
      if (!step) {
        this.walked.set(keys[i + 1], [best, undefined]);
        node = undefined;
        break;
      }
      best = step[0];
      node = step[1];
      this.walked.set(keys[i + 1], [best, node]);
    }
    return best;
  }
}

class Scanner {
  constructor(private readonly lines: readonly string[]) {}

  rootNode(): BlockNode | undefined {
    return this.root();
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

  private root(): BlockNode | undefined {
    for (let i = 0; i < this.lines.length; i++) {
      const l = this.lines[i];
      if (isSkippable(l)) continue;
      if (/^---(\s|$)/.test(l)) {
        if (l.slice(3).trim() !== '' && !l.slice(3).trim().startsWith('#')) throw new Unsupported();
        continue;
      }
      return { line: i, col: indentOf(l), end: this.lines.length };
    }
    return undefined;
  }

  private content(node: BlockNode): string {
    return this.lines[node.line].slice(node.col);
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
    for (let i = node.line; i < node.end; i++) {
      let text: string;
      if (i === node.line) {
        text = this.content(node);
      } else {
        const l = this.lines[i];
        if (isSkippable(l)) continue;
        const ind = indentOf(l);
        if (ind < col) break;
        if (ind > col) continue; // nested content of an earlier key
        if (isDash(l, col)) continue; // a sequence written at its key's indentation
        text = l.slice(col);
      }
      const parsed = parseKey(text);
      if (!parsed) throw new Unsupported();
      if (parsed.key !== key) continue;
      return [i, this.valueAfter(i, col, col + parsed.length, node.end)];
    }
    return [undefined, undefined];
  }

  /** The value of a key (or of a sequence item) whose indicator ends at `afterCol` on line `i`. */
  private valueAfter(i: number, keyCol: number, afterCol: number, end: number): BlockNode | undefined {
    const line = this.lines[i];
    const rest = line.slice(afterCol);
    const trimmed = rest.trimStart();
    if (trimmed !== '' && !trimmed.startsWith('#')) {
      const col = afterCol + (rest.length - trimmed.length);
      // Inline value: deeper keys (if any) sit on later lines, more indented.
      return { line: i, col, end };
    }
    for (let j = i + 1; j < end; j++) {
      const l = this.lines[j];
      if (isSkippable(l)) continue;
      const ind = indentOf(l);
      // A child block ends at the first line indented less than it (mapEntry and seqItem
      // stop there), so the parent's end is a safe bound and nothing is scanned twice.
      if (ind > keyCol) return { line: j, col: ind, end };
      if (ind === keyCol && isDash(l, ind)) return { line: j, col: ind, end };
      return undefined; // null value
    }
    return undefined;
  }


  /** Item `index` of the sequence at `node`: [line of the item, its content node]. */
  private seqItem(node: BlockNode, index: number): [number | undefined, BlockNode | undefined] {
    const col = node.col;
    let seen = -1;
    for (let i = node.line; i < node.end; i++) {
      if (i !== node.line) {
        const l = this.lines[i];
        if (isSkippable(l)) continue;
        const ind = indentOf(l);
        if (ind < col) break;
        if (ind > col) continue;
      }
      const text = this.lines[i].slice(col);
      if (!/^-(\s|$)/.test(text)) {
        if (i === node.line) throw new Unsupported();
        break;
      }
      seen++;
      if (seen !== index) continue;
      const after = text.slice(1);
      const spaces = after.length - after.trimStart().length;
      const value = this.valueAfter(i, col, col + 1 + spaces, node.end);
      // An item whose content starts on the next line is where that content is.
      return [value ? value.line : i, value];
    }
    return [undefined, undefined];
  }

}

/** Blank lines and comment lines carry no structure. */
function isSkippable(line: string): boolean {
  let i = 0;
  while (i < line.length && line.charCodeAt(i) === 32) i++;
  if (i === line.length) return true;
  const c = line.charCodeAt(i);
  return c === 35 /* # */ || c === 13 /* \r */ || (c === 9 && line.trim() === '');
}

/** `-` followed by a blank or the end of the line, at column `at`. */
function isDash(line: string, at: number): boolean {
  if (line.charCodeAt(at) !== 45) return false;
  const next = line.charCodeAt(at + 1);
  return Number.isNaN(next) || next === 32 || next === 9 || next === 13;
}

function indentOf(line: string): number {
  let i = 0;
  while (i < line.length && line.charCodeAt(i) === 32) i++;
  if (line[i] === '\t') throw new Unsupported();
  return i;
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
