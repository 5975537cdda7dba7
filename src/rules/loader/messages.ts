/**
 * Falco's load-result vocabulary: message codes, the fixed texts that tests match on, and the
 * shape of one diagnostic as this loader records it.
 */
import type { LoadMessage } from '../types.js';

export const WARNING_APPEND =
  "'append' key is deprecated. Add an 'append' entry (e.g. 'condition: append') under 'override' instead.";
export const WARNING_ENABLED =
  "The standalone 'enabled' key usage is deprecated. The correct approach requires also a 'replace' entry under the 'override' key (i.e. 'enabled: replace').";
export const WARNING_NO_EVTTYPE = 'Rule matches too many evt.type values. This has a significant performance penalty.';
export const ERROR_OVERRIDE_APPEND =
  "Keys 'override' and 'append: true' cannot be used together. Add an 'append' entry (e.g. 'condition: append') under 'override' instead.";
export const ERROR_NO_PREVIOUS_MACRO =
  "Macro uses 'append' or 'override.condition: append' but no macro by that name already exists";
export const ERROR_NO_PREVIOUS_LIST = "List uses 'append' or 'override.items: append' but no list by that name already exists";
export const ERROR_NO_PREVIOUS_RULE_APPEND =
  "Rule uses 'append' or 'override.<key>: append' but no rule by that name already exists";
export const ERROR_NO_PREVIOUS_RULE_REPLACE =
  "An 'override.<key>: replace' to a rule was requested but no rule by that name already exists";

/** Human descriptions of the codes (Falco's `codedesc`). */
export const CODE_DESCRIPTIONS: Record<string, string> = {
  LOAD_ERR_FILE_READ: 'Error reading file',
  LOAD_ERR_YAML_PARSE: 'Invalid YAML',
  LOAD_ERR_YAML_VALIDATE: 'Error validating internal structure of YAML file',
  LOAD_ERR_COMPILE_CONDITION: 'Error compiling condition',
  LOAD_ERR_COMPILE_OUTPUT: 'Error compiling output',
  LOAD_ERR_VALIDATE: 'Error validating rule/macro/list/exception objects',
  LOAD_ERR_EXTENSION: 'Error in extension item',
  LOAD_UNKNOWN_SOURCE: 'Unknown event source',
  LOAD_UNSAFE_NA_CHECK: 'Unsafe <NA> comparison in condition',
  LOAD_NO_EVTTYPE: 'Condition has no event-type restriction',
  LOAD_UNKNOWN_FILTER: 'Unknown field or event-type in condition or output',
  LOAD_UNUSED_MACRO: 'Unused macro',
  LOAD_UNUSED_LIST: 'Unused list',
  LOAD_UNKNOWN_ITEM: 'Unknown rules file item',
  LOAD_DEPRECATED_ITEM: 'Used deprecated item',
  LOAD_WARNING_EXTENSION: 'Warning in extension item',
  LOAD_APPEND_NO_VALUES: 'Overriding/appending with no values',
  LOAD_EXCEPTION_NAME_NOT_UNIQUE: 'Multiple exceptions defined with the same name',
  LOAD_INVALID_MACRO_NAME: 'Invalid macro name',
  LOAD_INVALID_LIST_NAME: 'Invalid list name',
  LOAD_COMPILE_CONDITION: 'Warning in rule condition',
  LOAD_UNKNOWN_KEY: 'Unknown key',
};

/** Where something is in a rules file. */
export interface Position {
  /** 0-based character offset. */
  offset: number;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

export type ItemType = NonNullable<LoadMessage['itemType']>;

/** Which item a diagnostic is about and where exactly. */
export interface Context {
  file: string;
  itemType?: ItemType;
  itemName?: string;
  /** Start of the item. */
  itemPos?: Position;
  /** The precise spot (a key, a value, a token of the condition). */
  pos: Position;
  /** The source line at `pos`. */
  snippet?: string;
}

/** A LoadMessage with the extra location detail Falco's JSON load result carries. */
export interface LoaderMessage extends LoadMessage {
  offset: number;
  snippet?: string;
  itemLine?: number;
  itemColumn?: number;
  itemOffset?: number;
}

/** A problem that stops loading the current file. */
export class LoadError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly ctx: Context,
  ) {
    super(message);
    this.name = 'LoadError';
  }
}

export function toMessage(code: string, message: string, ctx: Context): LoaderMessage {
  const msg: LoaderMessage = {
    code,
    message,
    file: ctx.file,
    line: ctx.pos.line,
    column: ctx.pos.column,
    offset: ctx.pos.offset,
  };
  if (ctx.itemType) msg.itemType = ctx.itemType;
  if (ctx.itemName !== undefined) msg.itemName = ctx.itemName;
  if (ctx.snippet !== undefined) msg.snippet = ctx.snippet;
  if (ctx.itemPos) {
    msg.itemLine = ctx.itemPos.line;
    msg.itemColumn = ctx.itemPos.column;
    msg.itemOffset = ctx.itemPos.offset;
  }
  return msg;
}

/** Collects the diagnostics of one file. */
export class FileResult {
  readonly errors: LoaderMessage[] = [];
  readonly warnings: LoaderMessage[] = [];
  constructor(readonly file: string) {}
  error(code: string, message: string, ctx: Context): void {
    this.errors.push(toMessage(code, message, ctx));
  }
  warn(code: string, message: string, ctx: Context): void {
    this.warnings.push(toMessage(code, message, ctx));
  }
  get successful(): boolean {
    return this.errors.length === 0;
  }
}
