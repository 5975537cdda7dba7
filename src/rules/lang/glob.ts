/**
 * fnmatch(3) with flags 0 (what `glob` uses) or FNM_CASEFOLD (`iglob`): no FNM_PATHNAME, so
 * `*` and `?` cross `/`; `[...]` classes with `!`/`^` negation, ranges and `[:alpha:]`-style
 * names; backslash escapes. Written as a matcher over the pattern text (never a RegExp built
 * from user input): one backtrack point for the last `*`, so the work is O(pattern × text).
 */

const POSIX_CLASSES: Record<string, (c: number) => boolean> = {
  alpha: (c) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122),
  digit: (c) => c >= 48 && c <= 57,
  alnum: (c) => POSIX_CLASSES.alpha!(c) || POSIX_CLASSES.digit!(c),
  upper: (c) => c >= 65 && c <= 90,
  lower: (c) => c >= 97 && c <= 122,
  space: (c) => c === 32 || (c >= 9 && c <= 13),
  blank: (c) => c === 32 || c === 9,
  punct: (c) => (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126),
  xdigit: (c) => POSIX_CLASSES.digit!(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102),
  cntrl: (c) => c < 32 || c === 127,
  print: (c) => c >= 32 && c < 127,
  graph: (c) => c > 32 && c < 127,
};

const lowerAscii = (c: number) => (c >= 65 && c <= 90 ? c + 32 : c);

/**
 * Matches one bracket expression starting at `p` (just after `[`) against char code `c`.
 * Returns the index after `]` and whether it matched, or undefined when the bracket is not
 * closed (then `[` is an ordinary character, as in glibc).
 */
function matchBracket(pattern: string, p: number, c: number, fold: boolean): { next: number; matched: boolean } | undefined {
  let i = p;
  let negate = false;
  if (pattern[i] === '!' || pattern[i] === '^') {
    negate = true;
    i++;
  }
  let matched = false;
  let first = true;
  const cc = fold ? lowerAscii(c) : c;
  while (i < pattern.length) {
    let ch = pattern[i]!;
    if (ch === ']' && !first) return { next: i + 1, matched: matched !== negate };
    first = false;
    if (ch === '[' && pattern[i + 1] === ':') {
      const close = pattern.indexOf(':]', i + 2);
      const test = close > 0 ? POSIX_CLASSES[pattern.slice(i + 2, close)] : undefined;
      if (test) {
        if (test(c) || (fold && (test(lowerAscii(c)) || test(c >= 97 && c <= 122 ? c - 32 : c)))) matched = true;
        i = close + 2;
        continue;
      }
    }
    if (ch === '\\' && i + 1 < pattern.length) ch = pattern[++i]!;
    let lo = ch.charCodeAt(0);
    i++;
    let hi = lo;
    if (pattern[i] === '-' && i + 1 < pattern.length && pattern[i + 1] !== ']') {
      let end = pattern[i + 1]!;
      i += 2;
      if (end === '\\' && i < pattern.length) end = pattern[i++]!;
      hi = end.charCodeAt(0);
    }
    if (fold) {
      lo = lowerAscii(lo);
      hi = lowerAscii(hi);
    }
    if (cc >= lo && cc <= hi) matched = true;
  }
  return undefined;
}

/** fnmatch(pattern, text, fold ? FNM_CASEFOLD : 0) === 0 */
export function fnmatch(pattern: string, text: string, fold = false): boolean {
  let p = 0;
  let t = 0;
  let starP = -1;
  let starT = 0;
  const plen = pattern.length;
  const tlen = text.length;
  while (t < tlen) {
    if (p < plen) {
      const pc = pattern[p]!;
      if (pc === '*') {
        starP = ++p;
        starT = t;
        continue;
      }
      const c = text.charCodeAt(t);
      if (pc === '?') {
        p++;
        t++;
        continue;
      }
      if (pc === '[') {
        const r = matchBracket(pattern, p + 1, c, fold);
        if (r) {
          if (r.matched) {
            p = r.next;
            t++;
            continue;
          }
        } else if (c === 91) {
          p++;
          t++;
          continue;
        }
      } else {
        let lit = pc;
        let width = 1;
        if (pc === '\\' && p + 1 < plen) {
          lit = pattern[p + 1]!;
          width = 2;
        }
        const lc = lit.charCodeAt(0);
        if (lc === c || (fold && lowerAscii(lc) === lowerAscii(c))) {
          p += width;
          t++;
          continue;
        }
      }
    }
    // Mismatch: let the last `*` swallow one more character, or fail.
    if (starP < 0) return false;
    p = starP;
    t = ++starT;
  }
  while (p < plen && pattern[p] === '*') p++;
  return p === plen;
}
