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
 *  - `cols`: the events' columns, column-major (time, received, code; dictionary ids, string
 *    lengths, slot), each packed at its narrowest width: what queries filter on, read as views
 *    of the blob without the text.
 *  - `text`: each event's JSON, auditID and requestURI, in chunks of TEXT_CHUNK events, each
 *    chunk compressed on its own so that returning one event decompresses 64 events, not a
 *    whole block; events are laid out by denied, user and object (clusterOrder) so that one
 *    object's or user's events share chunks.
 *
 * An event's id is `block * SLOTS + slot`; the slot is its position when the block was
 * written and stays with it when retention rewrites the block without some of its events.
 */
import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import { isDenied } from './schema.js';

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

/** Brotli at quality 1 with a 64 KiB window: ~1 µs per event for a 64-event chunk, 12× smaller (measured on the benchmark corpus). */
const BROTLI = {
  params: { [constants.BROTLI_PARAM_QUALITY]: 1, [constants.BROTLI_PARAM_LGWIN]: 16 },
};

type Ints = Uint8Array | Uint16Array | Uint32Array;

/**
 * A block's columns: u[U_USER][i] is event i's user id, f[F_TIME][i] its time. Decoded, the
 * integer columns are views of the stored blob (no copy), the float64 ones are decoded.
 */
export interface Columns {
  n: number;
  f: Float64Array[];
  u: Ints[];
}

/** Row-major values of n events (ROW_WIDTH each) → their columns. */
export function buildColumns(rows: readonly number[], n: number): Columns {
  const f = Array.from({ length: F64_COLUMNS }, () => new Float64Array(n));
  const u = Array.from({ length: U32_COLUMNS }, () => new Uint32Array(n));
  for (let i = 0, at = 0; i < n; i++, at += ROW_WIDTH) {
    for (let c = 0; c < F64_COLUMNS; c++) f[c][i] = rows[at + c];
    for (let c = 0; c < U32_COLUMNS; c++) u[c][i] = rows[at + F64_COLUMNS + c];
  }
  return { n, f, u };
}

/*
 * The `cols` blob, little-endian: uint32 format, uint32 n, a width byte per column (1, 2 or 4:
 * unsigned integers of that size; 8: float64 as is), padding to 8, a float64 base per float64
 * column, then each column's n values, aligned to their width. A float64 column of integers
 * within 2^32 of each other is stored as value − base + 1 (0 = NaN, a null code): times of one
 * bucket fit 32 bits. Ids are mostly small: most columns take one or two bytes. Decoding is a
 * copy, where brotli took a third of a millisecond per block and most of a query's time.
 */
const COLS_FORMAT = 2;
const COLUMNS = F64_COLUMNS + U32_COLUMNS;
const BASES_AT = 8 + Math.ceil(COLUMNS / 8) * 8;
const DATA_AT = BASES_AT + 8 * F64_COLUMNS;

function intArray(width: number, buf: ArrayBufferLike, at: number, n: number): Ints {
  return width === 1 ? new Uint8Array(buf, at, n) : width === 2 ? new Uint16Array(buf, at, n) : new Uint32Array(buf, at, n);
}

function widthOf(max: number): number {
  return max < 0x100 ? 1 : max < 0x10000 ? 2 : 4;
}

function align(at: number, width: number): number {
  return Math.ceil(at / width) * width;
}

/** Typed arrays use the machine's byte order; the format is little-endian (x86-64, arm64). */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Blocks are typed arrays in the machine's byte order, written as little-endian: checked when a store opens. */
export function checkByteOrder(): void {
  if (!LITTLE_ENDIAN) throw new Error('the SQLite audit store needs a little-endian machine (x86-64, arm64); use PostgreSQL here');
}

