/** The Falco condition language: parser, printer (Falco's `condition_compiled`) and compiler. */
export { parseCondition, parseOperandPrefix, SUPPORTED_OPERATORS, type ParseOptions } from './parser.js';
export { asString, operandAsString } from './printer.js';
export { escapeValue, unescapeQuoted } from './escaping.js';
