/**
 * IPv4 and IPv6 addresses and CIDR blocks (as Go's net.ParseIP / net.ParseCIDR read them, which
 * is what the API server validates NetworkPolicy ipBlocks with), and sets of address ranges for
 * saying which addresses an ipBlock admits.
 */
export type Family = 4 | 6;

export interface Ip {
  family: Family;
  value: bigint;
}

export interface Cidr {
  family: Family;
  /** The network address (host bits cleared). */
  first: bigint;
  last: bigint;
  prefix: number;
  /** As written. */
  text: string;
  /** The address had bits set below the prefix (10.0.0.1/8): Kubernetes reads it as the network. */
  hostBitsSet: boolean;
}

const WIDTH: Record<Family, number> = { 4: 32, 6: 128 };

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let v = 0n;
  for (const p of parts) {
    // Go rejects leading zeros (ambiguous octal) since 1.17.
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    v = (v << 8n) | BigInt(n);
  }
  return v;
}

function parseIpv6(text: string): bigint | undefined {
  if (text.includes('%')) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    const parts = s.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIpv4(p);
        if (v4 === undefined) return undefined;
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
        continue;
      }
      if (!/^[0-9A-Fa-f]{1,4}$/.test(p)) return undefined;
      out.push(parseInt(p, 16));
    }
    return out;
  };
  const head = groupsOf(halves[0]);
  const tail = halves.length === 2 ? groupsOf(halves[1]) : [];
  if (!head || !tail) return undefined;
  let groups: number[];
  if (halves.length === 2) {
    const fill = 8 - head.length - tail.length;
    if (fill < 1) return undefined;
    groups = [...head, ...new Array<number>(fill).fill(0), ...tail];
  } else {
    if (head.length !== 8) return undefined;
    groups = head;
  }
  let v = 0n;
  for (const g of groups) v = (v << 16n) | BigInt(g);
  return v;
}

export function parseIp(text: string): Ip | undefined {
  if (typeof text !== 'string') return undefined;
  if (text.includes(':')) {
    const v = parseIpv6(text);
    return v === undefined ? undefined : { family: 6, value: v };
  }
  const v = parseIpv4(text);
  return v === undefined ? undefined : { family: 4, value: v };
}

/** A CIDR, or a sentence saying why the text is not one. */
export function parseCidr(text: unknown): Cidr | string {
  if (typeof text !== 'string') return `must be a CIDR string such as 10.0.0.0/16, not ${text === null ? 'null' : typeof text}`;
  const slash = text.indexOf('/');
  if (slash === -1) return `${JSON.stringify(text)} is not a CIDR (no /prefix length; a single address is written 10.1.2.3/32)`;
  const ip = parseIp(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (!ip) return `${JSON.stringify(text)} is not a CIDR (${JSON.stringify(text.slice(0, slash))} is not an IP address)`;
  const width = WIDTH[ip.family];
  if (!/^(0|[1-9][0-9]{0,2})$/.test(prefixText) || Number(prefixText) > width) {
    return `${JSON.stringify(text)} is not a CIDR (prefix length must be 0 to ${width})`;
  }
  const prefix = Number(prefixText);
  const hostBits = BigInt(width - prefix);
  const first = (ip.value >> hostBits) << hostBits;
  const last = first + (1n << hostBits) - 1n;
  return { family: ip.family, first, last, prefix, text, hostBitsSet: first !== ip.value };
}

export function cidrContains(c: Cidr, ip: Ip): boolean {
  return c.family === ip.family && ip.value >= c.first && ip.value <= c.last;
}

/** `inner` lies inside `outer` and is smaller (the API server's rule for ipBlock.except). */
export function strictSubset(inner: Cidr, outer: Cidr): boolean {
  return inner.family === outer.family && inner.first >= outer.first && inner.last <= outer.last && inner.prefix > outer.prefix;
}

export function formatIp(ip: Ip): string {
  if (ip.family === 4) {
    const v = ip.value;
    return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 0xffn)).join('.');
  }
  const groups: number[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(Number((ip.value >> s) & 0xffffn));
  // Longest run of zero groups (two or more) becomes '::'.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best === -1) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** A set of addresses of one family as sorted, disjoint, non-adjacent inclusive ranges. */
export interface Range {
  family: Family;
  lo: bigint;
  hi: bigint;
}

export function rangeOf(c: Cidr): Range {
  return { family: c.family, lo: c.first, hi: c.last };
}

/** `from` minus every range of `minus` (any family). */
export function subtract(from: readonly Range[], minus: readonly Range[]): Range[] {
  let cur = [...from];
  for (const m of minus) {
    const next: Range[] = [];
    for (const r of cur) {
      if (r.family !== m.family || m.hi < r.lo || m.lo > r.hi) { next.push(r); continue; }
      if (m.lo > r.lo) next.push({ family: r.family, lo: r.lo, hi: m.lo - 1n });
      if (m.hi < r.hi) next.push({ family: r.family, lo: m.hi + 1n, hi: r.hi });
    }
    cur = next;
  }
  return cur;
}

/** Sorted and merged. */
export function normalize(ranges: readonly Range[]): Range[] {
  const s = [...ranges].sort((a, b) => a.family - b.family || (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
  const out: Range[] = [];
  for (const r of s) {
    const last = out[out.length - 1];
    if (last && last.family === r.family && r.lo <= last.hi + 1n) {
      if (r.hi > last.hi) last.hi = r.hi;
    } else out.push({ ...r });
  }
  return out;
}

/** "10.0.0.0/8", or "10.0.0.5-10.0.0.9" when the range is not one CIDR. */
export function formatRange(r: Range): string {
  const size = r.hi - r.lo + 1n;
  const width = BigInt(WIDTH[r.family]);
  // A power of two aligned on its size is a CIDR.
  if ((size & (size - 1n)) === 0n && r.lo % size === 0n) {
    let bits = 0n;
    while ((1n << bits) < size) bits++;
    return `${formatIp({ family: r.family, value: r.lo })}/${width - bits}`;
  }
  return `${formatIp({ family: r.family, value: r.lo })}-${formatIp({ family: r.family, value: r.hi })}`;
}

/**
 * Address blocks that are never the public internet: RFC 1918 and 6598 private space,
 * loopback, link-local, multicast, reserved, and their IPv6 counterparts (ULA, link-local).
 */
const NON_PUBLIC = [
  '0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12',
  '192.0.0.0/24', '192.168.0.0/16', '198.18.0.0/15', '224.0.0.0/4', '240.0.0.0/4',
  '::/128', '::1/128', 'fc00::/7', 'fe80::/10', 'ff00::/8',
].map((t) => rangeOf(parseCidr(t) as Cidr));

/** The part of `ranges` that is public internet address space. */
export function publicPart(ranges: readonly Range[]): Range[] {
  return subtract(ranges, NON_PUBLIC);
}
