/**
 * Lexing of one `%` token's field part, as libsinsp's parser does it for formats
 * (`parse_field_or_transformer`): FieldName, then an optional `[arg]` right after it.
 */

/** What one parse of the text at a position gives. */
export interface FieldTokenParse {
  field: string;
  arg?: string;
  /** Index just past the token (past `]` when there is an argument). */
  end: number;
  /** Index just past the field name. */
  nameEnd: number;
}

const isLetter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isNameChar = (c: number): boolean => isLetter(c) || isDigit(c) || c === 95;

/**
 * End of the greedy FieldName match `[a-zA-Z]+[a-zA-Z0-9_]*(\.[a-zA-Z]+[a-zA-Z0-9_]*)+` at
 * `start`, looking no further than `limit`; -1 when there is none.
 */
export function fieldNameEnd(text: string, start: number, limit = text.length): number {
  let i = start;
  if (i >= limit || !isLetter(text.charCodeAt(i))) return -1;
  while (i < limit && isNameChar(text.charCodeAt(i))) i++;
  let segments = 1;
  while (i + 1 < limit && text.charCodeAt(i) === 46 && isLetter(text.charCodeAt(i + 1))) {
    i += 2;
    while (i < limit && isNameChar(text.charCodeAt(i))) i++;
    segments++;
  }
  return segments >= 2 ? i : -1;
}

const SIMPLE_ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', '\\': '\\', '/': '/', '"': '"', "'": "'" };

function unquote(body: string): string {
  return body.replace(/\\(x[0-9a-fA-F]{2}|.)/g, (whole, esc: string) =>
    esc.length === 3 ? String.fromCharCode(parseInt(esc.slice(1), 16)) : (SIMPLE_ESCAPES[esc] ?? whole),
  );
}

/** `[arg]` at `start` (which holds `[`); the argument and the index past `]`, or undefined when malformed. */
function bracketArg(text: string, start: number): { arg: string; end: number } | undefined {
  let i = start + 1;
  const c = text[i];
  let arg: string;
  if (c === '"' || c === "'") {
    // The parser closes a quoted string at the first delimiter not preceded by a backslash.
    let j = i + 1;
    while (j < text.length && !(text[j] === c && text[j - 1] !== '\\')) j++;
    if (j >= text.length) return undefined;
    arg = unquote(text.slice(i + 1, j));
    i = j + 1;
  } else {
    const from = i;
    while (i < text.length && !/[\][\s"']/.test(text[i])) i++;
    if (i === from) return undefined;
    arg = text.slice(from, i);
  }
  return text[i] === ']' ? { arg, end: i + 1 } : undefined;
}

/** The field token at `start`, or undefined when no FieldName starts there. */
export function parseFieldToken(text: string, start: number): FieldTokenParse | undefined {
  const nameEnd = fieldNameEnd(text, start);
  if (nameEnd < 0) return undefined;
  const field = text.slice(start, nameEnd);
  if (text[nameEnd] === '[') {
    const b = bracketArg(text, nameEnd);
    if (b) return { field, arg: b.arg, end: b.end, nameEnd };
  }
  return { field, end: nameEnd, nameEnd };
}

/** Transformers the format parser recognises (`lex_field_transformer_type`: name immediately followed by `(`). */
export const OUTPUT_TRANSFORMERS = ['tolower', 'toupper', 'b64', 'basename', 'len', 'join', 'concat', 'getopt'] as const;

/** The transformer name when a transformer call starts at `start`. */
export function transformerAt(text: string, start: number): string | undefined {
  for (const name of OUTPUT_TRANSFORMERS) {
    if (text.startsWith(name, start) && text[start + name.length] === '(') return name;
  }
  return undefined;
}

/** The key libsinsp gives a field token (ast::as_string of the field): `name` or `name[arg]`. */
export function fieldKey(field: string, arg?: string): string {
  return arg === undefined ? field : `${field}[${arg}]`;
}
