/**
 * Source positions, resolved lazily. Parsing with positions is several times slower than
 * without, so documents are parsed fast first and only the ones that get findings are
 * parsed again here to learn where a JSON path sits.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { isMap, isScalar, isSeq, isAlias, parseDocument, type Document, type Node } from 'yaml';
import type { FileRegion, FileStamp } from './split.js';
import { JsonPositions } from './jsonlines.js';
import { LineIndex } from './lines.js';
import { BlockLineFinder } from './blocklines.js';
import type { JsonPath } from './types.js';

export interface Locator {
  /** 1-based line of the path (or of its nearest existing ancestor) in the file. */
  lineOf(path: JsonPath): number;
  /**
   * A locator to keep for lookups after the document has been checked, when keeping one costs
   * no more than the document's text (see YamlLocator.forLater); undefined otherwise.
   */
  forLater?(): Locator | undefined;
}

/** Lines inside one YAML document chunk. */
export class YamlLocator implements Locator {
  private doc?: Document;
  private index?: LineIndex;
  private finder?: BlockLineFinder;

  /**
   * @param text the document chunk
   * @param firstLine line of the chunk's first line in the file
   * @param basePath where the resource sits inside the document (List items)
   */
  constructor(
    private readonly text: string,
    private readonly firstLine: number,
    private readonly basePath: JsonPath = [],
    /** The document's first content line, when the caller knows it (saves a walk for `[]`). */
    private readonly rootLine?: number,
    /** Where the text can be read again from its file (see forLater). */
    private readonly source?: FileRegion,
  ) {}

  lineOf(path: JsonPath): number {
    if (path.length === 0 && this.basePath.length === 0 && this.rootLine !== undefined) return this.rootLine;
    const full = this.basePath.length === 0 ? path : [...this.basePath, ...path];
    if (!this.doc) {
      // Fast path: walk the lines of block-style YAML; parse fully only when it gives up.
      this.finder ??= new BlockLineFinder(this.text);
      const line = this.finder.find(full);
      if (line !== undefined) return line + this.firstLine;
      this.doc = parseDocument(this.text, { keepSourceTokens: false, uniqueKeys: false });
      this.index = new LineIndex(this.text);
      this.finder = undefined;
    }
    const offset = yamlOffset(this.doc, full);
    return this.index!.lineAt(offset) + this.firstLine - 1;
  }

  /**
   * A small object that finds the same lines later, not what this locator has walked: for a
   * document that can be read again from its file, only where it is; else the document's text
   * (a view into the block of input it was read from). Undefined once the fast
   * finder has given up on the document (a later lookup would parse it fully again), and for
   * items of a List in YAML: their lines are looked up at once.
   */
  forLater(): Locator | undefined {
    if (this.doc !== undefined || this.basePath.length > 0) return undefined;
    const source = this.source;
    return source
      ? new LaterYamlLines(source.file, source.offset, source.length, this.firstLine, this.rootLine)
      : new LaterYamlLines(this.text, 0, this.text.length, this.firstLine, this.rootLine);
  }

  /** The `yaml` library's answer, bypassing the fast path (for differential tests). */
  slowLineOf(path: JsonPath): number {
    this.doc ??= parseDocument(this.text, { keepSourceTokens: false, uniqueKeys: false });
    this.index ??= new LineIndex(this.text);
    return this.index.lineAt(yamlOffset(this.doc, [...this.basePath, ...path])) + this.firstLine - 1;
  }
}

/**
 * The lines of a YAML document, kept to the end of a scan for the few that will be asked for:
 * its text, or for a document that can be read again from its file only where it is (so a scan
 * of any size keeps no text for them). A file is read again only for a document that does get
 * such a lookup, and only while it is unchanged (same size and modification time as when it was
 * read); otherwise the document's first line is the answer, as for a locator that knows only that.
 *
 * Kept by the thousand, so it holds a few numbers and nothing else: the region's fields are
 * copied here rather than the document's FileRegion kept with it (one object per document
 * fewer for the young-generation collections to copy before it settles). Keeping the
 * YamlLocator itself instead made those collections copy about 9 MB more in a 10,000-resource
 * scan (V8's --trace-gc-nvp), which cost more than the deferred lookups save; the mechanism
 * is V8's, the measurement is what decided.
 */
class LaterYamlLines implements Locator {
  constructor(
    /** The document's text, or the file it can be read again from (at offset, for length). */
    private readonly where: string | FileStamp,
    private readonly offset: number,
    private readonly length: number,
    private readonly firstLine: number,
    private readonly rootLine: number | undefined,
  ) {}

