/**
 * Label selectors with Kubernetes' semantics: matchLabels and matchExpressions
 * (In, NotIn, Exists, DoesNotExist) are ANDed; an empty selector ({}) selects everything;
 * a missing selector is the caller's decision (it means "nothing" for most objects).
 */
import { ownString } from './own.js';
import { isObj } from './podspec.js';

export type Labels = Readonly<Record<string, string>>;

/**
 * A label key or value (or a selector's) as text: a string as it is, a number or boolean as
 * String gives it (manifests hold those where strings belong), and a mapping or list as its
 * JSON. Never String() of an object: it calls the object's own `toString` key, which in a
 * parsed manifest may be anything (`{toString: ""}` threw "Cannot convert object to primitive
 * value" and took the network-policy model down).
 */
export function labelText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v !== null && typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/**
 * Labels as strings (manifests sometimes hold numbers or booleans there). `keep`: the values
 * are own copies (ownString), for labels kept to the end of a scan: they then share no
 * memory with the document.
 */
export function labelsOf(value: unknown, keep = false): Record<string, string> {
  // A plain object (facts cross to worker threads by structured clone, which drops prototypes).
  const out: Record<string, string> = {};
  if (!isObj(value)) return out;
  for (const k in value) {
    if (!Object.prototype.hasOwnProperty.call(value, k)) continue;
    const v = value[k];
    if (v === null || v === undefined) continue;
    const text = keep ? ownString(labelText(v)) : labelText(v);
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
    // By own keys, without Object.entries' pairs: selectors are tested by the thousand.
    for (const k in matchLabels) {
      if (!Object.prototype.hasOwnProperty.call(matchLabels, k)) continue;
      const v = matchLabels[k];
      // A null value is not a label value (labelsOf drops it too): it matches nothing.
      if (v === null || v === undefined || !Object.prototype.hasOwnProperty.call(labels, k) || labels[k] !== labelText(v)) return false;
    }
  }
  const exprs = selector.matchExpressions;
  if (exprs !== undefined && exprs !== null) {
    if (!Array.isArray(exprs)) return false;
    for (const e of exprs) {
      if (!isObj(e) || typeof e.key !== 'string') return false;
      const values = Array.isArray(e.values) ? e.values.map(labelText) : [];
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

/** One reason a LabelSelector would be rejected by the API server, at a path inside the selector. */
export interface SelectorProblem {
  /** Path relative to the selector, e.g. ['matchExpressions', 0, 'values']. */
  path: Array<string | number>;
  message: string;
}

const SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'];
const LABEL_NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why `key` is not a label key (apimachinery IsQualifiedName), or undefined when it is one. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash === -1 ? undefined : key.slice(0, slash);
  const name = slash === -1 ? key : key.slice(slash + 1);
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    return `label key ${JSON.stringify(key)} has an invalid prefix (a DNS subdomain: lower-case letters, digits, '-' and '.')`;
  }
  if (name.length === 0 || name.length > 63 || !LABEL_NAME.test(name)) {
    return `label key ${JSON.stringify(key)} is not a qualified name (at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit)`;
  }
  return undefined;
}

/** Why `value` is not a label value (apimachinery IsValidLabelValue), or undefined when it is one. */
export function labelValueProblem(value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > 63 || !LABEL_NAME.test(value)) {
    return `label value ${JSON.stringify(value)} is not valid (at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit)`;
  }
  return undefined;
}

/**
 * What the API server's LabelSelector validation (apimachinery ValidateLabelSelector) rejects:
 * an unknown operator, In/NotIn without values, Exists/DoesNotExist with values, invalid keys
 * and values, fields of the wrong type. selectorMatches treats such selectors as selecting
 * nothing; callers that report on input use this to say why. [] for a valid selector.
 */
export function selectorProblems(selector: unknown): SelectorProblem[] {
  const out: SelectorProblem[] = [];
  if (selector === null || selector === undefined) return out;
  if (!isObj(selector)) return [{ path: [], message: `a label selector must be an object, not ${describe(selector)}` }];
  const ml = selector.matchLabels;
  if (ml !== undefined && ml !== null) {
    if (!isObj(ml)) out.push({ path: ['matchLabels'], message: `matchLabels must be a map of label keys to values, not ${describe(ml)}` });
    else {
      for (const [k, v] of Object.entries(ml)) {
        const keyProblem = labelKeyProblem(k);
        if (keyProblem) out.push({ path: ['matchLabels', k], message: keyProblem });
        if (typeof v !== 'string') {
          // The API server's decoder refuses numbers and booleans here (quote them in YAML).
          out.push({ path: ['matchLabels', k], message: `matchLabels value for ${JSON.stringify(k)} must be a string, not ${describe(v)}` });
          continue;
        }
        const valueProblem = labelValueProblem(v);
        if (valueProblem) out.push({ path: ['matchLabels', k], message: valueProblem });
      }
    }
  }
  const me = selector.matchExpressions;
  if (me !== undefined && me !== null) {
    if (!Array.isArray(me)) out.push({ path: ['matchExpressions'], message: `matchExpressions must be a list, not ${describe(me)}` });
    else {
      me.forEach((e, i) => {
        const at = ['matchExpressions', i];
        if (!isObj(e)) {
          out.push({ path: at, message: `matchExpressions[${i}] must be an object with key, operator and values, not ${describe(e)}` });
          return;
        }
        if (typeof e.key !== 'string') out.push({ path: [...at, 'key'], message: `matchExpressions[${i}].key is required (a label key)` });
        else {
          const keyProblem = labelKeyProblem(e.key);
          if (keyProblem) out.push({ path: [...at, 'key'], message: keyProblem });
        }
        const values = e.values;
        if (values !== undefined && values !== null && !Array.isArray(values)) {
          out.push({ path: [...at, 'values'], message: `matchExpressions[${i}].values must be a list, not ${describe(values)}` });
          return;
        }
        const list = Array.isArray(values) ? values : [];
        if (typeof e.operator !== 'string' || !SELECTOR_OPERATORS.includes(e.operator)) {
          out.push({ path: [...at, 'operator'], message: `matchExpressions[${i}].operator ${e.operator === undefined ? 'is required' : `${JSON.stringify(e.operator)} is not a valid operator`} (In, NotIn, Exists or DoesNotExist)` });
          return;
        }
        if ((e.operator === 'In' || e.operator === 'NotIn') && list.length === 0) {
          out.push({ path: [...at, 'values'], message: `matchExpressions[${i}]: operator ${e.operator} needs at least one value` });
        }
        if ((e.operator === 'Exists' || e.operator === 'DoesNotExist') && list.length > 0) {
          out.push({ path: [...at, 'values'], message: `matchExpressions[${i}]: operator ${e.operator} takes no values` });
        }
        list.forEach((v, j) => {
          if (typeof v !== 'string') out.push({ path: [...at, 'values', j], message: `matchExpressions[${i}].values[${j}] must be a string, not ${describe(v)}` });
          else {
            const valueProblem = labelValueProblem(v);
            if (valueProblem) out.push({ path: [...at, 'values', j], message: valueProblem });
          }
        });
      });
    }
  }
  return out;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${JSON.stringify(v)}`;
}
