import { PRIORITIES, type Priority } from '../types.js';

/** Falco's parse_priority: case-insensitive, with `info` for Informational. */
export function parsePriority(text: string): Priority | undefined {
  const lower = text.toLowerCase();
  if (lower === 'info') return 'Informational';
  return PRIORITIES.find((p) => p.toLowerCase() === lower);
}

/** Falco's numeric order: 0 = Emergency … 7 = Debug. */
export function priorityRank(p: Priority): number {
  return PRIORITIES.indexOf(p);
}
