/**
 * Type-directed handling of values: how a right-hand literal is read for a field type
 * (at compile time, with libs' error wording) and how an extracted value is brought to the
 * same comparable form.
 */
import type { FieldType, FieldValue } from '../types.js';
import { ConditionCompileError } from './errors.js';
import { memoizeString } from '../../model/index.js';
export { internalize } from '../intern.js';

export type NumericType = 'int64' | 'uint64' | 'double' | 'port' | 'reltime' | 'abstime';
const NUMERIC = new Set<FieldType>(['int64', 'uint64', 'double', 'port', 'reltime', 'abstime']);
export const isNumericType = (t: FieldType): t is NumericType => NUMERIC.has(t);

// ---------------------------------------------------------------------------------------------
// Strings

const latin1 = new TextDecoder('latin1');

/** Any extracted value as text (plugin fields may hand numbers or booleans to string checks). */
export function asText(v: FieldValue): string {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return latin1.decode(v);
  return String(v);
}

/** ASCII-only lower case (libs' icontains/iglob/tolower do not fold other letters). */
export function asciiLower(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
  }
  return s;
}

export function asciiUpper(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 97 && c <= 122) return s.replace(/[a-z]+/g, (m) => m.toUpperCase());
  }
  return s;
}

/** `CAFE babe` style hex (bcontains/bstartswith) as a byte string (one char per byte). */
export function parseHexBytes(text: string): string {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) {
    throw new ConditionCompileError(`${text} is not a valid hex string`);
  }
  let out = '';
  for (let i = 0; i < text.length; i += 2) out += String.fromCharCode(parseInt(text.slice(i, i + 2), 16));
  return out;
}

const utf8 = new TextEncoder();

/** An extracted value as its bytes, one char per byte (for byte-wise operators). */
export function asByteString(v: FieldValue): string {
  if (v instanceof Uint8Array) return latin1.decode(v);
  const s = asText(v);
  // Pure ASCII strings are already their own byte string.
  if (!/[^\x00-\x7f]/.test(s)) return s;
  return latin1.decode(utf8.encode(s));
}

// ---------------------------------------------------------------------------------------------
// Numbers

const DECIMAL = /^[+-]?[0-9]+$/;
const HEX = /^0[xX][0-9a-fA-F]+$/;
const FLOAT = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

/** A numeric literal for a numeric field type, or libs' `x is not a valid number`. */
export function parseNumber(text: string, type: FieldType): number {
  const t = text.trim();
  if (HEX.test(t)) return Number.parseInt(t.slice(2), 16);
  if (DECIMAL.test(t)) {
    const n = Number(t);
    if (type !== 'int64' && type !== 'double' && n < 0) throw new ConditionCompileError(`${text} is not a valid number`);
    return n;
  }
  if (type === 'double' && FLOAT.test(t)) return Number(t);
  throw new ConditionCompileError(`${text} is not a valid number`);
}

/** An extracted value as a number (NaN when it is not one). 64-bit values beyond 2^53 round. */
export function asNumber(v: FieldValue): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const t = v.trim();
    if (HEX.test(t)) return Number.parseInt(t.slice(2), 16);
    return FLOAT.test(t) ? Number(t) : Number.NaN;
  }
  return Number.NaN;
}

// ---------------------------------------------------------------------------------------------
// Booleans

export function parseBool(text: string): boolean {
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw new ConditionCompileError(`${text} is not a valid boolean`);
}

export function asBool(v: FieldValue): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  if (typeof v === 'number' || typeof v === 'bigint') return Number(v) !== 0;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// IP addresses and networks (as bigint with a family, so containment is a mask compare)

export interface IpAddr {
  v6: boolean;
  value: bigint;
  /** An IPv4 address as an unsigned 32-bit number (0 for IPv6): containment without bigint arithmetic. */
  v4: number;
  /** ipKey of an IPv6 address, made on first use (the parsed addresses are shared). */
  key?: string;
}

export interface IpNet {
  v6: boolean;
  base: bigint;
  mask: bigint;
  /** base and mask of an IPv4 network as unsigned 32-bit numbers (0 for IPv6). */
  v4base: number;
  v4mask: number;
}

function ipAddr(v6: boolean, value: bigint): IpAddr {
  return { v6, value, v4: v6 ? 0 : Number(value) };
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let out = 0n;
  for (const p of parts) {
    if (!/^[0-9]{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out = (out << 8n) | BigInt(n);
  }
  return out;
}

function parseIpv6(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || !text.includes(':')) return undefined;
  let head = text;
  let tailV4: bigint | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.indexOf('.', lastColon) >= 0) {
    tailV4 = parseIpv4(text.slice(lastColon + 1));
    if (tailV4 === undefined) return undefined;
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const group = (s: string) => (s === '' ? [] : s.split(':'));
  const left = group(halves[0]!);
  const right = halves.length === 2 ? group(halves[1]!) : [];
  const missing = 8 - left.length - right.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...right];
  let out = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    out = (out << 16n) | BigInt(parseInt(g, 16));
  }
  if (tailV4 !== undefined) out = (out & ~0xffffffffn) | tailV4;
  return out;
}

