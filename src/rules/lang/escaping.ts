/**
 * String escapes of the condition language (libs `filter/escaping.cpp`): how a quoted token
 * becomes a value, and how a value is written back when the AST is printed.
 */

/** Thrown for a bad escape; the parser turns it into a ConditionSyntaxError at the token. */
export class EscapeError extends Error {}

const HEX_DIGIT = /^[0-9a-fA-F]$/;

/**
 * Decodes a quoted token, delimiters included (`"a\tb"`). Each quote kind may only escape
 * itself; `\ ` survives from old rules files and stands for a backslash.
 */
export function unescapeQuoted(token: string): string {
  const delimiter = token[0];
  let out = '';
  const end = token.length - 1;
  for (let i = 1; i < end; i++) {
    const c = token[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = token[++i];
    switch (e) {
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case ' ':
      case '\\': out += '\\'; break;
      case '/': out += '/'; break;
      case '"':
        if (delimiter !== '"') throw new EscapeError(`invalid \\" escape in '-quoted string`);
        out += '"';
        break;
      case "'":
        if (delimiter !== "'") throw new EscapeError(`invalid \\' escape in "-quoted string`);
        out += "'";
        break;
      case 'x': {
        const h1 = token[i + 1];
        const h2 = token[i + 2];
        if (i + 2 < end && HEX_DIGIT.test(h1 ?? '') && HEX_DIGIT.test(h2 ?? '')) {
          out += String.fromCharCode(parseInt(h1! + h2!, 16));
          i += 2;
          break;
        }
        throw new EscapeError('unsupported string escape sequence: \\x');
      }
      default:
        throw new EscapeError(`unsupported string escape sequence: \\${e ?? ''}`);
    }
  }
  return out;
}

/**
 * Writes a value as libs' `escape_str` does: unchanged unless it holds a blank, a quote or a
 * backslash, in which case it is double-quoted with C escapes (a single quote stays as is).
 */
export function escapeValue(value: string): string {
  let out = '';
  let quote = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    switch (c) {
      case '\b': quote = true; out += '\\b'; break;
      case '\f': quote = true; out += '\\f'; break;
      case '\n': quote = true; out += '\\n'; break;
      case '\r': quote = true; out += '\\r'; break;
      case '\t': quote = true; out += '\\t'; break;
      case ' ': quote = true; out += ' '; break;
      case '\\': quote = true; out += '\\\\'; break;
      case '"': quote = true; out += '\\"'; break;
      case "'": quote = true; out += "'"; break;
      default: out += c;
    }
  }
  return quote ? `"${out}"` : out;
}
