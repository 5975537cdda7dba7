/**
 * Go's net/netip address and prefix parsing, with its exact error messages
 * (`ParseAddr("1.2.3.4.5"): IPv4 address too long`), because Kubernetes' ip() and cidr()
 * return those messages to users.
 */

export interface Addr {
  /** 4 or 16 bytes. */
  readonly bytes: Uint8Array;
  readonly zone: string;
}

export class GoParseError extends Error {}

const q = (s: string): string => JSON.stringify(s);

function addrError(input: string, msg: string, at?: string): GoParseError {
  return new GoParseError(at !== undefined && at !== '' ? `ParseAddr(${q(input)}): ${msg} (at ${q(at)})` : `ParseAddr(${q(input)}): ${msg}`);
}

export function parseAddr(s: string): Addr {
  for (let i = 0; i < s.length; i++) {
    switch (s[i]) {
      case '.':
        return { bytes: parseIPv4Fields(s, 0, s.length), zone: '' };
      case ':':
        return parseIPv6(s);
      case '%':
        throw addrError(s, 'missing IPv6 address');
      default:
        break;
    }
  }
  throw addrError(s, 'unable to parse IP');
}

function parseIPv4Fields(input: string, off: number, end: number): Uint8Array {
  const fields = new Uint8Array(4);
  let val = 0;
  let pos = 0;
  let digLen = 0;
  const s = input.slice(off, end);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digLen === 1 && val === 0) throw addrError(input, 'IPv4 field has octet with leading zero');
      val = val * 10 + (c - 48);
      digLen++;
      if (val > 255) throw addrError(input, 'IPv4 field has value >255');
    } else if (s[i] === '.') {
      if (i === 0 || i === s.length - 1 || s[i - 1] === '.') throw addrError(input, 'IPv4 field must have at least one digit', s.slice(i));
      if (pos === 3) throw addrError(input, 'IPv4 address too long');
      fields[pos++] = val;
      val = 0;
      digLen = 0;
    } else {
      throw addrError(input, 'unexpected character', s.slice(i));
    }
  }
  if (pos < 3) throw addrError(input, 'IPv4 address too short');
  fields[3] = val;
  return fields;
}

function parseIPv6(input: string): Addr {
  let s = input;
  let zone = '';
  const pct = s.indexOf('%');
  if (pct !== -1) {
    zone = s.slice(pct + 1);
    s = s.slice(0, pct);
    if (zone === '') throw addrError(input, 'zone must be a non-empty string');
  }
  const ip = new Uint8Array(16);
  let ellipsis = -1;
  if (s.length >= 2 && s[0] === ':' && s[1] === ':') {
    ellipsis = 0;
    s = s.slice(2);
    if (s.length === 0) return { bytes: ip, zone };
  }
  let i = 0;
  while (i < 16) {
    let off = 0;
    let acc = 0;
    for (; off < s.length; off++) {
      const c = s.charCodeAt(off);
      let d: number;
      if (c >= 48 && c <= 57) d = c - 48;
      else if (c >= 97 && c <= 102) d = c - 87;
      else if (c >= 65 && c <= 70) d = c - 55;
      else break;
      acc = acc * 16 + d;
      if (off > 3) throw addrError(input, 'each group must have 4 or less digits', s);
      if (acc > 0xffff) throw addrError(input, 'IPv6 field has value >=2^16', s);
    }
    if (off === 0) throw addrError(input, 'each colon-separated field must have at least one digit', s);
    if (off < s.length && s[off] === '.') {
      if (ellipsis < 0 && i !== 12) throw addrError(input, 'embedded IPv4 address must replace the final 2 fields of the address', s);
      if (i + 4 > 16) throw addrError(input, 'too many hex fields to fit an embedded IPv4 at the end of the address', s);
      let end = input.length;
      if (zone.length > 0) end -= zone.length + 1;
      ip.set(parseIPv4Fields(input, end - s.length, end), i);
      s = '';
      i += 4;
      break;
    }
    ip[i] = acc >> 8;
    ip[i + 1] = acc & 0xff;
    i += 2;
    s = s.slice(off);
    if (s.length === 0) break;
    if (s[0] !== ':') throw addrError(input, 'unexpected character, want colon', s);
    if (s.length === 1) throw addrError(input, 'colon must be followed by more characters', s);
    s = s.slice(1);
    if (s[0] === ':') {
      if (ellipsis >= 0) throw addrError(input, 'multiple :: in address', s);
      ellipsis = i;
      s = s.slice(1);
      if (s.length === 0) break;
    }
  }
  if (s.length !== 0) throw addrError(input, 'trailing garbage after address', s);
  if (i < 16) {
    if (ellipsis < 0) throw addrError(input, 'address string too short');
    const n = 16 - i;
    for (let j = i - 1; j >= ellipsis; j--) ip[j + n] = ip[j];
    ip.fill(0, ellipsis, ellipsis + n);
  } else if (ellipsis >= 0) {
    throw addrError(input, 'the :: must expand to at least one field of zeros');
  }
  return { bytes: ip, zone };
}

export const is4 = (a: Addr): boolean => a.bytes.length === 4;

