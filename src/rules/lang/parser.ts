/**
 * Recursive-descent parser for Falco conditions, following libs' `filter/parser.cpp` token by
 * token: the same lexing regexes, the same order of attempts, the same error messages. The
 * quirks (greedy field names, word operators needing a trailing blank, modifiers only before
 * `(` or a list name, the previous-character-only quote close) are deliberate.
 */
import {
  ConditionSyntaxError,
  type Expr,
  type FieldExpr,
  type IdentifierExpr,
  type ListExpr,
  type Operand,
  type OperandListExpr,
  type Pos,
  type TransformerExpr,
  type ValueExpr,
} from '../types.js';
import { EscapeError, unescapeQuoted } from './escaping.js';

export interface ParseOptions {
  /** Recursion limit (libs defaults to 100; Falco sets 1000). */
  maxDepth?: number;
}

const DEFAULT_MAX_DEPTH = 1000;

// Fixed lexing patterns (POSIX [:space:] = space \t \n \v \f \r), used sticky at the cursor.
const RGX_NOT_BLANK = /not[ \t\n\v\f\r]+/y;
const RGX_IDENTIFIER = /[a-zA-Z]+[a-zA-Z0-9_]*/y;
const RGX_FIELD_NAME = /[a-zA-Z]+[a-zA-Z0-9_]*(?:\.[a-zA-Z]+[a-zA-Z0-9_]*)+/y;
const RGX_FIELD_ARG_BARE = /[^\][\"' \t\n\v\f\r]+/y;
const RGX_HEX_NUMBER = /0[xX][0-9a-zA-Z]+/y;
const RGX_NUMBER = /[+-]?[0-9]+\.?[0-9]*(?:[eE][+-][0-9]+)?/y;
const RGX_BARE_STR = /[^()"' \t\n\v\f\r=,]+/y;
const RGX_MODIFIER = /(?:oneof|anyof|allof)[ \t\b\r\n]+/y;

const UNARY_OPS = ['exists'];
const NUM_OPS = ['<=', '<', '>=', '>'];
// Word operators carry their mandatory trailing blank, as in libs.
const STR_OPS = ['==', '=', '!=', 'glob ', 'iglob ', 'contains ', 'icontains ', 'bcontains ', 'startswith ', 'bstartswith ', 'endswith ', 'regex '];
const LIST_OPS = ['intersects', 'in', 'pmatch'];

/** Transformers taking one operand, and those taking several (libs 0.24/0.25). */
export const SINGLE_ARG_TRANSFORMERS = ['tolower', 'toupper', 'b64', 'basename', 'len'] as const;
export const MULTI_ARG_TRANSFORMERS = ['join', 'concat', 'getopt'] as const;
const TRANSFORMER_PREFIXES = [...SINGLE_ARG_TRANSFORMERS, ...MULTI_ARG_TRANSFORMERS].map((t) => `${t}(`);
const VAL_PREFIX = 'val(';
const KEYWORDS = new Set(['and', 'or', 'not']);

/** Every operator the language knows, in libs' order (`parser::supported_operators`). */
export const SUPPORTED_OPERATORS: readonly string[] = [...UNARY_OPS, ...NUM_OPS, ...STR_OPS, ...LIST_OPS].map((o) => o.trim());

const quotedList = (xs: readonly string[]) => xs.map((x) => `'${x}'`).join(', ');
const TRANSFORMER_LIST = quotedList(['val', ...SINGLE_ARG_TRANSFORMERS, ...MULTI_ARG_TRANSFORMERS]);

class Parser {
  private idx = 0;
  private line = 1;
  private col = 1;
  private lastToken = '';
  private depth = 0;

  constructor(
    private readonly input: string,
    private readonly maxDepth: number,
  ) {}

  parse(): Expr {
    if (this.input.length === 0) throw new ConditionSyntaxError('filter input string is empty', this.pos());
    const res = this.parseOr();
    if (this.idx !== this.input.length) {
      this.fail(`unexpected token after '${this.lastToken}', expecting 'or', 'and'`);
    }
    return res;
  }

  /** The longest field or transformer token at `start` (for output format strings). */
  operandAt(start: number): { expr: Operand; end: number } | undefined {
    this.seek(start);
    const pos = this.pos();
    try {
      if (this.lexTransformerName()) {
        this.lexBlank();
        return { expr: this.parseTransformerRemainder(this.lastToken.slice(0, -1), pos), end: this.idx };
      }
    } catch (e) {
      if (e instanceof ConditionSyntaxError) return undefined;
      throw e;
    }
    if (!this.lexRegex(RGX_FIELD_NAME)) return undefined;
    const name = this.lastToken;
    const afterName = this.idx;
    try {
      return { expr: this.parseFieldRemainder(name, pos), end: this.idx };
    } catch (e) {
      if (!(e instanceof ConditionSyntaxError)) throw e;
      // A malformed bracket is left to the surrounding text.
      return { expr: { type: 'field', field: name, pos }, end: afterName };
    }
  }

  // --- grammar --------------------------------------------------------------------------------

  private parseOr(): Expr {
    return this.guard(() => {
      const pos = this.pos();
      this.lexBlank();
      const children = [this.parseAnd()];
      this.lexBlank();
      while (this.lexString('or')) {
        children.push(this.parseKeywordOperand('or', () => this.parseAnd()));
        this.lexBlank();
      }
      return children.length > 1 ? { type: 'or', children, pos } : children[0]!;
    });
  }

  private parseAnd(): Expr {
    return this.guard(() => {
      const pos = this.pos();
      this.lexBlank();
      const children = [this.parseNot()];
      this.lexBlank();
      while (this.lexString('and')) {
        children.push(this.parseKeywordOperand('and', () => this.parseNot()));
        this.lexBlank();
      }
      return children.length > 1 ? { type: 'and', children, pos } : children[0]!;
    });
  }

  /** After `and`/`or`: a blank then the next operand, or directly `(`. */
  private parseKeywordOperand(keyword: string, next: () => Expr): Expr {
    if (this.lexBlank()) return next();
    if (this.lexString('(')) return this.parseEmbeddedRemainder();
    this.fail(`expected blank or '(' after '${keyword}'`);
  }

  private parseNot(): Expr {
    return this.guard(() => {
      const pos = this.pos();
      let negated = false;
      this.lexBlank();
      while (this.lexRegex(RGX_NOT_BLANK)) negated = !negated;
      let child: Expr;
      if (this.lexString('not(')) {
        negated = !negated;
        child = this.parseEmbeddedRemainder();
      } else {
        child = this.parseCheck();
      }
      return negated ? { type: 'not', child, pos } : child;
    });
  }

  /** The rest of `( Expr )` once `(` has been read. */
  private parseEmbeddedRemainder(): Expr {
    return this.guard(() => {
      this.lexBlank();
      const child = this.parseOr();
      this.lexBlank();
      if (!this.lexString(')')) this.fail(`expected a ')' token`);
      return child;
    });
  }

  private parseCheck(): Expr {
    return this.guard(() => {
      const pos = this.pos();
      this.lexBlank();
      if (this.lexString('(')) return this.parseEmbeddedRemainder();
      if (this.lexRegex(RGX_FIELD_NAME)) {
        const left = this.parseFieldRemainder(this.lastToken, pos);
        return this.parseCondition(left, pos);
      }
      if (this.lexTransformerName()) {
        this.lexBlank();
        const left = this.parseTransformerRemainder(this.lastToken.slice(0, -1), pos);
        return this.parseCondition(left, pos);
      }
      if (this.lexRegex(RGX_IDENTIFIER)) return { type: 'identifier', name: this.lastToken, pos } satisfies IdentifierExpr;
      this.fail(`expected a '(' token, a field check, or an identifier`);
    });
  }

  private parseFieldRemainder(field: string, pos: Pos): FieldExpr {
    return this.guard(() => {
      const expr: FieldExpr = { type: 'field', field, pos };
      const arg = this.parseBracketArg();
      if (arg !== undefined) expr.arg = arg;
      return expr;
    });
  }

  /** `[arg]` after a field or a transformer call, if present. */
  private parseBracketArg(): string | undefined {
    if (!this.lexString('[')) return undefined;
    if (!this.lexQuotedString() && !this.lexRegex(RGX_FIELD_ARG_BARE)) {
      this.fail('expected a valid field argument: a quoted string or a bare string');
    }
    const arg = this.lastToken;
    if (!this.lexString(']')) this.fail(`expected a ']' token`);
    return arg;
  }

  /** The rest of `name( args )[arg]` once `name(` and blanks have been read. */
  private parseTransformerRemainder(name: string, pos: Pos): TransformerExpr {
    return this.guard(() => {
      const args: TransformerExpr['args'] = [this.parseTransformerArg()];
      this.lexBlank();
      if ((MULTI_ARG_TRANSFORMERS as readonly string[]).includes(name)) {
        while (this.lexString(',')) {
          this.lexBlank();
          args.push(this.parseTransformerArg());
          this.lexBlank();
        }
      }
      if (!this.lexString(')')) this.fail(`expected a ')' token closing the transformer`);
      const expr: TransformerExpr = { type: 'transformer', name, args, pos };
      const arg = this.parseBracketArg();
      if (arg !== undefined) expr.arg = arg;
      return expr;
    });
  }

  private parseTransformerArg(): TransformerExpr['args'][number] {
    return this.guard(() => {
      const pos = this.pos();
      const item = this.parseOperandItem(pos);
      if (item) return item;
      if (this.lexString('(')) return this.parseOperandList(pos);
      this.fail(`expected a field or a nested valid transformer: ${TRANSFORMER_LIST}`);
    });
  }

  /** A transformer, a field, a number or a quoted string (what a transformer list may hold). */
  private parseOperandItem(pos: Pos): FieldExpr | TransformerExpr | ValueExpr | undefined {
    if (this.lexTransformerName()) {
      this.lexBlank();
      return this.parseTransformerRemainder(this.lastToken.slice(0, -1), pos);
    }
    if (this.lexRegex(RGX_FIELD_NAME)) return this.parseFieldRemainder(this.lastToken, pos);
    if (this.lexRegex(RGX_HEX_NUMBER) || this.lexRegex(RGX_NUMBER) || this.lexQuotedString()) {
      return { type: 'value', value: this.lastToken, pos };
    }
    return undefined;
  }

  private parseOperandList(pos: Pos): OperandListExpr {
    const items: OperandListExpr['items'] = [];
    this.lexBlank();
    if (!this.lexString(')')) {
      for (;;) {
        const item = this.parseOperandItem(this.pos());
        if (!item) this.fail('expected a field, a transformer, a number or a quoted string in the list');
        items.push(item);
        this.lexBlank();
        if (!this.lexString(',')) break;
        this.lexBlank();
      }
      if (!this.lexString(')')) this.fail(`expected a ')' token`);
    }
    return { type: 'operands', items, pos };
  }

  private parseCondition(left: Operand, pos: Pos): Expr {
    return this.guard(() => {
      this.lexBlank();
      if (this.lexStringList(UNARY_OPS)) return { type: 'unary', left, op: 'exists', pos };
      this.lexBlank();
      if (this.lexStringList(NUM_OPS)) {
        const op = this.lastToken;
        return { type: 'binary', left, op, right: this.parseNumValue(), pos };
      }
      if (this.lexStringList(STR_OPS)) {
        const op = this.lastToken.trim();
        const modified = this.tryParseModifier();
        if (modified) return { type: 'binary', left, op, modifier: modified.modifier, right: modified.right, pos };
        return { type: 'binary', left, op, right: this.parseStrValue(false), pos };
      }
      if (this.lexStringList(LIST_OPS)) {
        const op = this.lastToken;
        return { type: 'binary', left, op, right: this.parseListValue(), pos };
      }
      this.fail(`expected a valid check operator: one of ${quotedList(SUPPORTED_OPERATORS)}`);
    });
  }

  /**
   * `oneof|anyof|allof` + blank counts as a modifier only when a list literal or a list name
   * (not a keyword) follows; otherwise the word is an ordinary value and nothing is consumed.
   */
  private tryParseModifier(): { modifier: 'oneof' | 'anyof' | 'allof'; right: ListExpr | IdentifierExpr } | undefined {
    const saved = this.save();
    // The modifier must be separated from the operator (word operators end with their blank):
    // `==oneof (a)` is a value followed by junk.
    const opEndsWithBlank = this.lastToken.endsWith(' ');
    if ((this.lexBlank() || opEndsWithBlank) && this.lexRegex(RGX_MODIFIER)) {
      const modifier = this.lastToken.slice(0, 5) as 'oneof' | 'anyof' | 'allof';
      const pos = this.pos();
      if (this.lexString('(')) return { modifier, right: this.parseListLiteralRemainder(pos) };
      if (this.lexRegex(RGX_IDENTIFIER)) {
        if (!KEYWORDS.has(this.lastToken)) return { modifier, right: { type: 'identifier', name: this.lastToken, pos } };
      }
    }
    this.restore(saved);
    return undefined;
  }

  private parseNumValue(): ValueExpr | TransformerExpr {
    return this.guard(() => {
      this.lexBlank();
      const pos = this.pos();
      const transformer = this.tryParseTransformerOrVal();
      if (transformer) return transformer;
      if (this.lexRegex(RGX_HEX_NUMBER) || this.lexRegex(RGX_NUMBER)) return { type: 'value', value: this.lastToken, pos };
      this.fail(`expected a number value or a field with a valid transformer: ${TRANSFORMER_LIST}`);
    });
  }

  private parseStrValue(noTransformer: true): ValueExpr;
  private parseStrValue(noTransformer: false): ValueExpr | TransformerExpr;
  private parseStrValue(noTransformer: boolean): ValueExpr | TransformerExpr {
    return this.guard(() => {
      this.lexBlank();
      const pos = this.pos();
      if (!noTransformer) {
        const transformer = this.tryParseTransformerOrVal();
        if (transformer) return transformer;
      }
      if (this.lexQuotedString() || this.lexRegex(RGX_BARE_STR)) return { type: 'value', value: this.lastToken, pos };
      if (noTransformer) this.fail('expected a string value');
      this.fail(`expected a string value or a field with a valid transformer: ${TRANSFORMER_LIST}`);
    });
  }

  private parseListValue(): ListExpr | IdentifierExpr | TransformerExpr {
    return this.guard(() => {
      this.lexBlank();
      const pos = this.pos();
      if (this.lexString('(')) return this.parseListLiteralRemainder(pos);
      const transformer = this.tryParseTransformerOrVal();
      if (transformer) return transformer;
      if (this.lexRegex(RGX_IDENTIFIER)) return { type: 'identifier', name: this.lastToken, pos };
      this.fail(`expected a list, an identifier, or a field with a valid transformer: ${TRANSFORMER_LIST}`);
    });
  }

  /** `( [v {, v}] )` once `(` has been read; like libs, a failing first value means "empty". */
  private parseListLiteralRemainder(pos: Pos): ListExpr {
    const values: string[] = [];
    this.lexBlank();
    let first: ValueExpr | undefined;
    try {
      first = this.parseStrValue(true);
    } catch (e) {
      if (!(e instanceof ConditionSyntaxError)) throw e;
    }
    if (first) {
      values.push(first.value);
      this.lexBlank();
      while (this.lexString(',')) {
        values.push(this.parseStrValue(true).value);
        this.lexBlank();
      }
    }
    if (!this.lexString(')')) this.fail(`expected a ')' token`);
    return { type: 'list', values, pos };
  }

  /** `val(field)` or a transformer call on the right-hand side; undefined if neither starts here. */
  private tryParseTransformerOrVal(): TransformerExpr | undefined {
    return this.guard(() => {
      this.lexBlank();
      const pos = this.pos();
      if (this.lexString(VAL_PREFIX)) {
        this.lexBlank();
        const fieldPos = this.pos();
        if (!this.lexRegex(RGX_FIELD_NAME)) this.fail(`expected a field within 'val' transformer`);
        const field = this.parseFieldRemainder(this.lastToken, fieldPos);
        this.lexBlank();
        if (!this.lexString(')')) this.fail(`expected a ')' token closing the transformer`);
        const expr: TransformerExpr = { type: 'transformer', name: 'val', args: [field], pos };
        const arg = this.parseBracketArg();
        if (arg !== undefined) expr.arg = arg;
        return expr;
      }
      if (this.lexTransformerName()) {
        this.lexBlank();
        return this.parseTransformerRemainder(this.lastToken.slice(0, -1), pos);
      }
      return undefined;
    });
  }

  // --- lexing ---------------------------------------------------------------------------------

  private lexBlank(): boolean {
    const start = this.idx;
    for (;;) {
      const c = this.input.charCodeAt(this.idx);
      // ' ' \t \b \r \n
      if (c === 32 || c === 9 || c === 8 || c === 13 || c === 10) this.advance(1);
      else break;
    }
    return this.idx !== start;
  }

  private lexString(s: string): boolean {
    if (!this.input.startsWith(s, this.idx)) return false;
    this.lastToken = s;
    this.advance(s.length);
    return true;
  }

  private lexStringList(list: readonly string[]): boolean {
    for (const s of list) if (this.lexString(s)) return true;
    return false;
  }

  private lexTransformerName(): boolean {
    return this.lexStringList(TRANSFORMER_PREFIXES);
  }

  private lexRegex(re: RegExp): boolean {
    re.lastIndex = this.idx;
    const m = re.exec(this.input);
    if (!m) return false;
    this.lastToken = m[0];
    this.advance(m[0].length);
    return true;
  }

  /**
   * A quoted string. It closes at the first delimiter whose previous character is not a
   * backslash (so `"a\\"` does not close at its last quote, as in libs).
   */
  private lexQuotedString(): boolean {
    const delimiter = this.input[this.idx];
    if (delimiter !== '"' && delimiter !== "'") return false;
    const start = this.idx;
    let prev = '\\';
    for (let i = start; i < this.input.length; i++) {
      const c = this.input[i]!;
      if (c === delimiter && prev !== '\\') {
        this.advance(i + 1 - start);
        try {
          this.lastToken = unescapeQuoted(this.input.slice(start, i + 1));
        } catch (e) {
          if (e instanceof EscapeError) this.fail(e.message);
          throw e;
        }
        return true;
      }
      prev = c;
    }
    return false;
  }

  // --- cursor, positions, errors, depth ------------------------------------------------------

  private advance(n: number): void {
    for (let k = 0; k < n; k++) {
      const c = this.input.charCodeAt(this.idx);
      this.col++;
      if (c === 13 || c === 10) {
        this.col = 1;
        this.line++;
      }
      this.idx++;
    }
  }

  private seek(idx: number): void {
    this.idx = 0;
    this.line = 1;
    this.col = 1;
    this.advance(Math.min(idx, this.input.length));
  }

  private pos(): Pos {
    return { idx: this.idx, line: this.line, col: this.col };
  }

  private save(): [number, number, number, string] {
    return [this.idx, this.line, this.col, this.lastToken];
  }

  private restore([idx, line, col, last]: [number, number, number, string]): void {
    this.idx = idx;
    this.line = line;
    this.col = col;
    this.lastToken = last;
  }

  private fail(message: string): never {
    throw new ConditionSyntaxError(message, this.pos());
  }

  /** libs' depth_guard: every grammar function counts one level while it runs. */
  private guard<T>(fn: () => T): T {
    if (++this.depth >= this.maxDepth) {
      this.depth--;
      this.fail(`exceeded max depth limit of ${this.maxDepth}`);
    }
    try {
      return fn();
    } finally {
      this.depth--;
    }
  }
}

/** Parses a whole condition; throws ConditionSyntaxError with libs' message and position. */
export function parseCondition(text: string, opts: ParseOptions = {}): Expr {
  return new Parser(text, opts.maxDepth ?? DEFAULT_MAX_DEPTH).parse();
}

/**
 * The longest field (`proc.aname[2]`) or transformer call (`tolower(proc.name)`) starting at
 * `start`, for tokenising output format strings; undefined when none starts there.
 */
export function parseOperandPrefix(text: string, start: number): { expr: Operand; end: number } | undefined {
  return new Parser(text, DEFAULT_MAX_DEPTH).operandAt(start);
}
