/**
 * Event readers: JSON lines from a stream or a file (optionally gzip-compressed), streamed line
 * by line; a whole pretty-printed JSON document when the first line does not parse alone; and
 * a `follow` mode for files (tail -f that survives truncation and rotation).
 */
import { createReadStream, promises as fsp } from 'node:fs';
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { splitAuditPayload } from './audit-events.js';

export type SourceName = 'syscall' | 'k8s_audit';

/** `text` is the event's own JSON line, when the line held exactly that one event (stores keep it as is). */
export type ReadItem = { event: unknown; line: number; text?: string } | { error: string; line: number };

export interface ReadOptions {
  /** Keep reading a file as it grows (tail -f); ends when `signal` aborts. */
  follow?: boolean;
  signal?: AbortSignal;
  /** Poll interval for `follow`, ms (default 250). */
  pollMs?: number;
  /** Longest line kept, bytes (default 64 MiB); longer lines are reported and skipped. */
  maxLineBytes?: number;
  /** Largest whole-document input, bytes (default 256 MiB). */
  maxDocumentBytes?: number;
}

const MiB = 1024 * 1024;

// --- bytes in ------------------------------------------------------------------------------

async function* gunzipIfNeeded(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const it = chunks[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) return;
  const head: Buffer = first.value;
  async function* all(): AsyncGenerator<Buffer> {
    yield head;
    for (let n = await it.next(); !n.done; n = await it.next()) yield n.value;
  }
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    const gunzip = createGunzip();
    const src = Readable.from(all());
    src.on('error', (e) => gunzip.destroy(e));
    yield* src.pipe(gunzip) as AsyncIterable<Buffer>;
  } else {
    yield* all();
  }
}

async function* streamChunks(input: NodeJS.ReadableStream): AsyncGenerator<Buffer> {
  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    yield typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
  }
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });

/** tail -f: reads to the end, then polls; reopens on rotation (new inode) or truncation. */
async function* followChunks(path: string, pollMs: number, signal?: AbortSignal): AsyncGenerator<Buffer> {
  const buf = Buffer.alloc(64 * 1024);
  let handle: fsp.FileHandle | undefined;
  let ino = -1;
  let pos = 0;
  try {
    while (!signal?.aborted) {
      if (!handle) {
        try {
          handle = await fsp.open(path, 'r');
          ino = (await handle.stat()).ino;
          pos = 0;
        } catch {
          await sleep(pollMs, signal); // not there (yet, or mid-rotation)
          continue;
        }
      }
      const { bytesRead } = await handle.read(buf, 0, buf.length, pos);
      if (bytesRead > 0) {
        pos += bytesRead;
        yield Buffer.from(buf.subarray(0, bytesRead));
        continue;
      }
      const current = await fsp.stat(path).catch(() => undefined);
      if (current && (current.ino !== ino || current.size < pos)) {
        // Rotated: the writer may have appended to the old file between our last read and the
        // rename; drain it before switching, so no line is lost at rotation.
        if (current.ino !== ino) {
          for (let r = await handle.read(buf, 0, buf.length, pos); r.bytesRead > 0; r = await handle.read(buf, 0, buf.length, pos)) {
            pos += r.bytesRead;
            yield Buffer.from(buf.subarray(0, r.bytesRead));
          }
        }
        await handle.close();
        handle = undefined; // rotated or truncated: start over on the new content
        continue;
      }
      await sleep(pollMs, signal);
    }
  } finally {
    await handle?.close();
  }
}

// --- lines ---------------------------------------------------------------------------------

interface Line {
  text: string;
  number: number;
  /** Set when the line was longer than allowed (text is then empty). */
  tooLong?: boolean;
}

