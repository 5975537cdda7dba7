/** What the reader collects from rules files, before compilation (Falco's *_info structs). */
import type { Priority } from '../types.js';
import type { Context } from './messages.js';
import type { Node } from './yaml-nodes.js';

/** A scalar or a (possibly nested) list, as exception fields/comps/values are written. */
export interface Entry {
  isList: boolean;
  item: string;
  items: Entry[];
}

export interface ExceptionInfo {
  name: string;
  /** undefined: not given (allowed when appending values to an existing exception). */
  fields?: Entry;
  comps?: Entry;
  values: Entry[];
  ctx: Context;
}

interface Collected {
  name: string;
  /** Position in evaluation/definition order: the first definition's sequence number. */
  index: number;
  /** Sequence number of the latest define/append/override: what the item can see. */
  visibility: number;
  ctx: Context;
}

export interface ListInfo extends Collected {
  items: string[];
}

export interface MacroInfo extends Collected {
  cond: string;
  condNode: Node;
  condCtx: Context;
}

export interface RuleInfo extends Collected {
  cond: string;
  condNode: Node;
  condCtx: Context;
  output: string;
  outputCtx: Context;
  desc: string;
  priority: Priority;
  source: string;
  enabled: boolean;
  warnEvttypes: boolean;
  skipIfUnknownFilter: boolean;
  capture: boolean;
  captureDuration: number;
  tags: Set<string>;
  exceptions: ExceptionInfo[];
  unknownSource: boolean;
}

/** An append or a selective replace of an existing rule: only the keys given. */
export interface RuleUpdate {
  name: string;
  ctx: Context;
  source?: string;
  cond?: string;
  condNode?: Node;
  output?: string;
  desc?: string;
  priority?: Priority;
  enabled?: boolean;
  warnEvttypes?: boolean;
  skipIfUnknownFilter?: boolean;
  capture?: boolean;
  captureDuration?: number;
  tags?: Set<string>;
  exceptions?: ExceptionInfo[];
}

export interface EngineVersionRequirement {
  version: string;
  ctx: Context;
}

export interface PluginRequirement {
  name: string;
  version: string;
}
