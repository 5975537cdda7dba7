/**
 * Lists: expansion of earlier lists inside lists, and the textual substitution of list names in
 * condition text before parsing (Falco's resolve_list), including its quirks: any delimited
 * token equal to a list name is replaced, blanks around it are eaten, an empty list takes one
 * adjacent comma with it.
 */
import type { ListInfo } from './infos.js';
import { quoteItem } from './text-items.js';

const BLANKS = ' \t\n\r';
const DELIMITERS = BLANKS + '(),=';

/** A list after list-in-list expansion; `used` is set when a condition or a later list refers to it. */
export interface CompiledList {
  name: string;
  /** Items, unquoted, after expanding references to earlier lists. */
  items: string[];
  info: ListInfo;
  used: boolean;
}

/** Expands items naming a list defined before the referring list's latest definition/append. */
export function compileLists(infos: readonly ListInfo[]): Map<string, CompiledList> {
  const byName = new Map(infos.map((l) => [l.name, l]));
  const out = new Map<string, CompiledList>();
  const usedNames = new Set<string>();
  for (const list of infos) {
    const items: string[] = [];
    for (const item of list.items) {
      const ref = byName.get(item);
      if (ref && ref.index < list.visibility) {
        usedNames.add(ref.name);
        items.push(...ref.items);
      } else {
        items.push(item);
      }
    }
    out.set(list.name, { name: list.name, items, info: list, used: false });
  }
  for (const name of usedNames) out.get(name)!.used = true;
  return out;
}

/** Thrown when substitution makes a condition absurdly long (lists that multiply each other). */
export class ConditionTooLongError extends Error {}

/**
 * Replaces every delimited occurrence of `list.name` in `text` by its quoted, comma-joined
 * items. Returns undefined when the name does not occur.
 */
export function substituteList(text: string, name: string, items: readonly string[], maxLength: number): string | undefined {
  if (name === '') return undefined;
  let cnd = text;
  let used = false;
  let start = cnd.indexOf(name);
  const sub = items.map(quoteItem).join(', ');
  while (start >= 0) {
    let end = start + name.length;
    const delimitedBefore = start === 0 || DELIMITERS.includes(cnd[start - 1]!);
    const delimitedAfter = end >= cnd.length || DELIMITERS.includes(cnd[end]!);
    if (delimitedBefore && delimitedAfter) {
      while (start > 0 && BLANKS.includes(cnd[start - 1]!)) start--;
      while (end < cnd.length && BLANKS.includes(cnd[end]!)) end++;
      if (sub === '') {
        if (start > 0 && cnd[start - 1] === ',') start--;
        else if (end < cnd.length && cnd[end] === ',') end++;
      }
      const before = start > 0 ? cnd.slice(0, start) + ' ' : '';
      cnd = before + sub + ' ' + cnd.slice(end);
      if (cnd.length > maxLength) throw new ConditionTooLongError(`Condition exceeds ${maxLength} characters after list substitution`);
      start = start + sub.length + 1;
      used = true;
    }
    start = cnd.indexOf(name, start + 1);
  }
  return used ? cnd : undefined;
}

/** Applies every list, in definition order, marking those used. */
export function substituteLists(text: string, lists: Iterable<CompiledList>, maxLength: number): string {
  let cnd = text;
  for (const list of lists) {
    const next = substituteList(cnd, list.name, list.items, maxLength);
    if (next !== undefined) {
      cnd = next;
      list.used = true;
    }
  }
  return cnd;
}
