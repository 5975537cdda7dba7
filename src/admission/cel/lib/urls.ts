/**
 * Kubernetes' URL library (k8s.io/apiserver/pkg/cel/library/urls.go): `url(s)` accepts an
 * absolute URI or an absolute path (Go's ParseRequestURI, then Parse so a #fragment is not
 * glued onto the path or query), `isURL(s)`, and getScheme, getHost, getHostname, getPort,
 * getEscapedPath, getQuery.
 */
import { escapedPath, hostname, parseRequestURI, parseUrl, port, query, type GoUrl } from '../go/url.js';
import type { Registry } from '../registry.js';
import { T } from '../types.js';
import { Opaque, fail, type MapKey, type Value } from '../values.js';

export class URLValue extends Opaque {
  readonly typeName = 'kubernetes.URL';
  constructor(readonly raw: string, readonly url: GoUrl) {
    super();
  }
  equalTo(o: Opaque): boolean {
    return o instanceof URLValue && o.raw === this.raw;
  }
  override toString(): string {
    return this.raw;
  }
}

const U = T.opaque('kubernetes.URL');

function toUrl(s: string): URLValue {
  try {
    parseRequestURI(s);
    return new URLValue(s, parseUrl(s));
  } catch (e) {
    return fail(`URL parse error during conversion from string: ${(e as Error).message}`);
  }
}

export function registerUrls(reg: Registry): void {
  reg.fn('url', [T.string], U, toUrl);
  reg.fn('isURL', [T.string], T.bool, (s: string) => {
    try {
      parseRequestURI(s);
      return true;
    } catch {
      return false;
    }
  });
  reg.method('getScheme', U, [], T.string, (u: URLValue) => u.url.scheme);
  reg.method('getHost', U, [], T.string, (u: URLValue) => u.url.host);
  reg.method('getHostname', U, [], T.string, (u: URLValue) => hostname(u.url));
  reg.method('getPort', U, [], T.string, (u: URLValue) => port(u.url));
  reg.method('getEscapedPath', U, [], T.string, (u: URLValue) => escapedPath(u.url));
  reg.method('getQuery', U, [], T.map(T.string, T.list(T.string)), (u: URLValue) => {
    const m = new Map<MapKey, Value>();
    for (const [k, v] of query(u.url)) m.set(k, v);
    return m;
  });
}
