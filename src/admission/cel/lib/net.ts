/**
 * Kubernetes' IP and CIDR libraries (k8s.io/apiserver/pkg/cel/library/{ip,cidr}.go):
 * `ip(s)`, `isIP(s)`, `ip.isCanonical(s)`, family and address-class predicates,
 * `cidr(s)`, `isCIDR(s)`, containsIP/containsCIDR, ip(), masked(), prefixLength(),
 * `string(...)`. IPv4-mapped IPv6 addresses and zones are refused, as upstream.
 */
import {
  addrEqual, addrString, is4, is4In6, isGlobalUnicast, isLinkLocalMulticast, isLinkLocalUnicast, isLoopback,
  isUnspecified, masked, parseAddr, parsePrefix, prefixContains, prefixEqual, prefixString, type Addr, type Prefix,
} from '../go/netip.js';
import type { Registry } from '../registry.js';
import { T } from '../types.js';
import { Opaque, fail } from '../values.js';

export class IPValue extends Opaque {
  readonly typeName = 'net.IP';
  constructor(readonly addr: Addr) {
    super();
  }
  equalTo(o: Opaque): boolean {
    return o instanceof IPValue && addrEqual(this.addr, o.addr);
  }
  override toString(): string {
    return addrString(this.addr);
  }
}

export class CIDRValue extends Opaque {
  readonly typeName = 'net.CIDR';
  constructor(readonly prefix: Prefix) {
    super();
  }
  equalTo(o: Opaque): boolean {
    return o instanceof CIDRValue && prefixEqual(this.prefix, o.prefix);
  }
  override toString(): string {
    return prefixString(this.prefix);
  }
}

const IP = T.opaque('net.IP');
const CIDR = T.opaque('net.CIDR');

function parseIP(raw: string): Addr {
  let addr: Addr;
  try {
    addr = parseAddr(raw);
  } catch (e) {
    return fail(`IP Address ${JSON.stringify(raw)} parse error during conversion from string: ${(e as Error).message}`);
  }
  if (addr.zone !== '') fail(`IP address ${JSON.stringify(raw)} with zone value is not allowed`);
  if (is4In6(addr)) fail(`IPv4-mapped IPv6 address ${JSON.stringify(raw)} is not allowed`);
  return addr;
}

function parseCIDR(raw: string): Prefix {
  let p: Prefix;
  try {
    p = parsePrefix(raw);
  } catch (e) {
    return fail(`network address parse error during conversion from string: network address parse error during conversion from string: ${(e as Error).message}`);
  }
  if (is4In6(p.addr)) fail(`network address parse error during conversion from string: IPv4-mapped IPv6 address ${JSON.stringify(raw)} is not allowed`);
  return p;
}

const ok = (f: () => unknown): boolean => {
  try {
    f();
    return true;
  } catch {
    return false;
  }
};

function containsCIDR(c: CIDRValue, other: CIDRValue): boolean {
  const a = masked(c.prefix);
  const b = masked({ addr: other.prefix.addr, bits: c.prefix.bits });
  return prefixEqual(a, b) && c.prefix.bits <= other.prefix.bits;
}

export function registerNet(reg: Registry): void {
  reg.fn('ip', [T.string], IP, (s: string) => new IPValue(parseIP(s)));
  reg.fn('isIP', [T.string], T.bool, (s: string) => ok(() => parseIP(s)));
  reg.fn('ip.isCanonical', [T.string], T.bool, (s: string) => addrString(parseIP(s)) === s);
  reg.method('family', IP, [], T.int, (ip: IPValue) => (is4(ip.addr) ? 4n : 6n));
  reg.method('isUnspecified', IP, [], T.bool, (ip: IPValue) => isUnspecified(ip.addr));
  reg.method('isLoopback', IP, [], T.bool, (ip: IPValue) => isLoopback(ip.addr));
  reg.method('isLinkLocalMulticast', IP, [], T.bool, (ip: IPValue) => isLinkLocalMulticast(ip.addr));
  reg.method('isLinkLocalUnicast', IP, [], T.bool, (ip: IPValue) => isLinkLocalUnicast(ip.addr));
  reg.method('isGlobalUnicast', IP, [], T.bool, (ip: IPValue) => isGlobalUnicast(ip.addr));
  reg.fn('string', [IP], T.string, (ip: IPValue) => addrString(ip.addr));

  reg.fn('cidr', [T.string], CIDR, (s: string) => new CIDRValue(parseCIDR(s)));
  reg.fn('isCIDR', [T.string], T.bool, (s: string) => ok(() => parseCIDR(s)));
  reg.method('containsIP', CIDR, [T.string], T.bool, (c: CIDRValue, s: string) => prefixContains(c.prefix, parseIP(s)));
  reg.method('containsIP', CIDR, [IP], T.bool, (c: CIDRValue, ip: IPValue) => prefixContains(c.prefix, ip.addr));
  reg.method('containsCIDR', CIDR, [T.string], T.bool, (c: CIDRValue, s: string) => containsCIDR(c, new CIDRValue(parseCIDR(s))));
  reg.method('containsCIDR', CIDR, [CIDR], T.bool, containsCIDR);
  reg.method('ip', CIDR, [], IP, (c: CIDRValue) => new IPValue(c.prefix.addr));
  reg.method('prefixLength', CIDR, [], T.int, (c: CIDRValue) => BigInt(c.prefix.bits));
  reg.method('masked', CIDR, [], CIDR, (c: CIDRValue) => new CIDRValue(masked(c.prefix)));
  reg.fn('string', [CIDR], T.string, (c: CIDRValue) => prefixString(c.prefix));
}
