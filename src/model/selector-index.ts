/**
 * Label selectors against many objects at once, without testing every pair. A selector with
 * matchLabels selects only objects that carry one of its labels with exactly that value, so
 * once many selectors have been asked about the same objects, these are grouped by the value
 * of that label and only the group is tested. Every answer is still selectorMatches's: the
 * index only chooses which objects are tested, so a namespace with a thousand workloads and a
 * hundred policies costs a few tests per policy, not a hundred thousand.
 */
import { groupBy, isObj } from './podspec.js';
import { labelText, selectorMatches, type Labels } from './selector.js';

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
    return v === null || v === undefined ? undefined : [k, labelText(v)];
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

  /**
   * Every item `selects` says `selector` selects, in item order; `selects` (default:
   * selectorMatches) must select only what selectorMatches does when the selector requires a
   * label. Only the items carrying that label are tested.
   */
  allSelected(selector: unknown, selects: (labels: Labels) => boolean = (labels) => selectorMatches(selector, labels)): T[] {
    const need = requiredLabel(selector);
    const candidates = need ? this.withLabel(need[0]).get(need[1]) ?? [] : this.items;
    return candidates.filter((item) => selects(this.labelsOf(item)));
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

/**
 * Label selectors (NetworkPolicy podSelectors, …), asked whether any of them selects an
 * object's labels: LabelledItems turned around. A selector that requires a label (its first
 * matchLabels entry) can only select objects carrying that label with that value, so
 * selectors are grouped by it and an object is tested only against the selectors grouped
 * under its own labels, and those that require none. Testing every selector for every object
 * made a namespace with 1,200 workloads and 100 policies cost 120,000 tests; every answer is
 * still `selects`'s.
 */
export class LabelSelectors<T> {
  /** Selectors that require no label: tested for every object. */
  private readonly open: T[] = [];
  /** By required label key, then value: the selectors that require it. */
  private readonly byLabel = new Map<string, Map<string, T[]>>();

  /**
   * @param selectorOf the item's label selector, by which it is grouped.
   * @param selects whether the item selects labels (default: its selector, as selectorMatches
   * says). It must select only what selectorMatches(selectorOf(item), labels) selects, except
   * for items whose selector requires no label (a NetworkPolicy's null podSelector selects
   * every pod; a PodDisruptionBudget's `{}` does in policy/v1).
   */
  constructor(
    readonly items: readonly T[],
    selectorOf: (item: T) => unknown,
    private readonly selects: (item: T, labels: Labels) => boolean = (item, labels) => selectorMatches(selectorOf(item), labels),
  ) {
    for (const item of items) {
      const need = requiredLabel(selectorOf(item));
      if (!need) {
        this.open.push(item);
        continue;
      }
      let byValue = this.byLabel.get(need[0]);
      if (!byValue) this.byLabel.set(need[0], (byValue = new Map()));
      const list = byValue.get(need[1]);
      if (list) list.push(item);
      else byValue.set(need[1], [item]);
    }
  }

  /** Whether some selector selects `labels`. */
  someSelects(labels: Labels): boolean {
    for (const item of this.open) if (this.selects(item, labels)) return true;
    if (this.byLabel.size === 0) return false;
    for (const key in labels) {
      if (!hasOwn(labels, key)) continue;
      const candidates = this.byLabel.get(key)?.get(labels[key]);
      if (candidates) for (const item of candidates) if (this.selects(item, labels)) return true;
    }
    return false;
  }
}
