/**
 * Reads an input (file or stdin) as a stream of work units: YAML documents one at a
 * time (so a 100 MB stream never sits in memory whole), or one JSON text.
 */
import { isAscii } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { YamlDocSplitter, hasContent, type DocChunk, type FileStamp } from './split.js';
import { describeFsError, type InputSource } from './inputs.js';

export type Unit =
  | { type: 'yaml'; file: string; doc: number; chunk: DocChunk }
  | { type: 'json'; file: string; text: string; firstLine?: number }
  | { type: 'error'; file: string; line?: number; message: string };

/** The length of the text a unit carries, in characters (0 for an error). */
export function unitLength(u: Unit): number {
  return u.type === 'yaml' ? u.chunk.text.length : u.type === 'json' ? u.text.length : 0;
}

/** Files whose first bytes hold a NUL are not text; say so instead of parsing garbage. */
function looksBinary(piece: string): boolean {
  return piece.slice(0, 8192).includes('\u0000');
}

/** Whether the bytes start with UTF-8's byte order mark (EF BB BF). */
function hasUtf8Bom(bytes: Buffer): boolean {
  return bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
}

/** UTF-8 bytes to text, without a byte order mark. */
function decodeUtf8(bytes: Buffer): string {
  return bytes.toString('utf8', hasUtf8Bom(bytes) ? 3 : 0);
}

/** Bytes of the first non-whitespace character tell JSON from YAML. */
function firstSignificant(piece: string): string | undefined {
  const m = /\S/.exec(piece.replace(/^\uFEFF/, ''));
  return m ? m[0] : undefined;
}

/**
 * The units of an input, in order. With `stamp` (the file as the caller found it), the YAML
 * documents of a pure-ASCII file say where their bytes are (DocChunk.source), so that their
 * lines can be read again later instead of keeping their text; only a reader that keeps lines
 * for later asks for that.
 */
export async function* readUnits(input: InputSource, stdin: Readable = process.stdin, stamp?: FileStamp): AsyncGenerator<Unit> {
  const file = input.display;
  let stream: Readable;
  // A file is decoded here rather than by the stream, to see its bytes: while they are all
  // ASCII, a document's character offset is its byte offset.
  const decoder = new StringDecoder('utf8');
  try {
    stream = input.kind === 'stdin' ? stdin : createReadStream(input.path, { highWaterMark: 1 << 20 });
    if (input.kind === 'stdin') stdin.setEncoding('utf8');
  } catch (err) {
    yield { type: 'error', file, message: describeFsError(err) };
    return;
  }

  const splitter = new YamlDocSplitter();
  let mode: 'unknown' | 'yaml' | 'json' = 'unknown';
  let jsonParts: string[] = [];
  let doc = 0;
  let first = true;
  /** Bytes before the text the splitter sees (a byte order mark), and whether all bytes so far were ASCII. */
  let skipped = 0;
  let ascii = stamp !== undefined && input.kind === 'file';
  /** The units of the documents the splitter completed (blank and comment-only ones skipped). */
  function* unitsOf(chunks: readonly DocChunk[]): Generator<Unit> {
    for (const chunk of chunks) {
      if (!hasContent(chunk.text)) continue;
      if (ascii && chunk.offset !== undefined) chunk.source = { file: stamp!, offset: skipped + chunk.offset, length: chunk.text.length };
      yield { type: 'yaml', file, doc: doc++, chunk };
    }
  }
  try {
    for await (const raw of stream) {
      let piece: string;
      if (typeof raw === 'string') piece = raw;
      else {
        const bytes = raw as Buffer;
        const bom = first && hasUtf8Bom(bytes);
        if (ascii) ascii = isAscii(bom ? bytes.subarray(3) : bytes);
        piece = decoder.write(bytes);
        if (bom) skipped = 3;
      }
      if (first) {
        first = false;
        if (looksBinary(piece)) {
          yield { type: 'error', file, message: 'binary data, not YAML or JSON; skipped' };
          stream.destroy();
          return;
        }
        piece = piece.replace(/^\uFEFF/, '');
      }
      if (mode === 'unknown') {
        const c = firstSignificant(piece);
        if (c === undefined) { jsonParts.push(piece); continue; }
        mode = c === '{' || c === '[' ? 'json' : 'yaml';
        if (mode === 'yaml') { piece = jsonParts.join('') + piece; jsonParts = []; }
        if (mode === 'json' && input.kind === 'file') {
          // JSON is parsed whole anyway: one read is cheaper than joining a stream's pieces.
          stream.destroy();
          yield { type: 'json', file, text: decodeUtf8(await readFile(input.path)) };
          return;
        }
      }
      if (mode === 'json') { jsonParts.push(piece); continue; }
      yield* unitsOf(splitter.push(piece));
    }
    const rest = decoder.end();
    if (rest !== '') {
      // An incomplete UTF-8 sequence at the very end: decoded as a replacement character.
      ascii = false;
      if (mode === 'json') jsonParts.push(rest);
      else yield* unitsOf(splitter.push(rest));
    }
  } catch (err) {
    yield { type: 'error', file, message: describeFsError(err) };
    return;
  }
  if (mode === 'json') {
    yield { type: 'json', file, text: jsonParts.join('') };
    return;
  }
  yield* unitsOf(splitter.end());
}
