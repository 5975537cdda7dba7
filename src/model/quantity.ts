import { memoizeString } from './memo.js';
import { isObj } from './podspec.js';

/**
 * Kubernetes resource quantities ("500m", "1Gi", "2", 0.5, "1e3"), as numbers in base
 * units. Manifests sometimes carry plain numbers where strings are expected; both parse.
 */
const SUFFIX: Record<string, number> = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** The value in base units, or undefined when it is not a quantity. */
export function parseQuantity(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  return parseWholeQuantity(value) ?? parseQuantityCached(value);
}

/**
 * A container's (or a pod's) `resources.<section>.<name>` as checks judge it: its value in base
 * units (0 included), QUANTITY_MISSING (unset, null, or no such section) or QUANTITY_INVALID
 * (not a quantity, or negative). Numbers, not objects: this runs for every request and limit
 * of every container.
 */
export function resourceQuantity(resources: unknown, section: 'limits' | 'requests', name: 'cpu' | 'memory'): number {
  const raw = rawResourceQuantity(resources, section, name);
  if (raw === undefined || raw === null) return QUANTITY_MISSING;
  const value = parseQuantity(raw);
  return value === undefined || value < 0 ? QUANTITY_INVALID : value;
}

export const QUANTITY_MISSING = -1;
export const QUANTITY_INVALID = -2;

/** The field resourceQuantity reads, as written (for messages about an invalid one). */
export function rawResourceQuantity(resources: unknown, section: 'limits' | 'requests', name: 'cpu' | 'memory'): unknown {
  const sec = isObj(resources) ? resources[section] : undefined;
  return isObj(sec) ? sec[name] : undefined;
}

/**
 * Multipliers of the one-letter decimal suffixes (by character code), and of the binary ones (by
 * their first letter); 0 for any other character. Arrays, not maps: a map hashes its key first,
 * and this runs for every request and limit of every container.
 */
const DECIMAL = new Float64Array(128);
const BINARY = new Float64Array(128);
for (const c of 'numkMGTPE') DECIMAL[c.charCodeAt(0)] = SUFFIX[c];
for (const c of 'KMGTPE') BINARY[c.charCodeAt(0)] = SUFFIX[`${c}i`];

/**
 * The shape nearly every manifest uses, read without a regular expression or a cache lookup
 * (this runs for every request and limit of every container): whole digits and an optional
 * suffix, `250m`, `512Mi`, `2`. Undefined for anything else, which the full parser handles.
 */
function parseWholeQuantity(s: string): number | undefined {
  const n = s.length;
  let i = 0;
  let v = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) break;
    v = v * 10 + (c - 48);
  }
  // No digits, or more than a double holds exactly: the full parser decides.
  if (i === 0 || i > 15) return undefined;
  if (i === n) return v;
  const first = s.charCodeAt(i);
  if (first >= 128) return undefined;
  if (i + 1 === n) {
    const m = DECIMAL[first];
    return m === 0 ? undefined : v * m;
  }
  if (i + 2 === n && s.charCodeAt(i + 1) === 105 /* i */) {
    const m = BINARY[first];
    return m === 0 ? undefined : v * m;
  }
  return undefined;
}

// The same few quantities ("100m", "128Mi") repeat across a whole corpus.
const parseQuantityCached = memoizeString((value) => parseQuantityText(value));

function parseQuantityText(value: string): number | undefined {
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$/.exec(value.trim());
  if (!m) return undefined;
  const base = Number(m[1]);
  // Zero stays zero whatever its exponent (0 × 10^999 would be NaN in floating point).
  if (m[2] !== undefined) return base === 0 ? 0 : base * 10 ** Number(m[2].slice(1));
  return base * SUFFIX[m[3] ?? ''];
}
