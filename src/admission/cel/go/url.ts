/**
 * The parts of Go's net/url that Kubernetes' url()/isURL() and the `uri` format expose:
 * Parse, ParseRequestURI (absolute URI or absolute path), Hostname, Port, EscapedPath and
 * Query, with Go's error messages (`parse "x": invalid URI for request`).
 */

export class UrlError extends Error {}

export interface GoUrl {
  scheme: string;
  opaque: string;
  user: string | undefined;
  host: string;
  path: string;
  rawPath: string;
  rawQuery: string;
  fragment: string;
}

const wrap = (raw: string, msg: string): UrlError => new UrlError(`parse ${JSON.stringify(raw)}: ${msg}`);

export function parseRequestURI(raw: string): GoUrl {
  try {
    return parse(raw, true);
  } catch (e) {
    throw wrap(raw, (e as Error).message);
  }
}

export function parseUrl(raw: string): GoUrl {
  const hash = raw.indexOf('#');
  const u = hash === -1 ? raw : raw.slice(0, hash);
  let url: GoUrl;
  try {
    url = parse(u, false);
  } catch (e) {
    throw wrap(u, (e as Error).message);
  }
  if (hash !== -1) {
    try {
      url.fragment = unescape(raw.slice(hash + 1), 'fragment');
    } catch (e) {
      throw wrap(raw, (e as Error).message);
    }
  }
  return url;
}

