/**
 * Shapes shared by the parts of the Falco-compatible rules engine:
 *
 *   lang/     condition language: lexer, parser → Expr, printer (Falco's ast::as_string),
 *             compiler Expr → closure over a FieldSource
 *   sources/  FieldSources (syscall JSON, k8s_audit) and event readers
 *   loader/   rules files → lists, macros, rules (append/override/exceptions), load results
 *   output/   output format strings, Falco text/JSON alerts, output channels
 *   engine.ts ruleset indexed by source and event type; detection
 *
 * Everything here is plain data or small interfaces; no folder imports another's internals,
 * only its index.ts.
 */

// ---------------------------------------------------------------------------------------------
// Condition AST (mirrors libsinsp's filter/ast.h)

/** Where a node starts in the condition text (0-based offset, 1-based line and column). */
export interface Pos {
  idx: number;
  line: number;
  col: number;
}

/** A field reference: `proc.name`, `proc.aname[2]`, `evt.arg.flags` (arg resolved later), `ka.uri.param[command]`. */
export interface FieldExpr {
  type: 'field';
  /** The field token as written, before the bracket (`evt.arg.flags`, `proc.aname`). */
  field: string;
  /** The bracket argument, unquoted (undefined: no brackets). */
  arg?: string;
  pos?: Pos;
}

/** A transformer call: `tolower(proc.name)`, `len(ka.req.pod.containers.image)`, `val(proc.pname)`. */
export interface TransformerExpr {
  type: 'transformer';
  /** tolower | toupper | b64 | basename | len | val | join | concat | getopt */
  name: string;
  args: Array<FieldExpr | TransformerExpr | ValueExpr | ListExpr | OperandListExpr>;
  /** `getopt(...)[t]`-style argument after the call. */
  arg?: string;
  pos?: Pos;
}

/** A literal value (bare or unquoted string, number text). */
export interface ValueExpr {
  type: 'value';
  value: string;
  pos?: Pos;
}

/** A literal list `(a, b, "c d")`. */
export interface ListExpr {
  type: 'list';
  values: string[];
  pos?: Pos;
}

/** A parenthesised list of operands inside a multi-argument transformer: `join("-", (fd.name, "x"))`. */
export interface OperandListExpr {
  type: 'operands';
  items: Array<FieldExpr | TransformerExpr | ValueExpr>;
  pos?: Pos;
}

/** A macro reference (or, on the right of `in`, a list name that was not substituted). */
export interface IdentifierExpr {
  type: 'identifier';
  name: string;
  pos?: Pos;
}

export type Operand = FieldExpr | TransformerExpr;

export interface UnaryCheckExpr {
  type: 'unary';
  left: Operand;
  /** Only `exists`. */
  op: 'exists';
  pos?: Pos;
}

export interface BinaryCheckExpr {
  type: 'binary';
  left: Operand;
  /** `=`, `==`, `!=`, `<`, `<=`, `>`, `>=`, `contains`, `icontains`, `bcontains`, `startswith`, `bstartswith`, `endswith`, `glob`, `iglob`, `regex`, `in`, `intersects`, `pmatch`. */
  op: string;
  /** `oneof` / `anyof` / `allof` (libs 0.25) before a list. */
  modifier?: 'oneof' | 'anyof' | 'allof';
  /** A value, a list, a list/macro name, or a transformer / `val(field)` (field-to-field). */
  right: ValueExpr | ListExpr | IdentifierExpr | TransformerExpr;
  pos?: Pos;
}

export interface AndExpr {
  type: 'and';
  children: Expr[];
  pos?: Pos;
}

export interface OrExpr {
  type: 'or';
  children: Expr[];
  pos?: Pos;
}

export interface NotExpr {
  type: 'not';
  child: Expr;
  pos?: Pos;
}

export type Expr = AndExpr | OrExpr | NotExpr | IdentifierExpr | UnaryCheckExpr | BinaryCheckExpr;

/** A condition that does not parse: Falco's message and where. */
export class ConditionSyntaxError extends Error {
  constructor(message: string, readonly pos: Pos) {
    super(message);
    this.name = 'ConditionSyntaxError';
  }
}

// ---------------------------------------------------------------------------------------------
// Fields and event sources

/** Field types that change how literals are parsed and compared (libsinsp's PT_* families). */
export type FieldType =
  | 'string' // CHARBUF, FSPATH, FSRELPATH…
  | 'int64' // also int8..int32, ERRNO, PID
  | 'uint64' // also uint8..uint32, FD
  | 'bool'
  | 'double'
  | 'ipaddr' // IPv4 or IPv6 address
  | 'ipnet' // a network; `=` with an address means containment
  | 'port'
  | 'reltime' // ns
  | 'abstime' // ns since the epoch
  | 'bytebuf' // raw bytes (bcontains/bstartswith take hex)
  | 'flags'; // text flags such as `O_RDONLY|O_CREAT`: `contains X` means bit set

