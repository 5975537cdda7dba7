/**
 * Label selectors against many objects at once, without testing every pair. A selector with
 * matchLabels selects only objects that carry one of its labels with exactly that value, so
 * once many selectors have been asked about the same objects, these are grouped by the value
 * of that label and only the group is tested. Every answer is still selectorMatches's: the
 * index only chooses which objects are tested, so a namespace with a thousand workloads and a
 * hundred policies costs a few tests per policy, not a hundred thousand.
 */
import { groupBy, isObj } from './podspec.js';
import { selectorMatches, type Labels } from './selector.js';

const hasOwn = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/**
 * Questions answered by testing every item before an index is built. Building one costs more
 * than a scan (a map insert per item against a failed comparison, which is usually one key),
 * so it pays off only over many questions; in the benchmark corpus most namespaces are asked
 * about a few times and the first items usually answer.
 */
const SCANS_BEFORE_INDEX = 16;

/**
 * One label every object `selector` selects must carry, as (key, value): its first matchLabels
 * entry, compared as selectorMatches compares it. Undefined when there is no such entry, or when
 * the entry matches nothing (a null value), which selectorMatches then says for itself.
 */
export function requiredLabel(selector: unknown): readonly [string, string] | undefined {
  if (!isObj(selector)) return undefined;
  const ml = selector.matchLabels;
  if (!isObj(ml)) return undefined;
  for (const k in ml) {
    if (!hasOwn(ml, k)) continue;
    const v = ml[k];
    return v === null || v === undefined ? undefined : [k, String(v)];
  }
  return undefined;
}


/** Labelled objects (workloads, pods), asked whether a selector selects any of them. */
export class LabelledItems<T> {
  /** By label key (built for a key when a selector first needs it): items by that label's value. */
  private readonly byKey = new Map<string, Map<string, T[]>>();

  /** Questions answered so far (see SCANS_BEFORE_INDEX). */
  private asked = 0;

  constructor(readonly items: readonly T[], private readonly labelsOf: (item: T) => Labels) {}

  /** Whether `selector` (a LabelSelector: selectorMatches's meaning) selects at least one item. */
  someSelected(selector: unknown): boolean {
    const need = ++this.asked <= SCANS_BEFORE_INDEX ? undefined : requiredLabel(selector);
    const candidates = need ? this.withLabel(need[0]).get(need[1]) : this.items;
    if (!candidates) return false;
    for (const item of candidates) if (selectorMatches(selector, this.labelsOf(item))) return true;
    return false;
  }

  private withLabel(key: string): Map<string, T[]> {
    let index = this.byKey.get(key);
    if (!index) {
      // Items without the label are left out: no selector that requires it selects them.
      const valueOf = (item: T) => { const labels = this.labelsOf(item); return hasOwn(labels, key) ? labels[key] : undefined; };
      this.byKey.set(key, (index = groupBy(this.items, valueOf)));
    }
    return index;
  }
}