/** An IPv6 address of the form ::ffff:a.b.c.d. */
export function is4In6(a: Addr): boolean {
  if (a.bytes.length !== 16) return false;
  for (let i = 0; i < 10; i++) if (a.bytes[i] !== 0) return false;
  return a.bytes[10] === 0xff && a.bytes[11] === 0xff;
}

/** Go's Addr.String(): dotted quad, or RFC 5952 IPv6 (longest zero run as ::, lower case). */
export function addrString(a: Addr): string {
  const b = a.bytes;
  if (b.length === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  const zone = a.zone ? `%${a.zone}` : '';
  if (is4In6(a)) return `::ffff:${b[12]}.${b[13]}.${b[14]}.${b[15]}${zone}`;
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((b[i] << 8) | b[i + 1]);
  let zs = -1;
  let ze = -1;
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i >= 2 && j - i > ze - zs) {
      zs = i;
      ze = j;
    }
  }
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i === zs) {
      out += '::';
      i = ze - 1;
      continue;
    }
    if (i > 0 && i !== ze) out += ':';
    out += words[i].toString(16);
  }
  return out + zone;
}

export function addrEqual(a: Addr, b: Addr): boolean {
  if (a.bytes.length !== b.bytes.length || a.zone !== b.zone) return false;
  for (let i = 0; i < a.bytes.length; i++) if (a.bytes[i] !== b.bytes[i]) return false;
  return true;
}

const word0 = (a: Addr): number => (a.bytes[0] << 8) | a.bytes[1];

export function isUnspecified(a: Addr): boolean {
  return a.bytes.every((x) => x === 0);
}

export function isLoopback(a: Addr): boolean {
  if (is4(a)) return a.bytes[0] === 127;
  for (let i = 0; i < 15; i++) if (a.bytes[i] !== 0) return false;
  return a.bytes[15] === 1;
}

export function isMulticast(a: Addr): boolean {
  return is4(a) ? (a.bytes[0] & 0xf0) === 0xe0 : a.bytes[0] === 0xff;
}

export function isLinkLocalMulticast(a: Addr): boolean {
  if (is4(a)) return a.bytes[0] === 224 && a.bytes[1] === 0 && a.bytes[2] === 0;
  return (word0(a) & 0xff0f) === 0xff02;
}

export function isLinkLocalUnicast(a: Addr): boolean {
  if (is4(a)) return a.bytes[0] === 169 && a.bytes[1] === 254;
  return (word0(a) & 0xffc0) === 0xfe80;
}

export function isGlobalUnicast(a: Addr): boolean {
  if (is4(a) && (isUnspecified(a) || a.bytes.every((x) => x === 255))) return false;
  return !isUnspecified(a) && !isLoopback(a) && !isMulticast(a) && !isLinkLocalUnicast(a);
}

export interface Prefix {
  readonly addr: Addr;
  readonly bits: number;
}

export function parsePrefix(s: string): Prefix {
  const err = (msg: string): GoParseError => new GoParseError(`netip.ParsePrefix(${q(s)}): ${msg}`);
  const i = s.lastIndexOf('/');
  if (i < 0) throw err("no '/'");
  let addr: Addr;
  try {
    addr = parseAddr(s.slice(0, i));
  } catch (e) {
    throw err((e as Error).message);
  }
  if (!is4(addr) && addr.zone !== '') throw err('IPv6 zones cannot be present in a prefix');
  const bitsStr = s.slice(i + 1);
  if (bitsStr.length > 1 && (bitsStr[0] < '1' || bitsStr[0] > '9')) throw err(`bad bits after slash: ${q(bitsStr)}`);
  if (!/^[+-]?\d+$/.test(bitsStr)) throw err(`bad bits after slash: ${q(bitsStr)}`);
  const bits = Number(bitsStr);
  const max = is4(addr) ? 32 : 128;
  if (bits < 0 || bits > max) throw err('prefix length out of range');
  return { addr, bits };
}

export function masked(p: Prefix): Prefix {
  const out = new Uint8Array(p.addr.bytes);
  for (let i = 0; i < out.length; i++) {
    const keep = Math.max(0, Math.min(8, p.bits - i * 8));
    out[i] &= keep === 0 ? 0 : (0xff << (8 - keep)) & 0xff;
  }
  return { addr: { bytes: out, zone: '' }, bits: p.bits };
}

/** Go's Prefix.Contains: same family, no zone, and the first `bits` bits equal. */
export function prefixContains(p: Prefix, a: Addr): boolean {
  if (a.bytes.length !== p.addr.bytes.length || a.zone !== '') return false;
  const m = masked(p).addr.bytes;
  const x = masked({ addr: a, bits: p.bits }).addr.bytes;
  for (let i = 0; i < m.length; i++) if (m[i] !== x[i]) return false;
  return true;
}

export function prefixEqual(a: Prefix, b: Prefix): boolean {
  return a.bits === b.bits && addrEqual(a.addr, b.addr);
}

export function prefixString(p: Prefix): string {
  return `${addrString(p.addr)}/${p.bits}`;
}
