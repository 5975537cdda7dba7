/**
 * The SQLite layout's unit of storage: a block of up to BLOCK_EVENTS events of one time
 * bucket, one row of `blocks` (see schema.ts).
 *
 * Why blocks: a row and its index entries per event cost about 20 µs to insert and wrote
 * ~1.3 KB per event twice (WAL, then the checkpoint); the ingest budget is 20 µs per event
 * for everything (reading, JSON, rules, store). A block is one row whatever its size, its
 * event texts compress about 12× together (audit events repeat users, URIs, agents, object
 * shapes), and the indexes become posting lists with one entry per value per block.
 *
 * A block holds:
 *  - `cols`: the events' columns, column-major (time, received, code as float64; dictionary
 *    ids, string lengths and slot as uint32): what queries filter on, read without the text.
 *  - `text`: each event's JSON, auditID and requestURI, in chunks of TEXT_CHUNK events, each
 *    chunk compressed on its own so that returning one event decompresses 64 events, not a
 *    whole block (who-touched of a busy object returns events spread over many blocks).
 *
 * An event's id is `block * SLOTS + slot`; the slot is its position when the block was
 * written and stays with it when retention rewrites the block without some of its events.
 */
import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';

/** Most events in one block. */
export const BLOCK_EVENTS = 1024;
/** Slots per block id (event id = block * SLOTS + slot). */
export const SLOTS = 4096;
/** Events per independently compressed text chunk. */
export const TEXT_CHUNK = 64;
/**
 * A block's events share a bucket of this many µs of event time (time − time mod BUCKET), so
 * a block spans less than a bucket whatever order events come in, and a time-ordered scan
 * knows which blocks can still hold earlier or later events. Part of the on-disk format.
 */
export const BUCKET_MICROS = 10 * 60 * 1_000_000;

export function bucketStart(time: number): number {
  return time - (((time % BUCKET_MICROS) + BUCKET_MICROS) % BUCKET_MICROS);
}

/** float64 columns */
export const F_TIME = 0;
export const F_RECEIVED = 1;
/** NaN when the code is null. */
export const F_CODE = 2;
export const F64_COLUMNS = 3;

/** uint32 columns: dictionary ids (groups and source IPs: set ids), string lengths, slot. */
export const U_STAGE = 0;
export const U_LEVEL = 1;
export const U_USER = 2;
export const U_GROUPS = 3;
export const U_IMPERSONATED = 4;
export const U_VERB = 5;
export const U_API_GROUP = 6;
export const U_API_VERSION = 7;
export const U_RESOURCE = 8;
export const U_SUBRESOURCE = 9;
export const U_NAMESPACE = 10;
export const U_NAME = 11;
export const U_DECISION = 12;
export const U_IPS = 13;
export const U_AGENT = 14;
/** Lengths in UTF-16 code units of the auditID, requestURI and event text. */
export const U_ID_LEN = 15;
export const U_URI_LEN = 16;
export const U_EVENT_LEN = 17;
export const U_SLOT = 18;
export const U32_COLUMNS = 19;

/** Values per event as the writer collects them (row-major): the float64 columns, then the uint32 ones. */
export const ROW_WIDTH = F64_COLUMNS + U32_COLUMNS;

const FORMAT = 1;
const HEADER_BYTES = 16;

/** Brotli at quality 1 with a 64 KiB window: ~1 µs per event for a 64-event chunk, 12× smaller (measured on the benchmark corpus). */
const BROTLI = {
  params: { [constants.BROTLI_PARAM_QUALITY]: 1, [constants.BROTLI_PARAM_LGWIN]: 16 },
};

/** A block's columns, decoded: value of column c for event i is f64[c * n + i] / u32[c * n + i]. */
export interface Columns {
  n: number;
  f64: Float64Array;
  u32: Uint32Array;
}

export function f64(c: Columns, col: number, i: number): number {
  return c.f64[col * c.n + i];
}

export function u32(c: Columns, col: number, i: number): number {
  return c.u32[col * c.n + i];
}

/** Row-major values of n events (ROW_WIDTH each) → their columns, and the bytes they are stored from. */
export function buildColumns(rows: readonly number[], n: number): { cols: Columns; raw: Buffer } {
  const raw = Buffer.alloc(HEADER_BYTES + n * (F64_COLUMNS * 8 + U32_COLUMNS * 4));
  raw.writeUInt32LE(FORMAT, 0);
  raw.writeUInt32LE(n, 4);
  const f = new Float64Array(raw.buffer, raw.byteOffset + HEADER_BYTES, F64_COLUMNS * n);
  const u = new Uint32Array(raw.buffer, raw.byteOffset + HEADER_BYTES + F64_COLUMNS * n * 8, U32_COLUMNS * n);
  for (let i = 0, at = 0; i < n; i++, at += ROW_WIDTH) {
    for (let c = 0; c < F64_COLUMNS; c++) f[c * n + i] = rows[at + c];
    for (let c = 0; c < U32_COLUMNS; c++) u[c * n + i] = rows[at + F64_COLUMNS + c];
  }
  return { cols: { n, f64: f, u32: u }, raw };
}

/** Event i's values, row-major (what buildColumns takes), appended to `into`. */
export function rowOf(c: Columns, i: number, into: number[]): void {
  for (let k = 0; k < F64_COLUMNS; k++) into.push(c.f64[k * c.n + i]);
  for (let k = 0; k < U32_COLUMNS; k++) into.push(c.u32[k * c.n + i]);
}