/** Lines, a batch per chunk read (yielding every line on its own costs more than parsing it). */
async function* splitLineBatches(chunks: AsyncIterable<Buffer>, maxLineBytes: number): AsyncGenerator<Line[]> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let skipping = false;
  let number = 0;
  for await (const chunk of chunks) {
    const text = decoder.write(chunk);
    const batch: Line[] = [];
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      number++;
      const piece = text.slice(start, nl);
      start = nl + 1;
      if (skipping) {
        skipping = false;
        pending = '';
        batch.push({ text: '', number, tooLong: true });
        continue;
      }
      const line = pending === '' ? piece : pending + piece;
      pending = '';
      if (line.length > maxLineBytes) batch.push({ text: '', number, tooLong: true });
      else batch.push({ text: line.endsWith('\r') ? line.slice(0, -1) : line, number });
    }
    if (!skipping) {
      pending += text.slice(start);
      if (pending.length > maxLineBytes) {
        skipping = true;
        pending = '';
      }
    }
    if (batch.length > 0) yield batch;
  }
  pending += decoder.end();
  if (skipping) yield [{ text: '', number: number + 1, tooLong: true }];
  else if (pending.trim() !== '') yield [{ text: pending, number: number + 1 }];
}

/** The lines of the batches, one at a time (for the rare whole-document path). */
async function* flatten(first: readonly Line[], rest: AsyncIterator<Line[]>): AsyncGenerator<Line> {
  yield* first;
  for (let n = await rest.next(); !n.done; n = await rest.next()) yield* n.value;
}

// --- events --------------------------------------------------------------------------------

function pushItems(value: unknown, source: SourceName, line: number, out: ReadItem[], text?: string): void {
  if (source === 'k8s_audit') {
    const { events, errors } = splitAuditPayload(value);
    if (text !== undefined && events.length === 1 && errors.length === 0 && events[0] === value) {
      out.push({ event: value, line, text });
      return;
    }
    for (const event of events) out.push({ event, line });
    for (const error of errors) out.push({ error, line });
    return;
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    out.push({ event: value, line });
    return;
  }
  const objects = Array.isArray(value) ? value : [value];
  for (const obj of objects) {
    if (obj !== null && typeof obj === 'object' && !Array.isArray(obj)) out.push({ event: obj, line });
    else out.push({ error: 'not a syscall event: expected a JSON object keyed by field names', line });
  }
}

function parseError(e: unknown): string {
  return `invalid JSON: ${e instanceof Error ? e.message : String(e)}`;
}

function pushLineItems(line: Line, source: SourceName, out: ReadItem[]): void {
  if (line.tooLong) {
    out.push({ error: 'line too long: skipped', line: line.number });
    return;
  }
  const text = line.text;
  if (text === '' || text.trim() === '') return;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    out.push({ error: parseError(e), line: line.number });
    return;
  }
  pushItems(value, source, line.number, out, text);
}

/**
 * Reads events from a stream or a file path. Malformed lines give `{ error, line }` items and
 * reading goes on. A file whose first line opens a JSON value that does not close on that line
 * is read as one document (e.g. `kubectl get --raw` output), up to `maxDocumentBytes`.
 */
export async function* readEvents(input: NodeJS.ReadableStream | string, source: SourceName, opts: ReadOptions = {}): AsyncGenerator<ReadItem> {
  for await (const batch of readEventBatches(input, source, opts)) yield* batch;
}

/** The bytes of an input: a file (followed or not) or a stream, decompressed when gzip. */
function inputChunks(input: NodeJS.ReadableStream | string, opts: ReadOptions): AsyncIterable<Buffer> {
  if (typeof input !== 'string') return gunzipIfNeeded(streamChunks(input));
  return opts.follow ? followChunks(input, opts.pollMs ?? 250, opts.signal) : gunzipIfNeeded(streamChunks(createReadStream(input, { highWaterMark: 1 << 20 })));
}

/** readEvents, a batch of items per chunk read. */
export async function* readEventBatches(input: NodeJS.ReadableStream | string, source: SourceName, opts: ReadOptions = {}): AsyncGenerator<ReadItem[]> {
  yield* eventBatches(inputChunks(input, opts), source, opts);
}

/** Audit events say so in their first object; anything else is taken for syscall JSON. */
export function sniffSource(head: string): SourceName {
  return /"auditID"\s*:|"kind"\s*:\s*"Event(List)?"|"apiVersion"\s*:\s*"audit\.k8s\.io\//.test(head) ? 'k8s_audit' : 'syscall';
}

