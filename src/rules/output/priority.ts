/** Falco priorities: parsing, ordering and the syslog severity each maps to. */
import { PRIORITIES, type Priority } from '../types.js';

const BY_LOWER_NAME = new Map<string, Priority>(PRIORITIES.map((p) => [p.toLowerCase(), p]));
// falco_common.cpp accepts the short form as an alias of the long one.
BY_LOWER_NAME.set('info', 'Informational');

/** Case-insensitive, with `info` for `Informational`; undefined for anything else. */
export function parsePriority(text: string): Priority | undefined {
  return BY_LOWER_NAME.get(text.trim().toLowerCase());
}

/** Falco's enum value: Emergency = 0 … Debug = 7 (severity falls as the number grows). */
export function priorityNumber(priority: Priority): number {
  return PRIORITIES.indexOf(priority);
}

/** Whether `priority` is at least as severe as `min` (Falco's `priority <= min` on the enum). */
export function priorityAtLeast(priority: Priority, min: Priority): boolean {
  return priorityNumber(priority) <= priorityNumber(min);
}

/** Falco's priorities are the syslog levels, in the same order (LOG_EMERG = 0 … LOG_DEBUG = 7). */
export function syslogSeverity(priority: Priority): number {
  return priorityNumber(priority);
}
