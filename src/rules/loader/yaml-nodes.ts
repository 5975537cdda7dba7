/**
 * YAML access with yaml-cpp's conventions: every scalar is read as its text (the failsafe
 * schema), null is a plain `~`/`null`/empty scalar, booleans and integers are decoded the way
 * yaml-cpp's `convert<>` does, and every node knows its line and column.
 */
import { LineCounter, parseAllDocuments, isMap, isScalar, isSeq, Scalar } from 'yaml';
import type { Node as YamlNode, YAMLMap, YAMLSeq } from 'yaml';
import type { Context, ItemType, Position } from './messages.js';

export type Node = YamlNode | null | undefined;

const NULL_TEXTS = new Set(['', '~', 'null', 'Null', 'NULL']);

/** A parsed file: its documents and a way to turn offsets into positions. */
export class SourceFile {
  private readonly lineCounter = new LineCounter();
  private lines?: string[];
  readonly docs: ReturnType<typeof parseAllDocuments>;

  constructor(
    readonly name: string,
    readonly content: string,
  ) {
    const docs = parseAllDocuments(content, { lineCounter: this.lineCounter, schema: 'failsafe', uniqueKeys: false });
    this.docs = Array.isArray(docs) ? docs : [];
  }

  position(offset: number): Position {
    const { line, col } = this.lineCounter.linePos(offset);
    return { offset, line, column: col };
  }

  positionOf(node: Node): Position {
    return this.position(node?.range?.[0] ?? 0);
  }

  snippetAt(line: number): string {
    this.lines ??= this.content.split(/\r?\n/);
    return this.lines[line - 1] ?? '';
  }

  /** A context for `node`, optionally inside an item (which gives type, name and item start). */
  context(node: Node, item?: { type: ItemType; name?: string; node: Node }): Context {
    const pos = this.positionOf(node ?? item?.node);
    const ctx: Context = { file: this.name, pos, snippet: this.snippetAt(pos.line) };
    if (item) {
      ctx.itemType = item.type;
      if (item.name !== undefined) ctx.itemName = item.name;
      ctx.itemPos = this.positionOf(item.node);
    }
    return ctx;
  }

  /** A context at `offset` characters inside a scalar's value (best effort for folded text). */
  contextInScalar(node: Node, offsetInValue: number, base: Context): Context {
    if (!isScalar(node) || !node.range) return base;
    let start = node.range[0];
    if (node.type === Scalar.BLOCK_FOLDED || node.type === Scalar.BLOCK_LITERAL) {
      // The text starts on the line after the indicator, after its indentation.
      const nl = this.content.indexOf('\n', start);
      start = nl < 0 ? start : nl + 1;
      while (start < this.content.length && this.content[start] === ' ') start++;
      const value = String(node.value);
      const firstLine = value.indexOf('\n');
      if (firstLine >= 0 && offsetInValue > firstLine) {
        // Later lines: find the same text in the file near the scalar.
        const needle = value.slice(offsetInValue, offsetInValue + 20).split('\n')[0]!;
        const found = needle ? this.content.indexOf(needle, start) : -1;
        if (found >= 0 && found < node.range[1]) return this.withPos(base, found);
        return this.withPos(base, start);
      }
    } else if (node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE) {
      start += 1;
    }
    return this.withPos(base, Math.min(start + offsetInValue, node.range[1]));
  }

  private withPos(base: Context, offset: number): Context {
    const pos = this.position(offset);
    return { ...base, pos, snippet: this.snippetAt(pos.line) };
  }
}

export function isNullNode(node: Node): boolean {
  if (node === null || node === undefined) return true;
  return isScalar(node) && node.type === Scalar.PLAIN && NULL_TEXTS.has(String(node.value ?? ''));
}

export { isMap, isSeq, isScalar };
export type { YAMLMap, YAMLSeq };

/** The value node under `key` in a mapping (first occurrence), `undefined` when the key is absent, `null` when present without a value. */
export function getKey(map: YAMLMap, key: string): Node {
  for (const pair of map.items) {
    if (isScalar(pair.key) && String(pair.key.value) === key) return (pair.value as YamlNode | null) ?? null;
  }
  return undefined;
}

export function hasKey(map: YAMLMap, key: string): boolean {
  return getKey(map, key) !== undefined;
}

export function keyNode(map: YAMLMap, key: string): Node {
  for (const pair of map.items) {
    if (isScalar(pair.key) && String(pair.key.value) === key) return pair.key as YamlNode;
  }
  return undefined;
}

export function keysOf(map: YAMLMap): Array<{ key: string; node: YamlNode }> {
  const out: Array<{ key: string; node: YamlNode }> = [];
  for (const pair of map.items) {
    if (isScalar(pair.key)) out.push({ key: String(pair.key.value), node: pair.key as YamlNode });
  }
  return out;
}

export function scalarText(node: Node): string | undefined {
  return isScalar(node) ? String(node.value ?? '') : undefined;
}

/** yaml-cpp's convert<bool>: true/false, yes/no, on/off, y/n in lower, Title or UPPER case. */
export function decodeBool(text: string): boolean | undefined {
  const variants: Array<[string, boolean]> = [
    ['true', true], ['false', false], ['yes', true], ['no', false],
    ['on', true], ['off', false], ['y', true], ['n', false],
  ];
  for (const [word, value] of variants) {
    if (text === word || text === word.toUpperCase() || text === word[0]!.toUpperCase() + word.slice(1)) return value;
  }
  return undefined;
}

/** yaml-cpp's convert<uint32_t>: decimal, 0x hex or 0o octal, within range. */
export function decodeUint32(text: string): number | undefined {
  let value: number;
  if (/^[0-9]+$/.test(text)) value = Number(text);
  else if (/^0x[0-9a-fA-F]+$/.test(text)) value = parseInt(text.slice(2), 16);
  else if (/^0o[0-7]+$/.test(text)) value = parseInt(text.slice(2), 8);
  else return undefined;
  return value <= 0xffffffff ? value : undefined;
}
