/**
 * How libsinsp prints an extracted value: `tostring` for the text line, `tojson` for
 * `output_fields` (sinsp_filtercheck.cpp: rawval_to_string / rawval_to_json).
 */
import type { Extracted, FieldType, FieldValue, OutputFieldValue } from '../types.js';

export const NOT_AVAILABLE = '<NA>';

/** libsinsp renders list values into a 1024-byte buffer with strlcpy: at most 1023 bytes survive. */
const LIST_TEXT_MAX_BYTES = 1023;

function bytesToText(bytes: Uint8Array): string {
  // Printable ASCII as is, anything else as '.', like binary_buffer_to_string in normal mode.
  let out = '';
  for (const b of bytes) out += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
  return out;
}

function scalarText(value: FieldValue, type: FieldType): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (type === 'bool') return value !== 0 ? 'true' : 'false';
      // PT_DOUBLE prints with "%.1lf"; every other numeric type is an integer.
      if (type === 'double') return value.toFixed(1);
      return Number.isInteger(value) ? value.toFixed(0) : String(value);
    default:
      return bytesToText(value);
  }
}

/** Cuts a string to at most `maxBytes` UTF-8 bytes (a split character becomes U+FFFD, as a JSON writer would). */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (text.length <= maxBytes && Buffer.byteLength(text) <= maxBytes) return text;
  return Buffer.from(text).subarray(0, maxBytes).toString('utf8');
}

/** Pads with spaces or truncates to exactly `width` bytes (`std::string::resize(width, ' ')`). */
export function fitWidth(text: string, width: number): string {
  const bytes = Buffer.byteLength(text);
  if (bytes === width) return text;
  if (bytes < width) return text + ' '.repeat(width - bytes);
  return truncateUtf8(text, width);
}

/**
 * Text of an extraction: `<NA>` when nothing was extracted (an empty list counts as nothing,
 * as for plugin fields), `(a,b,c)` for list fields.
 */
export function valueText(value: Extracted, type: FieldType): string {
  if (value === undefined) return NOT_AVAILABLE;
  if (Array.isArray(value)) {
    if (value.length === 0) return NOT_AVAILABLE;
    let out = '(';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      out += scalarText(value[i], type);
    }
    return truncateUtf8(out + ')', LIST_TEXT_MAX_BYTES);
  }
  return scalarText(value, type);
}

function scalarJson(value: FieldValue, type: FieldType): string | number | bigint | boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (type === 'bool') return value !== 0;
      return value;
    case 'bigint':
      return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
    default:
      return bytesToText(value);
  }
}

/** Typed value for `output_fields`: `null` when nothing was extracted, arrays for list fields. */
export function valueJson(value: Extracted, type: FieldType): OutputFieldValue {
  if (value === undefined) return null;
  if (Array.isArray(value)) {
    if (value.length === 0) return null;
    return value.map((v) => scalarJson(v, type));
  }
  return scalarJson(value, type);
}
