/**
 * Label selectors with Kubernetes' semantics: matchLabels and matchExpressions
 * (In, NotIn, Exists, DoesNotExist) are ANDed; an empty selector ({}) selects everything;
 * a missing selector is the caller's decision (it means "nothing" for most objects).
 */
import { isObj } from './podspec.js';

export type Labels = Readonly<Record<string, string>>;

/** Labels as strings (manifests sometimes hold numbers or booleans there). */
export function labelsOf(value: unknown): Record<string, string> {
  // A plain object (facts cross to worker threads by structured clone, which drops prototypes).
  const out: Record<string, string> = {};
  if (!isObj(value)) return out;
  for (const k in value) {
    if (!Object.prototype.hasOwnProperty.call(value, k)) continue;
    const v = value[k];
    if (v === null || v === undefined) continue;
    const text = typeof v === 'string' ? v : String(v);
    // `__proto__` would set the prototype by assignment: define it as the ordinary key it is.
    if (k === '__proto__') Object.defineProperty(out, k, { value: text, enumerable: true, writable: true, configurable: true });
    else out[k] = text;
  }
  return out;
}

/** Whether `selector` (a LabelSelector object) selects `labels`. Invalid selectors select nothing. */
export function selectorMatches(selector: unknown, labels: Labels): boolean {
  if (!isObj(selector)) return false;
  const matchLabels = selector.matchLabels;
  if (matchLabels !== undefined && matchLabels !== null) {
    if (!isObj(matchLabels)) return false;
    for (const [k, v] of Object.entries(matchLabels)) {
      // A null value is not a label value (labelsOf drops it too): it matches nothing.
      if (v === null || v === undefined || !Object.prototype.hasOwnProperty.call(labels, k) || labels[k] !== String(v)) return false;
    }
  }
  const exprs = selector.matchExpressions;
  if (exprs !== undefined && exprs !== null) {
    if (!Array.isArray(exprs)) return false;
    for (const e of exprs) {
      if (!isObj(e) || typeof e.key !== 'string') return false;
      const values = Array.isArray(e.values) ? e.values.map(String) : [];
      const has = Object.prototype.hasOwnProperty.call(labels, e.key);
      switch (e.operator) {
        case 'In': if (!has || !values.includes(labels[e.key])) return false; break;
        case 'NotIn': if (has && values.includes(labels[e.key])) return false; break;
        case 'Exists': if (!has) return false; break;
        case 'DoesNotExist': if (has) return false; break;
        default: return false;
      }
    }
  }
  return true;
}

/** True for `{}` (no matchLabels entries and no matchExpressions): selects every object. */
export function isEmptySelector(selector: unknown): boolean {
  if (!isObj(selector)) return false;
  const ml = selector.matchLabels;
  const me = selector.matchExpressions;
  return (ml === undefined || ml === null || (isObj(ml) && Object.keys(ml).length === 0)) && (me === undefined || me === null || (Array.isArray(me) && me.length === 0));
}
