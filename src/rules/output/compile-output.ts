/**
 * Output format strings (libsinsp eventformatter.cpp `set_format`, `tostring_withformat`):
 * compiled once per rule into a list of literal and field parts, rendered per alert.
 */
import { compileParsedOperand, parseOperandPrefix } from '../lang/index.js';
import type { BoundField, Extracted, FieldExpr, FieldSource, FieldType, Operand, OutputFieldValue, TransformerExpr } from '../types.js';
import { fieldKey, parseFieldToken, transformerAt } from './field-token.js';
import { fitWidth, valueJson, valueText } from './render-value.js';

/** A format string that does not compile: Falco's message and where in the format. */
export class OutputFormatError extends Error {
  constructor(
    message: string,
    /** 0-based index in the format string of the `%` that failed. */
    readonly offset: number,
  ) {
    super(message);
    this.name = 'OutputFormatError';
  }
}

export interface CompileOutputOptions {
  /** Reserved for format switches (Falco's `resolve_transformed_fields`); none yet. */
  readonly _?: never;
}

export interface RenderedOutput {
  text: string;
  fields: Record<string, OutputFieldValue>;
}

export interface CompiledOutput<E> {
  /** The format as given. */
  readonly format: string;
  /** Keys of `output_fields`, in the order Falco prints them (sorted). */
  readonly fieldKeys: readonly string[];
  renderText(event: E): string;
  renderFields(event: E): Record<string, OutputFieldValue>;
  render(event: E): RenderedOutput;
}

interface ValuePart<E> {
  width: number;
  type: FieldType;
  extract(event: E): Extracted;
}

interface KeyedField<E> {
  key: string;
  field: BoundField<E>;
}

/** sscanf("%d") has no real bound; a width this large is a typo, not a layout. */
const MAX_WIDTH = 65_535;
/** Candidate lengths tried when shrinking an unknown token (Falco tries every length; names are short). */
const MAX_SHRINK_ATTEMPTS = 512;

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** One compiled `%` token: how to render it and which fields it adds to output_fields. */
interface CompiledToken<E> {
  end: number;
  type: FieldType;
  extract(event: E): Extracted;
  keyed: Array<KeyedField<E>>;
}

function fieldToken<E>(key: string, field: BoundField<E>, end: number): CompiledToken<E> {
  return { end, type: field.type, extract: (e) => field.extract(e), keyed: [{ key, field }] };
}

/** Plain fields anywhere inside a transformer call (libsinsp's formatter_visitor registers them). */
function innerFields(node: Operand | TransformerExpr['args'][number], out: FieldExpr[]): FieldExpr[] {
  switch (node.type) {
    case 'field':
      out.push(node);
      break;
    case 'transformer':
      for (const a of node.args) innerFields(a, out);
      break;
    case 'operands':
      for (const a of node.items) innerFields(a, out);
      break;
  }
  return out;
}

/**
 * A transformer call (`%tolower(proc.name)`): rendered in the text, left out of output_fields
 * (libsinsp skips transformed keys unless resolve_transformed_fields), while the fields it
 * reads are reported under their own names.
 */
function compileTransformerToken<E>(format: string, start: number, source: FieldSource<E>, at: number): CompiledToken<E> {
  const parsed = parseOperandPrefix(format, start);
  if (!parsed) throw new OutputFormatError(`unknown filter: invalid formatting token ${format.slice(start, start + 40)}`, at);
  try {
    const compiled = compileParsedOperand(parsed.expr, source);
    const keyed = innerFields(parsed.expr, []).map((f) => ({ key: fieldKey(f.field, f.arg), field: source.bind(f.field, f.arg) }));
    // Transformers yield text (tolower, b64, join…) or a count (len); text rendering needs no more.
    const type: FieldType = (compiled as { type?: FieldType }).type ?? 'string';
    return { end: parsed.end, type, extract: compiled.extract, keyed };
  } catch (err) {
    throw new OutputFormatError(`unknown filter: ${describe(err)}`, at);
  }
}

