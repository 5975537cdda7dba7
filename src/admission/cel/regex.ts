/**
 * RE2 regular expressions (re2js), as cel-go and Kubernetes use Go's regexp: no look-around,
 * no backreferences, linear time. Compiled patterns are cached: policies reuse a handful of
 * patterns on every request.
 */
import { RE2JS } from 're2js';
import { CelEvalError } from './values.js';

const cache = new Map<string, RE2JS>();
const MAX_CACHED = 1000;

/** The compiled pattern; throws a CelEvalError (cel-go's wording) when it is not valid RE2. */
export function compileRe2(pattern: string): RE2JS {
  let re = cache.get(pattern);
  if (re !== undefined) return re;
  try {
    re = RE2JS.compile(pattern);
  } catch (err) {
    throw new CelEvalError(`Illegal regex: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
  cache.set(pattern, re);
  return re;
}

/** The compile error of a pattern, or undefined when it is valid (for literal checks at compile time). */
export function re2Error(pattern: string): string | undefined {
  try {
    RE2JS.compile(pattern);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/**
 * Go's FindAllString: successive non-overlapping matches; an empty match right after the
 * previous match is skipped. `limit` < 0 means all.
 */
export function findAll(re: RE2JS, s: string, limit: number): string[] {
  const out: string[] = [];
  if (limit === 0) return out;
  const m = re.matcher(s);
  let pos = 0;
  let prevEnd = -1;
  while (pos <= s.length && (limit < 0 || out.length < limit)) {
    if (!m.find(pos)) break;
    const start = m.start();
    const end = m.end();
    let accept = true;
    if (end === pos) {
      // An empty match here: skip it right after a match, and step one code point on.
      if (start === prevEnd) accept = false;
      const c = s.codePointAt(pos);
      pos += c === undefined ? 1 : c > 0xffff ? 2 : 1;
    } else {
      pos = end;
    }
    prevEnd = end;
    if (accept) out.push(s.slice(start, end));
  }
  return out;
}

/** Go's FindString: the leftmost match, or "" when there is none. */
export function findFirst(re: RE2JS, s: string): string {
  const m = re.matcher(s);
  return m.find() ? (m.group() ?? '') : '';
}
