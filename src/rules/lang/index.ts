/** The Falco condition language: parser, printer (Falco's `condition_compiled`), compiler, analysis. */
export { parseCondition, parseOperandPrefix, SUPPORTED_OPERATORS, type ParseOptions } from './parser.js';
export { asString, operandAsString } from './printer.js';
export { escapeValue, unescapeQuoted } from './escaping.js';
export {
  compileCondition,
  compileOperand,
  compileParsedOperand,
  type CompileOptions,
  type CompiledOutputOperand,
  type Predicate,
} from './compiler.js';
export { ConditionCompileError } from './errors.js';
export { collectFields, eventTypes, eventTypeSet, fieldValueSet, type EventTypeSet } from './analysis.js';
export { fnmatch } from './glob.js';