/**
 * Binds the longest field token at `start` that the source accepts, as libsinsp does by
 * retrying ever shorter prefixes: `%proc.namex` is `%proc.name` followed by `x`.
 */
function bindLongest<E>(format: string, start: number, source: FieldSource<E>, at: number): CompiledToken<E> {
  const first = parseFieldToken(format, start);
  if (!first) {
    throw new OutputFormatError(`unknown filter: invalid formatting token ${format.slice(start, start + 40)}`, at);
  }
  let firstError: unknown;
  try {
    return fieldToken(fieldKey(first.field, first.arg), source.bind(first.field, first.arg), first.end);
  } catch (err) {
    firstError = err;
  }
  // Shorter candidates: the bare name (when an [arg] was given), then each shorter FieldName prefix.
  let attempts = 0;
  for (let len = first.arg === undefined ? first.nameEnd - start - 1 : first.nameEnd - start; len > 0; len--) {
    const end = start + len;
    if (format[end - 1] === '.') continue;
    const name = format.slice(start, end);
    if (!name.includes('.')) break;
    if (++attempts > MAX_SHRINK_ATTEMPTS) break;
    try {
      return fieldToken(name, source.bind(name), end);
    } catch {
      // keep shrinking
    }
  }
  throw new OutputFormatError(`unknown filter: ${describe(firstError)}`, at);
}

/** Compiles a rule output (a leading `*`, which Falco always implies, is dropped). */
export function compileOutput<E>(format: string, source: FieldSource<E>, _opts: CompileOutputOptions = {}): CompiledOutput<E> {
  const base = format.startsWith('*') ? 1 : 0;
  const parts: Array<string | ValuePart<E>> = [];
  const keyed = new Map<string, KeyedField<E>>();
  let literalStart = base;
  let j = base;
  while (j < format.length) {
    if (format[j] !== '%') {
      j++;
      continue;
    }
    const at = j;
    if (literalStart < j) parts.push(format.slice(literalStart, j));
    if (j === format.length - 1) {
      throw new OutputFormatError('invalid formatting syntax: formatting cannot end with a %', at);
    }
    let k = j + 1;
    let width = 0;
    while (k < format.length && format.charCodeAt(k) >= 48 && format.charCodeAt(k) <= 57) {
      width = Math.min(width * 10 + (format.charCodeAt(k) - 48), MAX_WIDTH);
      k++;
    }
    if (k === format.length) {
      throw new OutputFormatError('invalid formatting syntax: formatting cannot end with a number', at);
    }
    const token = transformerAt(format, k) !== undefined ? compileTransformerToken(format, k, source, at) : bindLongest(format, k, source, at);
    parts.push({ width, type: token.type, extract: token.extract });
    for (const f of token.keyed) keyed.set(f.key, f);
    j = token.end;
    literalStart = j;
  }
  if (literalStart < format.length) parts.push(format.slice(literalStart));
  return makeCompiled(format, parts, [...keyed.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)));
}

function makeCompiled<E>(format: string, parts: ReadonlyArray<string | ValuePart<E>>, fields: ReadonlyArray<KeyedField<E>>): CompiledOutput<E> {
  const renderText = (event: E): string => {
    let out = '';
    for (const part of parts) {
      if (typeof part === 'string') {
        out += part;
        continue;
      }
      const text = valueText(part.extract(event), part.type);
      out += part.width !== 0 ? fitWidth(text, part.width) : text;
    }
    return out;
  };
  const renderFields = (event: E): Record<string, OutputFieldValue> => {
    const out: Record<string, OutputFieldValue> = {};
    for (const { key, field } of fields) out[key] = valueJson(field.extract(event), field.type);
    return out;
  };
  return {
    format,
    fieldKeys: fields.map((f) => f.key),
    renderText,
    renderFields,
    render: (event) => ({ text: renderText(event), fields: renderFields(event) }),
  };
}