/** One value a field can produce. Numbers of 64-bit fields may be bigint. */
export type FieldValue = string | number | bigint | boolean | Uint8Array;

/**
 * What extraction gives: undefined = the field could not be extracted (every comparison on
 * it is false, `exists` is false); a value; or, for list fields, an array (an empty array
 * counts as not extracted for plugin fields, as in Falco).
 */
export type Extracted = FieldValue | FieldValue[] | undefined;

/** A field of a source's table. */
export interface FieldDef {
  /** Canonical name without argument: `proc.aname`, `ka.uri.param`, `evt.arg`. */
  name: string;
  type: FieldType;
  /** EPF_IS_LIST: extraction yields several values (only exists/in/intersects apply). */
  list?: boolean;
  /** Whether the field takes an argument (`[2]`, `[key]`, `.flags` for evt.arg) and whether it must. */
  arg?: 'none' | 'optional' | 'required';
  /** For `evt.arg`-style fields: the argument may follow as `.name` (longest-prefix match). */
  dottedArg?: boolean;
  desc: string;
}

/** A field bound to its argument, ready to extract from events of one source. */
export interface BoundField<E = unknown> {
  def: FieldDef;
  /** The field as written (`proc.aname[2]`, `evt.arg.flags`), used as the key in output_fields. */
  text: string;
  /** Type after the argument is applied (an index into a list field gives one value: list false). */
  type: FieldType;
  list: boolean;
  /**
   * Set for `proc.aname`, `proc.apid`, `proc.aexe`, `proc.aexepath` (and `proc.acmdline`) without
   * an index: extraction gives every ancestor (an array) and, unlike a list field, any
   * operator applies and the check holds when it holds for ANY ancestor
   * (`sinsp_filtercheck_thread.cpp: compare_full_aname`). In outputs, join the values with spaces.
   */
  anyOf?: boolean;
  /**
   * The field's value in an event. A plain function (an arrow or closure): the compiler calls
   * it detached from the BoundField, so it must not use `this`.
   */
  extract: (event: E) => Extracted;
}

/** Thrown by FieldSource.bind with Falco's wording (`filter_check called with nonexistent field x`…). */
export class FieldError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FieldError';
  }
}

/** An event source: its field table and how to read its events. */
export interface FieldSource<E = unknown> {
  /** `syscall`, `k8s_audit`. */
  readonly name: string;
  /** Every field, for `palisade rules fields` and validation. */
  readonly fields: readonly FieldDef[];
  /**
   * Resolves a field token (longest-prefix: `evt.arg.flags` → `evt.arg` + `flags`) and its
   * bracket argument. Throws FieldError when the field does not exist or the argument is wrong.
   */
  bind(field: string, arg?: string): BoundField<E>;
  /** Event time in ns since the epoch (for alerts), when the event has one. */
  timeNs(event: E): bigint | undefined;
  /** The event type used to index rules (`evt.type` for syscalls); undefined when the source has one type. */
  eventType(event: E): string | undefined;
}

// ---------------------------------------------------------------------------------------------
// Rules

/** Falco priorities, most severe first (the index is Falco's enum value). */
export const PRIORITIES = ['Emergency', 'Alert', 'Critical', 'Error', 'Warning', 'Notice', 'Informational', 'Debug'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** A Falco load-result message (falco_load_result.h). */
export interface LoadMessage {
  /** `LOAD_ERR_YAML_PARSE`, `LOAD_UNUSED_MACRO`… */
  code: string;
  message: string;
  file: string;
  /** 1-based line and column of the item (or of the offending key) in `file`. */
  line: number;
  column: number;
  itemType?: 'rule' | 'macro' | 'list' | 'required_engine_version' | 'required_plugin_versions' | 'exception' | 'rules content';
  itemName?: string;
}

/** A rule after loading: what it says and its compiled condition. */
export interface LoadedRule {
  name: string;
  desc: string;
  /** The condition as written (after appends/overrides), and after exceptions, lists and macros, printed as Falco does. */
  condition: string;
  conditionCompiled: string;
  ast: Expr;
  output: string;
  priority: Priority;
  source: string;
  tags: string[];
  enabled: boolean;
  /** Event types the rule can match (syscall source); undefined = any. */
  eventTypes?: ReadonlySet<string>;
  file: string;
  line: number;
}

// ---------------------------------------------------------------------------------------------
// Alerts (Falco's JSON alert)

/**
 * A typed value in `output_fields`: what libsinsp's `tojson` gives. 64-bit numbers beyond 2^53
 * (timestamps in ns) stay bigint so they print exactly; list fields give arrays.
 */
export type OutputFieldValue = string | number | bigint | boolean | null | Array<string | number | bigint | boolean>;

export interface Alert {
  /** UTC ISO-8601 with 9 fractional digits and `Z`, from the event's time. */
  time: string;
  rule: string;
  priority: Priority;
  /** `<time>: <Priority> <rendered output>` */
  output: string;
  output_fields: Record<string, OutputFieldValue>;
  source: string;
  tags: string[];
  hostname: string;
}
