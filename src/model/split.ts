/**
 * Splits a YAML stream into documents without parsing it, so that each document can be
 * parsed on its own (a bad document does not stop the others) and, in a stream, dropped as
 * soon as it has been checked. A line `---` or `...` at column 0 is a document marker in
 * YAML 1.2 wherever it appears, even inside a block scalar, so a line scan is exact.
 */

export interface DocChunk {
  /** The document's text, starting with its `---` line when it has one. */
  text: string;
  /** 1-based line of the chunk's first line in the whole stream. */
  startLine: number;
  /** Character offset of the chunk's first character in the whole stream (set by the splitter). */
  offset?: number;
  /** Where the chunk's bytes sit in the file it was read from, when they can be read again (see read.ts). */
  source?: FileRegion;
}

/**
 * A document's bytes in a file, to read again instead of keeping its text in memory (see
 * locate.ts, LaterYamlLines). `file` is shared by every region of one file.
 */
export interface FileRegion {
  file: FileStamp;
  /** Byte offset and length (the text's length: only pure-ASCII input gets regions). */
  offset: number;
  length: number;
}

/** A file as it was when read: a region is read again only if the file still matches. */
export interface FileStamp {
  path: string;
  size: number;
  mtimeMs: number;
}

/** True when the text holds something other than blank lines and comments. */
export function hasContent(text: string): boolean {
  let i = 0;
  const n = text.length;
  while (i < n) {
    // skip leading whitespace of a line
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\r')) i++;
    if (i >= n) return false;
    const c = text[i];
    if (c === '\n') { i++; continue; }
    if (c === '#') { const nl = text.indexOf('\n', i); if (nl === -1) return false; i = nl + 1; continue; }
    if (c === '-' && text.startsWith('---', i) && (i + 3 >= n || /\s/.test(text[i + 3]))) { i += 3; continue; }
    if (c === '.' && text.startsWith('...', i) && (i + 3 >= n || /\s/.test(text[i + 3]))) { i += 3; continue; }
    return true;
  }
  return false;
}

/**
 * Incremental splitter: feed it text as it arrives, get whole documents back.
 * Holds at most one document plus one partial line in memory. Markers are found with one
 * native regex scan per piece, not line by line: on a large stream this is the main
 * thread's whole job while worker threads parse.
 */
export class YamlDocSplitter {
  private pending = '';
  private current: string[] = [];
  private currentStart = 1;
  private currentOffset = 0;
  /** Line number of the first line not yet handed to scan(). */
  private nextLine = 1;
  /** Stream offset of the first character not yet handed to scan() (where `pending` starts). */
  private nextOffset = 0;

  /** Feeds a piece of the stream; returns the documents it completed. */
  push(piece: string): DocChunk[] {
    const text = this.pending + piece;
    const lastNl = text.lastIndexOf('\n');
    if (lastNl === -1) {
      this.pending = text;
      return [];
    }
    this.pending = text.slice(lastNl + 1);
    const out: DocChunk[] = [];
    this.scan(text.slice(0, lastNl + 1), out);
    this.nextOffset += lastNl + 1;
    return out;
  }

  /** Ends the stream; returns the last document, if any. */
  end(): DocChunk[] {
    const out: DocChunk[] = [];
    if (this.pending !== '') this.scan(this.pending, out);
    this.nextOffset += this.pending.length;
    this.pending = '';
    this.flush(out);
    return out;
  }

  /** `block` is whole lines (the last one may lack its newline only at the end of the stream). */
  private scan(block: string, out: DocChunk[]): void {
    const markers = /^(?:---|\.\.\.)(?=[ \t\r\n]|$)/gm;
    let from = 0;
    let line = this.nextLine;
    for (let m = markers.exec(block); m !== null; m = markers.exec(block)) {
      const at = m.index;
      if (block.startsWith('...', at)) {
        // An end marker belongs to the document it ends; the next one starts after its line.
        const nl = block.indexOf('\n', at);
        const after = nl === -1 ? block.length : nl + 1;
        this.append(block, from, after, line);
        line += countNewlines(block, from, after);
        this.flush(out, line);
        from = after;
        markers.lastIndex = after;
      } else {
        this.append(block, from, at, line);
        line += countNewlines(block, from, at);
        this.flush(out, line);
        from = at;
        markers.lastIndex = at + 3;
      }
    }
    this.append(block, from, block.length, line);
    this.nextLine = line + countNewlines(block, from, block.length);
  }

  private append(block: string, from: number, to: number, line: number): void {
    if (to <= from) return;
    if (this.current.length === 0) {
      this.currentStart = line;
      this.currentOffset = this.nextOffset + from;
    }
    this.current.push(block.slice(from, to));
  }

  private flush(out: DocChunk[], nextStart?: number): void {
    if (this.current.length > 0) {
      out.push({ text: this.current.length === 1 ? this.current[0] : this.current.join(''), startLine: this.currentStart, offset: this.currentOffset });
      this.current = [];
    }
    if (nextStart !== undefined) this.currentStart = nextStart;
  }
}

function countNewlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf('\n', from); i !== -1 && i < to; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

export function splitYamlDocuments(text: string): DocChunk[] {
  const s = new YamlDocSplitter();
  return [...s.push(text), ...s.end()];
}
