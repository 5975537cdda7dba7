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
}

const MARKER = /^(?:---|\.\.\.)(?:[ \t\r\n]|$)/;

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
 * Holds at most one document plus one partial line in memory.
 */
export class YamlDocSplitter {
  private pending = '';
  private current: string[] = [];
  private currentStart = 1;
  private nextLine = 1;

  /** Feeds a piece of the stream; returns the documents it completed. */
  push(piece: string): DocChunk[] {
    const out: DocChunk[] = [];
    let text = this.pending + piece;
    let start = 0;
    for (let nl = text.indexOf('\n', start); nl !== -1; nl = text.indexOf('\n', start)) {
      this.line(text.slice(start, nl + 1), out);
      start = nl + 1;
    }
    this.pending = text.slice(start);
    text = '';
    return out;
  }

  /** Ends the stream; returns the last document, if any. */
  end(): DocChunk[] {
    const out: DocChunk[] = [];
    if (this.pending !== '') this.line(this.pending, out);
    this.pending = '';
    this.flush(out);
    return out;
  }

  private line(line: string, out: DocChunk[]): void {
    if (MARKER.test(line)) {
      const isEnd = line.startsWith('...');
      if (isEnd) {
        this.current.push(line);
        this.nextLine++;
        this.flush(out);
        return;
      }
      this.flush(out);
    }
    if (this.current.length === 0) this.currentStart = this.nextLine;
    this.current.push(line);
    this.nextLine++;
  }

  private flush(out: DocChunk[]): void {
    if (this.current.length > 0) {
      out.push({ text: this.current.join(''), startLine: this.currentStart });
      this.current = [];
    }
    this.currentStart = this.nextLine;
  }
}

export function splitYamlDocuments(text: string): DocChunk[] {
  const s = new YamlDocSplitter();
  return [...s.push(text), ...s.end()];
}
