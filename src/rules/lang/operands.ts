/**
 * Fields and transformer calls compiled to extractors over one FieldSource. Transformers map
 * each value of a list; `len` counts; join/concat/getopt combine several operands.
 */
import type { Extracted, FieldSource, FieldType, FieldValue, Operand, TransformerExpr } from '../types.js';
import { ConditionCompileError } from './errors.js';
import { operandAsString } from './printer.js';
import { asText, asciiLower, asciiUpper, internalize } from './values.js';

export interface CompiledOperand<E> {
  /** As Falco prints it (`tolower(proc.name)`, `proc.aname[2]`). */
  text: string;
  type: FieldType;
  list: boolean;
  isTransformer: boolean;
  extract(event: E): Extracted;
}

type Arg = TransformerExpr['args'][number];

export function compileOperand<E>(node: Operand, source: FieldSource<E>): CompiledOperand<E> {
  const text = operandAsString(node);
  if (node.type === 'field') {
    const bound = source.bind(node.field, node.arg);
    // The source's extractor itself, not a closure around it: one call less per check (and
    // one call site less that every field shares). BoundField.extract does not use `this`.
    return { text, type: bound.type, list: bound.list, isTransformer: false, extract: bound.extract };
  }
  return { text, isTransformer: true, ...compileTransformer(node, source) };
}

/** Values an extraction holds, in order (an array, one value, or none). */
function values(x: Extracted): FieldValue[] {
  if (x === undefined) return [];
  return Array.isArray(x) ? x : [x];
}

/** Applies a string function to each value, keeping list-ness. */
function mapText(x: Extracted, fn: (s: string) => string | undefined): Extracted {
  if (x === undefined) return undefined;
  if (!Array.isArray(x)) return fn(asText(x));
  const out: string[] = [];
  for (const v of x) {
    const r = fn(asText(v));
    if (r !== undefined) out.push(r);
  }
  return out;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function b64decode(s: string): string | undefined {
  if (!BASE64.test(s) || s.length % 4 === 1) return undefined;
  return Buffer.from(s, 'base64').toString('utf8');
}

function basename(s: string): string {
  return s.slice(s.lastIndexOf('/') + 1);
}

function byteLength(v: FieldValue): number {
  if (v instanceof Uint8Array) return v.length;
  const s = asText(v);
  return /[^\x00-\x7f]/.test(s) ? Buffer.byteLength(s, 'utf8') : s.length;
}

type Shape<E> = Omit<CompiledOperand<E>, 'text' | 'isTransformer'>;

/** A literal argument as an always-extracted value. */
function compileArg<E>(arg: Arg, source: FieldSource<E>): Shape<E> {
  if (arg.type === 'value') {
    const value = internalize(arg.value);
    return { type: 'string', list: false, extract: () => value };
  }
  if (arg.type === 'list') {
    const vals = arg.values.map(internalize);
    return { type: 'string', list: true, extract: () => vals };
  }
  if (arg.type === 'operands') {
    const items = arg.items.map((i) => compileArg(i, source));
    return {
      type: 'string',
      list: true,
      extract: (e) => {
        const out: FieldValue[] = [];
        for (const it of items) for (const v of values(it.extract(e))) out.push(v);
        return out;
      },
    };
  }
  return compileOperand(arg, source);
}

function compileTransformer<E>(node: TransformerExpr, source: FieldSource<E>): Shape<E> {
  const args = node.args.map((a) => compileArg(a, source));
  const one = () => {
    if (args.length !== 1) throw new ConditionCompileError(`transformer '${node.name}' takes one argument`, node.pos);
    return args[0]!;
  };
  let shape: Shape<E>;
  switch (node.name) {
    case 'val':
      shape = one();
      break;
    case 'tolower':
    case 'toupper':
    case 'b64':
    case 'basename': {
      const inner = one();
      const fn =
        node.name === 'tolower' ? asciiLower : node.name === 'toupper' ? asciiUpper : node.name === 'b64' ? b64decode : basename;
      shape = { type: 'string', list: inner.list, extract: (e) => mapText(inner.extract(e), fn) };
      break;
    }
    case 'len': {
      const inner = one();
      shape = {
        type: 'uint64',
        list: false,
        extract: inner.list
          ? (e) => {
              const x = inner.extract(e);
              return x === undefined ? undefined : values(x).length;
            }
          : (e) => {
              const x = inner.extract(e);
              return x === undefined ? undefined : Array.isArray(x) ? x.length : byteLength(x);
            },
      };
      break;
    }
    case 'join': {
      if (args.length !== 2) throw new ConditionCompileError(`transformer 'join' takes a separator and a list`, node.pos);
      const [sep, list] = args as [Shape<E>, Shape<E>];
      shape = {
        type: 'string',
        list: false,
        extract: (e) => {
          const s = sep.extract(e);
          const items = list.extract(e);
          if (s === undefined || items === undefined) return undefined;
          return values(items).map(asText).join(asText(s as FieldValue));
        },
      };
      break;
    }
    case 'concat': {
      if (args.length < 2) throw new ConditionCompileError(`transformer 'concat' takes at least two arguments`, node.pos);
      shape = {
        type: 'string',
        list: false,
        extract: (e) => {
          let out = '';
          for (const a of args) {
            const x = a.extract(e);
            if (x === undefined) return undefined;
            out += values(x).map(asText).join('');
          }
          return out;
        },
      };
      break;
    }
    case 'getopt': {
      if (args.length !== 2) throw new ConditionCompileError(`transformer 'getopt' takes an argument list and an option string`, node.pos);
      const [argv, optstring] = args as [Shape<E>, Shape<E>];
      const selected = node.arg;
      return {
        type: 'string',
        list: selected === undefined,
        extract: (e) => {
          const a = argv.extract(e);
          const o = optstring.extract(e);
          if (a === undefined || o === undefined) return undefined;
          const parsed = getopt(values(a).map(asText), asText(o as FieldValue));
          if (selected === undefined) return parsed.flatMap(([k, v]) => (v === undefined ? [k] : [k, v]));
          const hit = parsed.find(([k]) => k === selected);
          return hit ? (hit[1] ?? '') : undefined;
        },
      };
    }
    default:
      throw new ConditionCompileError(`unknown transformer '${node.name}'`, node.pos);
  }
  if (node.arg !== undefined) {
    const idx = Number(node.arg);
    if (!Number.isInteger(idx) || idx < 0) throw new ConditionCompileError(`invalid index '${node.arg}' after transformer '${node.name}'`, node.pos);
    const inner = shape;
    return { type: inner.type, list: false, extract: (e) => values(inner.extract(e))[idx] };
  }
  return shape;
}

/**
 * POSIX getopt over an argument vector (without a program name): options until `--` or the
 * first operand; `x:` takes the rest of the word or the next word. Unknown options are kept
 * without a value.
 */
export function getopt(argv: string[], optstring: string): Array<[string, string | undefined]> {
  const out: Array<[string, string | undefined]> = [];
  const spec = optstring.startsWith(':') ? optstring.slice(1) : optstring;
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === '--') break;
    if (word.length < 2 || word[0] !== '-') break;
    for (let j = 1; j < word.length; j++) {
      const c = word[j]!;
      const at = spec.indexOf(c);
      if (at >= 0 && c !== ':' && spec[at + 1] === ':') {
        const rest = word.slice(j + 1);
        if (rest !== '') out.push([c, rest]);
        else if (i + 1 < argv.length) out.push([c, argv[++i]!]);
        else out.push([c, undefined]);
        break;
      }
      out.push([c, undefined]);
    }
  }
  return out;
}