export function decodeColumns(blob: Uint8Array): Columns {
  let raw = brotliDecompressSync(blob);
  // Typed-array views need their element alignment.
  if (raw.byteOffset % 8 !== 0) raw = Buffer.from(raw);
  const format = raw.readUInt32LE(0);
  if (format !== FORMAT) throw new Error(`database is inconsistent: unknown block format ${format}`);
  const n = raw.readUInt32LE(4);
  return {
    n,
    f64: new Float64Array(raw.buffer, raw.byteOffset + HEADER_BYTES, F64_COLUMNS * n),
    u32: new Uint32Array(raw.buffer, raw.byteOffset + HEADER_BYTES + F64_COLUMNS * n * 8, U32_COLUMNS * n),
  };
}

/** The earliest and latest event time of a block (its row's t_min and t_max). */
export function timeRange(c: Columns): { tMin: number; tMax: number } {
  let tMin = Infinity;
  let tMax = -Infinity;
  for (let i = 0; i < c.n; i++) {
    const t = c.f64[F_TIME * c.n + i];
    if (t < tMin) tMin = t;
    if (t > tMax) tMax = t;
  }
  return { tMin, tMax };
}

/** A block ready to be written. */
export interface EncodedBlock {
  cols: Columns;
  /** The `cols` and `text` blobs. */
  colsBlob: Buffer;
  textBlob: Buffer;
  tMin: number;
  tMax: number;
  /** UTF-8 bytes of the event texts (what retention by size counts). */
  bytes: number;
}

/**
 * n events: their values row-major, and their strings (already `storable`). The `text` blob is
 * a uint32 chunk count, the chunks' end offsets, then the chunks; a chunk is its events'
 * texts, then their auditIDs, then their URIs, concatenated (lengths are in `cols`) and
 * compressed.
 */
export function encodeBlock(rows: readonly number[], events: readonly string[], ids: readonly string[], uris: readonly string[]): EncodedBlock {
  const n = events.length;
  const { cols, raw } = buildColumns(rows, n);
  const { tMin, tMax } = timeRange(cols);
  const chunks: Buffer[] = [];
  let bytes = 0;
  for (let start = 0; start < n; start += TEXT_CHUNK) {
    const end = Math.min(n, start + TEXT_CHUNK);
    let ev = '';
    for (let i = start; i < end; i++) ev += events[i];
    bytes += Buffer.byteLength(ev, 'utf8');
    let s = ev;
    for (let i = start; i < end; i++) s += ids[i];
    for (let i = start; i < end; i++) s += uris[i];
    chunks.push(brotliCompressSync(s, BROTLI));
  }
  const head = Buffer.alloc(4 * (1 + chunks.length));
  head.writeUInt32LE(chunks.length, 0);
  let off = 0;
  for (let k = 0; k < chunks.length; k++) head.writeUInt32LE((off += chunks[k].length), 4 * (k + 1));
  return { cols, colsBlob: brotliCompressSync(raw, BROTLI), textBlob: Buffer.concat([head, ...chunks]), tMin, tMax, bytes };
}

/** Where event i's strings are in its text chunk: found from the lengths in `cols`, without the text. */
export interface TextLocation {
  chunk: number;
  event: number;
  eventLen: number;
  id: number;
  idLen: number;
  uri: number;
  uriLen: number;
}

export function textLocation(c: Columns, i: number): TextLocation {
  const n = c.n;
  const u = c.u32;
  const chunk = Math.floor(i / TEXT_CHUNK);
  const start = chunk * TEXT_CHUNK;
  const end = Math.min(n, start + TEXT_CHUNK);
  let eventsLen = 0;
  let idsLen = 0;
  let ev = 0;
  let id = 0;
  let uri = 0;
  for (let j = start; j < end; j++) {
    const e = u[U_EVENT_LEN * n + j];
    const d = u[U_ID_LEN * n + j];
    if (j < i) {
      ev += e;
      id += d;
      uri += u[U_URI_LEN * n + j];
    }
    eventsLen += e;
    idsLen += d;
  }
  return {
    chunk,
    event: ev,
    eventLen: u[U_EVENT_LEN * n + i],
    id: eventsLen + id,
    idLen: u[U_ID_LEN * n + i],
    uri: eventsLen + idsLen + uri,
    uriLen: u[U_URI_LEN * n + i],
  };
}

/** The strings of one event. */
export interface EventText {
  auditId: string;
  requestUri: string;
  event: string;
}

/** Reads events' strings out of a `text` blob, decompressing each chunk once. */
export class TextReader {
  private readonly chunks = new Map<number, string>();
  private readonly base: number;

  constructor(private readonly blob: Buffer) {
    this.base = 4 * (1 + blob.readUInt32LE(0));
  }

  private chunk(k: number): string {
    let s = this.chunks.get(k);
    if (s === undefined) {
      const from = this.base + (k === 0 ? 0 : this.blob.readUInt32LE(4 * k));
      const to = this.base + this.blob.readUInt32LE(4 * (k + 1));
      s = brotliDecompressSync(this.blob.subarray(from, to)).toString('utf8');
      this.chunks.set(k, s);
    }
    return s;
  }

  get(at: TextLocation): EventText {
    const s = this.chunk(at.chunk);
    return {
      event: s.slice(at.event, at.event + at.eventLen),
      auditId: s.slice(at.id, at.id + at.idLen),
      requestUri: s.slice(at.uri, at.uri + at.uriLen),
    };
  }
}

/**
 * What a string becomes when stored: lengths are counted before UTF-8 encoding, so a lone
 * surrogate (which UTF-8 cannot carry) is replaced by U+FFFD first, as SQLite's own text
 * columns did.
 */
export function storable(s: string): string {
  return (s as unknown as { isWellFormed(): boolean }).isWellFormed() ? s : (s as unknown as { toWellFormed(): string }).toWellFormed();
}
