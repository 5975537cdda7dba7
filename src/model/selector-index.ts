/**
 * Label selectors against many objects at once, without testing every pair. A selector with
 * matchLabels selects only objects that carry one of its labels with exactly that value, so
 * only those need testing: objects are grouped by the value of a label, selectors by one of
 * their required labels. Every answer is still selectorMatches's (or the caller's test): the
 * indexes only choose which pairs are tested, so a namespace with a thousand workloads and a
 * hundred policies costs a few tests per object, not a hundred thousand.
 */
import { isObj } from './podspec.js';
import { selectorMatches, type Labels } from './selector.js';

const hasOwn = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/** Below this many items, testing each is cheaper than building an index. */
const INDEX_FROM = 8;

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

/** Items grouped by the value of one label key (items without the label are left out). */
function groupByLabel<T>(items: readonly T[], labelsOf: (item: T) => Labels, key: string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const labels = labelsOf(item);
    if (!hasOwn(labels, key)) continue;
    const value = labels[key];
    const list = out.get(value);
    if (list) list.push(item);
    else out.set(value, [item]);
  }
  return out;
}

/** Labelled objects (workloads, pods), asked whether a selector selects any of them. */
export class LabelledItems<T> {
  /** By label key (built for a key when a selector first needs it): items by that label's value. */
  private readonly byKey = new Map<string, Map<string, T[]>>();

  constructor(readonly items: readonly T[], private readonly labelsOf: (item: T) => Labels) {}

  /** Whether `selector` (a LabelSelector: selectorMatches's meaning) selects at least one item. */
  someSelected(selector: unknown): boolean {
    const need = this.items.length < INDEX_FROM ? undefined : requiredLabel(selector);
    const candidates = need ? this.withLabel(need[0]).get(need[1]) : this.items;
    if (!candidates) return false;
    for (const item of candidates) if (selectorMatches(selector, this.labelsOf(item))) return true;
    return false;
  }

  private withLabel(key: string): Map<string, T[]> {
    let index = this.byKey.get(key);
    if (!index) this.byKey.set(key, (index = groupByLabel(this.items, this.labelsOf, key)));
    return index;
  }
}

/**
 * Selector-bearing objects (NetworkPolicies, PodDisruptionBudgets), asked whether any of them
 * selects given labels. `selects` is the caller's exact test, which may give a missing selector
 * its own meaning; an object is tested only when its selector could select the labels.
 */
export class SelectorIndex<T> {
  /** Objects whose selector requires no single label: tested against every set of labels. */
  private readonly always: T[] = [];
  /** The others, by their required label's key, then value. */
  private readonly byLabel = new Map<string, Map<string, T[]>>();

  constructor(
    readonly items: readonly T[],
    selectorOf: (item: T) => unknown,
    private readonly selects: (item: T, labels: Labels) => boolean,
  ) {
    for (const item of items) {
      const need = items.length < INDEX_FROM ? undefined : requiredLabel(selectorOf(item));
      if (!need) {
        this.always.push(item);
        continue;
      }
      let byValue = this.byLabel.get(need[0]);
      if (!byValue) this.byLabel.set(need[0], (byValue = new Map()));
      const list = byValue.get(need[1]);
      if (list) list.push(item);
      else byValue.set(need[1], [item]);
    }
  }

  /** Whether some object selects `labels`. */
  someSelects(labels: Labels): boolean {
    for (const item of this.always) if (this.selects(item, labels)) return true;
    if (this.byLabel.size === 0) return false;
    for (const key in labels) {
      if (!hasOwn(labels, key)) continue;
      const candidates = this.byLabel.get(key)?.get(labels[key]);
      if (candidates) for (const item of candidates) if (this.selects(item, labels)) return true;
    }
    return false;
  }
}