export function encodeColumns(c: Columns): Buffer {
  const n = c.n;
  const widths: number[] = [];
  const bases: number[] = [];
  for (const col of c.f) {
    let lo = Infinity;
    let hi = -Infinity;
    let ints = true;
    for (let i = 0; i < n; i++) {
      const v = col[i];
      if (Number.isNaN(v)) continue;
      if (!Number.isInteger(v)) ints = false;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (lo === Infinity) lo = hi = 0;
    const range = hi - lo + 1;
    widths.push(ints && range < 2 ** 32 ? widthOf(range) : 8);
    bases.push(lo);
  }
  for (const col of c.u) {
    let hi = 0;
    for (let i = 0; i < n; i++) if (col[i] > hi) hi = col[i];
    widths.push(widthOf(hi));
  }
  let size = DATA_AT;
  for (const w of widths) size = align(size, w) + w * n;
  const buf = new ArrayBuffer(align(size, 8));
  const bytes = new Uint8Array(buf);
  const head = new DataView(buf);
  head.setUint32(0, COLS_FORMAT, true);
  head.setUint32(4, n, true);
  for (let k = 0; k < COLUMNS; k++) bytes[8 + k] = widths[k];
  for (let k = 0; k < F64_COLUMNS; k++) head.setFloat64(BASES_AT + 8 * k, bases[k], true);
  let at = DATA_AT;
  for (let k = 0; k < COLUMNS; k++) {
    const w = widths[k];
    at = align(at, w);
    if (k < F64_COLUMNS) {
      const src = c.f[k];
      if (w === 8) new Float64Array(buf, at, n).set(src);
      else {
        const dst = intArray(w, buf, at, n);
        const base = bases[k];
        for (let i = 0; i < n; i++) dst[i] = Number.isNaN(src[i]) ? 0 : src[i] - base + 1;
      }
    } else {
      intArray(w, buf, at, n).set(c.u[k - F64_COLUMNS]);
    }
    at += w * n;
  }
  return Buffer.from(buf, 0, size);
}

export function decodeColumns(blob: Uint8Array): Columns {
  // Typed-array views need their element alignment: a blob not on an 8-byte boundary is copied.
  const bytes = blob.byteOffset % 8 === 0 ? blob : new Uint8Array(blob);
  const buf = bytes.buffer;
  const head = new DataView(buf, bytes.byteOffset, bytes.byteLength);
  const format = head.getUint32(0, true);
  if (format !== COLS_FORMAT) throw new Error(`database is inconsistent: unknown block column format ${format}`);
  const n = head.getUint32(4, true);
  const f: Float64Array[] = [];
  const u: Ints[] = [];
  let at = DATA_AT;
  for (let k = 0; k < COLUMNS; k++) {
    const w = bytes[8 + k];
    at = align(at, w);
    if (k >= F64_COLUMNS) u.push(intArray(w, buf, bytes.byteOffset + at, n));
    else if (w === 8) f.push(new Float64Array(buf, bytes.byteOffset + at, n));
    else {
      const src = intArray(w, buf, bytes.byteOffset + at, n);
      const base = head.getFloat64(BASES_AT + 8 * k, true) - 1;
      const col = new Float64Array(n);
      for (let i = 0; i < n; i++) col[i] = src[i] === 0 ? NaN : src[i] + base;
      f.push(col);
    }
    at += w * n;
  }
  return { n, f, u };
}

/** Event i's values, row-major (what buildColumns takes), appended to `into`. */
export function rowOf(c: Columns, i: number, into: number[]): void {
  for (let k = 0; k < F64_COLUMNS; k++) into.push(c.f[k][i]);
  for (let k = 0; k < U32_COLUMNS; k++) into.push(c.u[k][i]);
}

/** The earliest and latest event time of a block (its row's t_min and t_max). */
export function timeRange(c: Columns): { tMin: number; tMax: number } {
  let tMin = Infinity;
  let tMax = -Infinity;
  const time = c.f[F_TIME];
  for (let i = 0; i < c.n; i++) {
    const t = time[i];
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
 * One buffer the text chunks are encoded into before compression, grown as needed: encoding
 * each chunk into a new buffer made ~850 MB of short-lived memory per million events.
 */
const scratch = {
  buf: Buffer.allocUnsafe(1 << 20),
  /** Writes s as UTF-8 at `at`; returns the bytes written. */
  put(at: number, s: string): number {
    const need = at + s.length * 3;
    if (need > this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(need, 2 * this.buf.length));
      this.buf.copy(bigger, 0, 0, at);
      this.buf = bigger;
    }
    return this.buf.write(s, at, 'utf8');
  },
  view(size: number): Buffer {
    return this.buf.subarray(0, size);
  },
};

/**
 * The order events are laid out in a block: denied requests first, then by user, then by
 * object (resource, namespace, name), then slot. A query returns events by filter, and the commonest
 * filters — one object's changes, one user's requests, denied requests — then find theirs
 * side by side in a chunk or two instead of one in every chunk (who-touched of an object
 * written every 57th event decompressed ~900 chunks for 1,000 events; now ~60). Their slots
 * (insertion order, ids) are unchanged.
 */
/** A 48-bit hash of an object's (resource, namespace, name) ids; collisions only add candidate blocks to a who-touched, or interleave two objects in a block. */
export function objectHash(resource: number, namespace: number, name: number): number {
  let a = Math.imul(resource ^ 0x9e3779b9, 0x85ebca6b);
  a = Math.imul(a ^ namespace ^ (a >>> 15), 0xc2b2ae35);
  a = Math.imul(a ^ name ^ (a >>> 13), 0x27d4eb2f);
  let b = Math.imul(name ^ 0x165667b1, 0x9e3779b1);
  b = Math.imul(b ^ resource ^ (b >>> 16), 0x85ebca77);
  b = Math.imul(b ^ namespace ^ (b >>> 13), 0xc2b2ae3d);
  return (a >>> 0) * 65536 + ((b >>> 16) & 0xffff);
}

function clusterOrder(rows: readonly number[], n: number): number[] {
  // Two numbers per event: denied and user, then the object (a hash: equal objects sort
  // together, which is all the layout needs); the sort is stable, so slots stay in order.
  const byUser = new Float64Array(n);
  const byObject = new Float64Array(n);
  for (let i = 0, at = 0; i < n; i++, at += ROW_WIDTH) {
    const u = at + F64_COLUMNS;
    byUser[i] = (isDenied(rows[u + U_DECISION], rows[at + F_CODE]) ? 0 : 2 ** 32) + rows[u + U_USER];
    byObject[i] = objectHash(rows[u + U_RESOURCE], rows[u + U_NAMESPACE], rows[u + U_NAME]);
  }
  const order = Array.from({ length: n }, (_, i) => i);
  return order.sort((a, b) => byUser[a] - byUser[b] || byObject[a] - byObject[b]);
}

/**
 * n events: their values row-major, and their strings (already `storable`), in any order.
 * The `text` blob is a uint32 chunk count, then per chunk its end offset and its size
 * uncompressed (decompression then allocates once), then the chunks; a chunk is its events'
 * texts, then their auditIDs, then their URIs, concatenated (lengths are in `cols`) and
 * compressed.
 */
export function encodeBlock(rows: readonly number[], events: readonly string[], ids: readonly string[], uris: readonly string[]): EncodedBlock {
  const n = events.length;
  const order = clusterOrder(rows, n);
  const sorted: number[] = [];
  for (const i of order) for (let k = 0; k < ROW_WIDTH; k++) sorted.push(rows[i * ROW_WIDTH + k]);
  const cols = buildColumns(sorted, n);
  const { tMin, tMax } = timeRange(cols);
  const chunks: Buffer[] = [];
  const sizes: number[] = [];
  let bytes = 0;
  for (let start = 0; start < n; start += TEXT_CHUNK) {
    const end = Math.min(n, start + TEXT_CHUNK);
    // Each string written on its own: concatenated, they were flattened into a new string first.
    let at = 0;
    for (let j = start; j < end; j++) at += scratch.put(at, events[order[j]]);
    bytes += at;
    for (let j = start; j < end; j++) at += scratch.put(at, ids[order[j]]);
    for (let j = start; j < end; j++) at += scratch.put(at, uris[order[j]]);
    sizes.push(at);
    chunks.push(brotliCompressSync(scratch.view(at), BROTLI));
  }
  const head = Buffer.alloc(4 * (1 + 2 * chunks.length));
  head.writeUInt32LE(chunks.length, 0);
  let off = 0;
  for (let k = 0; k < chunks.length; k++) {
    head.writeUInt32LE((off += chunks[k].length), 4 * (1 + 2 * k));
    head.writeUInt32LE(sizes[k], 4 * (2 + 2 * k));
  }
  return { cols, colsBlob: encodeColumns(cols), textBlob: Buffer.concat([head, ...chunks]), tMin, tMax, bytes };
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
  const [evLen, idLen, uriLen] = [c.u[U_EVENT_LEN], c.u[U_ID_LEN], c.u[U_URI_LEN]];
  const chunk = Math.floor(i / TEXT_CHUNK);
  const start = chunk * TEXT_CHUNK;
  const end = Math.min(n, start + TEXT_CHUNK);
  let eventsLen = 0;
  let idsLen = 0;
  let ev = 0;
  let id = 0;
  let uri = 0;
  for (let j = start; j < end; j++) {
    const e = evLen[j];
    const d = idLen[j];
    if (j < i) {
      ev += e;
      id += d;
      uri += uriLen[j];
    }
    eventsLen += e;
    idsLen += d;
  }
  return {
    chunk,
    event: ev,
    eventLen: evLen[i],
    id: eventsLen + id,
    idLen: idLen[i],
    uri: eventsLen + idsLen + uri,
    uriLen: uriLen[i],
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
    this.base = 4 * (1 + 2 * blob.readUInt32LE(0));
  }

  private chunk(k: number): string {
    let s = this.chunks.get(k);
    if (s === undefined) {
      const from = this.base + (k === 0 ? 0 : this.blob.readUInt32LE(4 * (1 + 2 * (k - 1))));
      const to = this.base + this.blob.readUInt32LE(4 * (1 + 2 * k));
      // One output buffer of the right size (and a byte more, or zlib asks for a second one to see the end).
      const size = this.blob.readUInt32LE(4 * (2 + 2 * k));
      s = brotliDecompressSync(this.blob.subarray(from, to), { chunkSize: Math.max(64, size + 1) }).toString('utf8');
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