export interface OpenedEvents {
  source: SourceName;
  batches: AsyncGenerator<ReadItem[]>;
}

/**
 * Opens an input for detection: its first (decompressed) bytes are read now, so an input that
 * cannot be read fails here with its fs error, and `auto` can tell audit events from syscall
 * events by looking at them (gzip files too).
 */
export async function openEvents(input: NodeJS.ReadableStream | string, source: SourceName | 'auto', opts: ReadOptions = {}): Promise<OpenedEvents> {
  const it = inputChunks(input, opts)[Symbol.asyncIterator]();
  const first = await it.next();
  const head = first.done ? '' : first.value.subarray(0, 65536).toString('utf8');
  const chosen = source === 'auto' ? sniffSource(head) : source;
  async function* chunks(): AsyncGenerator<Buffer> {
    if (first.done) return;
    yield first.value;
    for (let n = await it.next(); !n.done; n = await it.next()) yield n.value;
  }
  return { source: chosen, batches: eventBatches(chunks(), chosen, opts) };
}

async function* eventBatches(chunks: AsyncIterable<Buffer>, source: SourceName, opts: ReadOptions): AsyncGenerator<ReadItem[]> {
  const maxLineBytes = opts.maxLineBytes ?? 64 * MiB;
  const maxDocumentBytes = opts.maxDocumentBytes ?? 256 * MiB;
  const batches = splitLineBatches(chunks, maxLineBytes)[Symbol.asyncIterator]();
  let lastLine = 0;
  try {
    let seenContent = false;
    for (let b = await batches.next(); !b.done; b = await batches.next()) {
      const lines = b.value;
      const out: ReadItem[] = [];
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i];
        lastLine = line.number;
        if (!seenContent && !line.tooLong && line.text.trim() !== '') {
          seenContent = true;
          const first = line.text.trimStart()[0];
          if ((first === '{' || first === '[') && !parsesAlone(line.text)) {
            if (out.length > 0) yield out;
            for await (const item of documentOrLines(line, flatten(lines.slice(i + 1), batches), source, maxDocumentBytes)) yield [item];
            return;
          }
        }
        pushLineItems(line, source, out);
      }
      if (out.length > 0) yield out;
    }
  } catch (e) {
    if (opts.signal?.aborted) return;
    yield [{ error: readErrorText(e), line: lastLine + 1 }];
  }
}

function readErrorText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'Z_BUF_ERROR') return 'gzip data ends early (truncated file?): the events before this point were read';
  if (code === 'Z_DATA_ERROR') return `gzip data is corrupt (${(e as Error).message}): the events before this point were read`;
  return `read error: ${e instanceof Error ? e.message : String(e)}`;
}

function parsesAlone(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Buffers the rest of the input (bounded) and parses it as one document; when that fails too,
 * the buffered lines are handled one by one, as if document mode had never been tried.
 */
async function* documentOrLines(first: Line, rest: AsyncIterable<Line>, source: SourceName, maxBytes: number): AsyncGenerator<ReadItem> {
  const buffered: Line[] = [first];
  let size = first.text.length;
  let overflow = false;
  const it = rest[Symbol.asyncIterator]();
  while (!overflow) {
    const n = await it.next();
    if (n.done) break;
    buffered.push(n.value);
    size += n.value.text.length + 1;
    if (size > maxBytes || n.value.tooLong) overflow = true;
  }
  if (!overflow) {
    try {
      const value = JSON.parse(buffered.map((l) => l.text).join('\n'));
      const out: ReadItem[] = [];
      pushItems(value, source, first.number, out);
      yield* out;
      return;
    } catch {
      // not one document either: fall back to lines
    }
  }
  const out: ReadItem[] = [];
  for (const line of buffered) pushLineItems(line, source, out);
  yield* out.splice(0);
  for (let n = await it.next(); !n.done; n = await it.next()) {
    pushLineItems(n.value, source, out);
    yield* out.splice(0);
  }
}
