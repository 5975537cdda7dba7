/** Checks: secrets. */
import type { CheckDef } from './types.js';

export const CHECKS: CheckDef[] = [];