/**
 * Dotted-quad IPv4 text as an unsigned 32-bit number, or -1 when it is not one by parseIpv4's
 * grammar (four parts of 1 to 3 digits, each at most 255). Read by character codes: no
 * allocation, and no memo lookup (which would hash every address an event brings).
 */
export function ipv4Number(text: string): number {
  const n = text.length;
  if (n < 7 || n > 15) return -1;
  let out = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 46 /* . */) {
      if (digits === 0 || dots === 3) return -1;
      out = out * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      if (++digits > 3) return -1;
      part = part * 10 + (c - 48);
      if (part > 255) return -1;
    } else {
      return -1;
    }
  }
  return dots === 3 && digits > 0 ? out * 256 + part : -1;
}

/** Whether an address (IPv4 as a 32-bit number) lies in a network. */
export function ipv4InNet(a: number, n: IpNet): boolean {
  return !n.v6 && (a & n.v4mask) >>> 0 === n.v4base;
}

export function parseIpAddr(text: string): IpAddr | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return ipAddr(false, v4);
  const v6 = parseIpv6(text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text);
  return v6 === undefined ? undefined : ipAddr(true, v6);
}

/** `10.0.0.0/8`, `fe80::/10`, or a bare address (a host network). */
export function parseIpNet(text: string): IpNet | undefined {
  const slash = text.indexOf('/');
  const addr = parseIpAddr(slash < 0 ? text : text.slice(0, slash));
  if (!addr) return undefined;
  const bits = addr.v6 ? 128 : 32;
  let prefix = bits;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^[0-9]{1,3}$/.test(p) || Number(p) > bits) return undefined;
    prefix = Number(p);
  }
  const all = (1n << BigInt(bits)) - 1n;
  const mask = prefix === 0 ? 0n : (all >> BigInt(bits - prefix)) << BigInt(bits - prefix);
  const base = addr.value & mask;
  return { v6: addr.v6, base, mask, v4base: addr.v6 ? 0 : Number(base), v4mask: addr.v6 ? 0 : Number(mask) };
}

/** An extracted address (text, or 4/16 raw bytes). */
export function asIpAddr(v: FieldValue): IpAddr | undefined {
  if (v instanceof Uint8Array) {
    if (v.length !== 4 && v.length !== 16) return undefined;
    let out = 0n;
    for (const b of v) out = (out << 8n) | BigInt(b);
    return ipAddr(v.length === 16, out);
  }
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff) return ipAddr(false, BigInt(v));
  return typeof v === 'string' ? parseIpAddrCached(v) : undefined;
}

// The same few addresses recur across events: parse each once.
const parseIpAddrCached = memoizeString((text) => parseIpAddr(text));

export const ipInNet = (a: IpAddr, n: IpNet) =>
  a.v6 === n.v6 && (a.v6 ? (a.value & n.mask) === n.base : (a.v4 & n.v4mask) >>> 0 === n.v4base);
/** A membership key: IPv4 as its 32-bit number, IPv6 as text (the two never compare equal). */
export const ipKey = (a: IpAddr): Key => (a.v6 ? (a.key ??= `6:${a.value}`) : a.v4);

// ---------------------------------------------------------------------------------------------
// Membership keys: one comparable primitive per type, used by `=`/`in`/`intersects` sets

export type Key = string | number | boolean;

/** A literal as a membership key for a field type (throws on a bad literal). */
export function literalKey(text: string, type: FieldType): Key {
  if (isNumericType(type)) return parseNumber(text, type);
  if (type === 'bool') return parseBool(text);
  if (type === 'ipaddr' || type === 'ipnet') {
    const a = parseIpAddr(text);
    if (!a) throw new ConditionCompileError(`${text} is not a valid IP address`);
    return ipKey(a);
  }
  return text;
}

/** An extracted value as a membership key for a field type (undefined: not comparable). */
export function valueKey(v: FieldValue, type: FieldType): Key | undefined {
  if (isNumericType(type)) {
    const n = asNumber(v);
    return Number.isNaN(n) ? undefined : n;
  }
  if (type === 'bool') return asBool(v);
  if (type === 'ipaddr' || type === 'ipnet') {
    if (typeof v === 'string') {
      const n = ipv4Number(v);
      if (n >= 0) return n;
    }
    const a = asIpAddr(v);
    return a ? ipKey(a) : undefined;
  }
  return asText(v);
}