function parse(raw: string, viaRequest: boolean): GoUrl {
  if (/[\x00-\x1f\x7f]/.test(raw)) throw new Error('net/url: invalid control character in URL');
  if (raw === '' && viaRequest) throw new Error('empty url');
  const url: GoUrl = { scheme: '', opaque: '', user: undefined, host: '', path: '', rawPath: '', rawQuery: '', fragment: '' };
  if (raw === '*') {
    url.path = '*';
    return url;
  }
  let [scheme, rest] = getScheme(raw);
  url.scheme = scheme.toLowerCase();
  if (rest.endsWith('?') && rest.split('?').length === 2) {
    rest = rest.slice(0, -1);
  } else {
    const q = rest.indexOf('?');
    if (q !== -1) {
      url.rawQuery = rest.slice(q + 1);
      rest = rest.slice(0, q);
    }
  }
  if (!rest.startsWith('/')) {
    if (url.scheme !== '') {
      url.opaque = rest;
      return url;
    }
    if (viaRequest) throw new Error('invalid URI for request');
    const seg = rest.split('/')[0];
    if (seg.includes(':')) throw new Error('first path segment in URL cannot contain colon');
  }
  if ((url.scheme !== '' || (!viaRequest && !rest.startsWith('///'))) && rest.startsWith('//')) {
    let authority = rest.slice(2);
    rest = '';
    const slash = authority.indexOf('/');
    if (slash >= 0) {
      rest = authority.slice(slash);
      authority = authority.slice(0, slash);
    }
    const at = authority.lastIndexOf('@');
    url.host = parseHost(at < 0 ? authority : authority.slice(at + 1));
    if (at >= 0) {
      const userinfo = authority.slice(0, at);
      if (!/^[A-Za-z0-9\-._~!$&'()*+,;=:%@]*$/.test(userinfo)) throw new Error('net/url: invalid userinfo');
      url.user = userinfo;
    }
  }
  url.path = unescape(rest, 'path');
  url.rawPath = escape(url.path, 'path') === rest ? '' : rest;
  return url;
}

function getScheme(raw: string): [string, string] {
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (/[a-zA-Z]/.test(c)) continue;
    if (/[0-9+\-.]/.test(c)) {
      if (i === 0) return ['', raw];
      continue;
    }
    if (c === ':') {
      if (i === 0) throw new Error('missing protocol scheme');
      return [raw.slice(0, i), raw.slice(i + 1)];
    }
    return ['', raw];
  }
  return ['', raw];
}

function validOptionalPort(port: string): boolean {
  if (port === '') return true;
  return port[0] === ':' && /^[0-9]*$/.test(port.slice(1));
}

function parseHost(host: string): string {
  if (host.startsWith('[')) {
    const i = host.lastIndexOf(']');
    if (i < 0) throw new Error("missing ']' in host");
    const colonPort = host.slice(i + 1);
    if (!validOptionalPort(colonPort)) throw new Error(`invalid port ${JSON.stringify(colonPort)} after host`);
  } else {
    const i = host.lastIndexOf(':');
    if (i !== -1) {
      const colonPort = host.slice(i);
      if (!validOptionalPort(colonPort)) throw new Error(`invalid port ${JSON.stringify(colonPort)} after host`);
    }
  }
  return unescape(host, 'host');
}

type Mode = 'path' | 'host' | 'query' | 'fragment';

function isUnreserved(c: string): boolean {
  return /[A-Za-z0-9\-_.~]/.test(c);
}

/** Go's shouldEscape for the modes we need (ASCII characters). */
function shouldEscape(c: string, mode: Mode): boolean {
  if (isUnreserved(c)) return false;
  if (mode === 'host') return !`!$&'()*+,;=:[]<>"`.includes(c);
  switch (c) {
    case '$': case '&': case '+': case ',': case '/': case ':': case ';': case '=': case '?': case '@':
      if (mode === 'path') return c === '?';
      if (mode === 'query') return true;
      return false;
    default:
      break;
  }
  if (mode === 'fragment') return !`!()*`.includes(c);
  return true;
}

function unescape(s: string, mode: Mode): string {
  const bytes: number[] = [];
  const enc = new TextEncoder();
  for (let i = 0; i < s.length; ) {
    const c = s[i];
    if (c === '%') {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) {
        const bad = s.slice(i, i + 3);
        throw new Error(`invalid URL escape ${JSON.stringify(bad)}`);
      }
      bytes.push(parseInt(hex, 16));
      i += 3;
      continue;
    }
    if (mode === 'host' && c.charCodeAt(0) < 0x80 && shouldEscape(c, mode)) {
      throw new Error(`invalid character ${JSON.stringify(c)} in host name`);
    }
    if (mode === 'query' && c === '+') {
      bytes.push(0x20);
      i++;
      continue;
    }
    const cp = s.codePointAt(i) as number;
    const len = cp > 0xffff ? 2 : 1;
    for (const b of enc.encode(s.slice(i, i + len))) bytes.push(b);
    i += len;
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

function escape(s: string, mode: Mode): string {
  let out = '';
  for (const b of new TextEncoder().encode(s)) {
    const c = String.fromCharCode(b);
    if (b < 0x80 && !shouldEscape(c, mode)) out += c;
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function splitHostPort(hostPort: string): [string, string] {
  let host = hostPort;
  let port = '';
  const colon = host.lastIndexOf(':');
  if (colon !== -1 && validOptionalPort(host.slice(colon))) {
    port = host.slice(colon + 1);
    host = host.slice(0, colon);
  }
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return [host, port];
}

export const hostname = (u: GoUrl): string => splitHostPort(u.host)[0];
export const port = (u: GoUrl): string => splitHostPort(u.host)[1];

function validEncoded(s: string): boolean {
  for (const c of s) {
    if (`!$&'()*+,;=:@[]`.includes(c) || c === '%') continue;
    if (c.charCodeAt(0) >= 0x80 || shouldEscape(c, 'path')) return false;
  }
  return true;
}

export function escapedPath(u: GoUrl): string {
  if (u.rawPath !== '' && validEncoded(u.rawPath)) {
    try {
      if (unescape(u.rawPath, 'path') === u.path) return u.rawPath;
    } catch {
      // fall through to escaping the decoded path
    }
  }
  if (u.path === '*') return '*';
  return escape(u.path, 'path');
}

/** Go's ParseQuery (entries with bad escapes or semicolons are dropped, as Query() does). */
export function query(u: GoUrl): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of u.rawQuery.split('&')) {
    if (part === '' || part.includes(';')) continue;
    const eq = part.indexOf('=');
    const rawKey = eq === -1 ? part : part.slice(0, eq);
    const rawVal = eq === -1 ? '' : part.slice(eq + 1);
    let key: string;
    let val: string;
    try {
      key = unescape(rawKey, 'query');
      val = unescape(rawVal, 'query');
    } catch {
      continue;
    }
    const list = out.get(key);
    if (list) list.push(val);
    else out.set(key, [val]);
  }
  return out;
}
