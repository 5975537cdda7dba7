/** What the loader hands out: rules with their compiled filter, macros and lists with usage. */
import type { LoadedRule } from '../types.js';
import type { LoaderMessage } from './messages.js';

export interface CompiledRule extends LoadedRule {
  /** The compiled condition, when ../lang provides a compiler. */
  filter?: (event: unknown) => boolean;
  /** Fields named by the rule's exceptions (sorted). */
  exceptionFields: string[];
  /** Fields referenced by the output format. */
  outputFields: string[];
  capture: boolean;
  captureDuration: number;
  warnEvttypes: boolean;
  skipIfUnknownFilter: boolean;
}

export interface CompiledMacro {
  name: string;
  condition: string;
  conditionCompiled: string;
  used: boolean;
  file: string;
  line: number;
}

export interface FileLoadResult {
  file: string;
  successful: boolean;
  errors: LoaderMessage[];
  warnings: LoaderMessage[];
}
