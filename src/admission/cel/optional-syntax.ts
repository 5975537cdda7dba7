/**
 * @bufbuild/cel's parser does not accept CEL's optional syntax (`a.?b`, `a[?k]`, `[?x]`,
 * `{?k: v}`). Rather than fork its grammar, the few places where `?` marks an optional are
 * rewritten into ordinary syntax the parser accepts, with markers that ast.ts turns back
 * into optional nodes:
 *
 *   a.?b      →  a.__palisade_opt__b
 *   a[?k]     →  a[__palisade_optarg__(k)]
 *   [?x, y]   →  [__palisade_optarg__(x), y]
 *   {?k: v}   →  {__palisade_optarg__(k): v}
 *
 * A `?` is an optional marker exactly when it follows `.`, `[`, `{` or a `,` inside a list
 * or map literal; everywhere else it is the ternary operator. Offsets are kept so that parse
 * errors still point into the text the user wrote.
 */

export const OPT_SELECT_PREFIX = '__palisade_opt__';
export const OPT_ARG_FN = '__palisade_optarg__';

export interface Rewritten {
  text: string;
  /** For each offset of `text`, the offset in the original (one extra entry for the end). */
  origin: number[];
}

interface Bracket {
  ch: '(' | '[' | '{';
  /** An optional marker was opened at this depth and its `)` is still to be written. */
  open: boolean;
  /** Ternary `?` seen inside the current element/key, whose `:` is not a map-entry colon. */
  ternaries: number;
}

export function rewriteOptionalSyntax(src: string): Rewritten {
  if (!src.includes('?')) return identity(src);
  let out = '';
  const origin: number[] = [];
  const emit = (s: string, at: number): void => {
    for (let k = 0; k < s.length; k++) origin.push(at);
    out += s;
  };
  const stack: Bracket[] = [];
  /** The last significant character emitted (outside strings/comments). */
  let prev = '';
  let i = 0;
  const n = src.length;
  const closeOptional = (at: number): void => {
    const top = stack[stack.length - 1];
    if (top !== undefined && top.open) {
      emit(')', at);
      top.open = false;
    }
  };
  while (i < n) {
    const c = src[i];
    // Comments run to the end of the line.
    if (c === '/' && src[i + 1] === '/') {
      const end = src.indexOf('\n', i);
      const stop = end === -1 ? n : end;
      for (; i < stop; i++) emit(src[i], i);
      continue;
    }
    // String and bytes literals, with any r/b prefix, copied verbatim.
    const lit = literalLength(src, i);
    if (lit > 0) {
      for (let k = 0; k < lit; k++) emit(src[i + k], i + k);
      i += lit;
      prev = '"';
      continue;
    }
    if (c === '?') {
      const top = stack[stack.length - 1];
      if (prev === '.') {
        emit(OPT_SELECT_PREFIX, i);
        i++;
        skipSpaceAfterMarker();
        continue;
      }
      const inLiteral = top !== undefined && (top.ch === '[' || top.ch === '{');
      if (prev === '[' || prev === '{' || (prev === ',' && inLiteral)) {
        emit(`${OPT_ARG_FN}(`, i);
        if (top !== undefined) top.open = true;
        i++;
        prev = '(';
        continue;
      }
      if (top !== undefined) top.ternaries++;
      emit(c, i);
      prev = c;
      i++;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') {
      stack.push({ ch: c, open: false, ternaries: 0 });
    } else if (c === ')' || c === ']' || c === '}') {
      closeOptional(i);
      stack.pop();
    } else if (c === ',') {
      closeOptional(i);
      const top = stack[stack.length - 1];
      if (top !== undefined) top.ternaries = 0;
    } else if (c === ':') {
      const top = stack[stack.length - 1];
      if (top !== undefined && top.ternaries > 0) top.ternaries--;
      else if (top !== undefined && top.ch === '{') closeOptional(i);
    }
    emit(c, i);
    if (!/\s/.test(c)) prev = c;
    i++;
  }
  origin.push(n);
  return { text: out, origin };

  function skipSpaceAfterMarker(): void {
    // `a.? b` is not valid CEL either; keep the text as is so the parser reports it.
    prev = 'x';
  }
}

function identity(src: string): Rewritten {
  const origin = new Array<number>(src.length + 1);
  for (let i = 0; i <= src.length; i++) origin[i] = i;
  return { text: src, origin };
}

/** Length of a string/bytes literal starting at i (with r/b prefixes), or 0. */
function literalLength(src: string, i: number): number {
  let j = i;
  // Prefixes only count when they start a token (not the end of an identifier like `ab'`).
  if (i > 0 && /[A-Za-z0-9_]/.test(src[i - 1])) return 0;
  let raw = false;
  while (j < src.length && j - i < 2 && /[rRbB]/.test(src[j])) {
    if (src[j] === 'r' || src[j] === 'R') raw = true;
    j++;
  }
  const q = src[j];
  if (q !== '"' && q !== "'") return 0;
  const triple = src.startsWith(q.repeat(3), j);
  const close = triple ? q.repeat(3) : q;
  let k = j + close.length;
  while (k < src.length) {
    if (!raw && src[k] === '\\') {
      k += 2;
      continue;
    }
    if (src.startsWith(close, k)) return k + close.length - i;
    if (!triple && src[k] === '\n') break;
    k++;
  }
  // Unterminated: let the parser report it.
  return src.length - i;
}

/** Maps an offset in rewritten text back to the user's text. */
export function originalOffset(r: Rewritten, offset: number): number {
  if (offset < 0) return 0;
  return r.origin[Math.min(offset, r.origin.length - 1)];
}