  lineOf(path: JsonPath): number {
    const text = typeof this.where === 'string' ? this.where : readRegion(this.where, this.offset, this.length);
    if (text === undefined) return this.rootLine ?? this.firstLine;
    return new YamlLocator(text, this.firstLine, [], this.rootLine).lineOf(path);
  }
}

/** The last region read (the lines of one document are usually asked for together). */
let lastRegion: { file: FileStamp; offset: number; length: number; text: string | undefined } | undefined;

/** The text of `length` bytes at `offset` in `file`, or undefined when the file changed or cannot be read. */
function readRegion(file: FileStamp, offset: number, length: number): string | undefined {
  if (lastRegion?.file === file && lastRegion.offset === offset && lastRegion.length === length) return lastRegion.text;
  const fd = regionFile(file);
  let text: string | undefined;
  if (fd !== undefined) {
    try {
      const bytes = Buffer.allocUnsafe(length);
      if (readSync(fd, bytes, 0, length, offset) === length) text = bytes.toString('latin1');
    } catch {
      text = undefined;
    }
  }
  lastRegion = { file, offset, length, text };
  return text;
}

/**
 * The file regions are read from, checked against its stamp when opened (undefined: changed or
 * unreadable). Cross-resource checks report in one synchronous pass, often on every workload of
 * one file: the file stays open for the rest of that pass (opening, checking and closing it for
 * each document was three system calls more per report) and is closed right after it.
 */
let openFile: { stamp: FileStamp; fd: number | undefined } | undefined;

function regionFile(stamp: FileStamp): number | undefined {
  if (openFile?.stamp === stamp) return openFile.fd;
  closeRegionFile();
  let fd: number | undefined;
  try {
    fd = openSync(stamp.path, 'r');
    const st = fstatSync(fd);
    if (st.size !== stamp.size || st.mtimeMs !== stamp.mtimeMs) {
      closeSync(fd);
      fd = undefined;
    }
  } catch {
    if (fd !== undefined) closeQuietly(fd);
    fd = undefined;
  }
  openFile = { stamp, fd };
  setImmediate(closeRegionFile).unref();
  return fd;
}

function closeRegionFile(): void {
  if (openFile?.fd !== undefined) closeQuietly(openFile.fd);
  openFile = undefined;
  lastRegion = undefined;
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // nothing to do: the descriptor is gone either way
  }
}

/**
 * Where a JSON path starts in a parsed YAML document: the offset of the field's key or the list
 * item's first character (the deepest part of the path that exists). With duplicate keys the
 * last one counts, as for every YAML decoder that tolerates them.
 */
export function yamlOffset(doc: Document, path: JsonPath): number {
  let node: Node | null | undefined = doc.contents as Node | null;
  let best = node?.range?.[0] ?? firstContentOffset(doc);
  for (const seg of path) {
    if (isAlias(node)) node = node.resolve(doc) as Node | undefined;
    if (isMap(node)) {
      let pair: (typeof node.items)[number] | undefined;
      for (let i = node.items.length - 1; i >= 0 && !pair; i--) if (keyString(node.items[i].key) === String(seg)) pair = node.items[i];
      if (!pair) break;
      const key = pair.key as Node | null;
      best = key?.range?.[0] ?? best;
      node = pair.value as Node | null;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as Node | undefined;
      if (!item) break;
      best = item.range?.[0] ?? best;
      node = item;
    } else {
      break;
    }
  }
  return best;
}

function firstContentOffset(doc: Document): number {
  return doc.range?.[0] ?? 0;
}

function keyString(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}

/** Lines inside a JSON file; one position index per file, shared by every resource in it. */
export class JsonFileLocator {
  private positions?: JsonPositions;

  constructor(
    private readonly text: string,
    private readonly value?: unknown,
    /** Line of the text's first line in its file (List items cut out of a larger file). */
    private readonly firstLine = 1,
  ) {}

  at(basePath: JsonPath): Locator {
    return { lineOf: (path) => this.lineOf([...basePath, ...path]) };
  }

  lineOf(path: JsonPath): number {
    this.positions ??= new JsonPositions(this.text, this.value);
    return this.positions.lineOf(path) + this.firstLine - 1;
  }
}

/** A locator that knows only one line (objects that did not come from a file). */
export function fixedLocator(line: number): Locator {
  return { lineOf: () => line };
}
