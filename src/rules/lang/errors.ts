import type { Pos } from '../types.js';

/** A condition that parses but cannot be compiled (bad literal, operator not allowed…). */
export class ConditionCompileError extends Error {
  constructor(message: string, readonly pos?: Pos) {
    super(message);
    this.name = 'ConditionCompileError';
  }
}
