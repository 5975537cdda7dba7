/**
 * kubesec's per-document report (`pkg/ruler/ruleset.go:generateReport`), field for field:
 *
 *   { object, valid, fileName, message, score, scoring: { critical, passed, advise } }
 *
 * - `object` is `<kind>/<metadata.name>.<metadata.namespace>` printed with Go's `%v`, with
 *   `undefined` for a missing name, `default` for a missing namespace, and `Unknown` when
 *   there is no kind at all. A present-but-empty namespace prints as a bare `.`.
 * - A document that fails the schema step is `valid: false`, score 0, `scoring: {}`, and the
 *   message is the schema error (see schema.ts).
 * - Every rule whose kinds include the object's kind is "applied". A matched rule with
 *   points >= 0 goes to `passed`, a matched rule with points < 0 to `critical`, an unmatched
 *   rule with points >= 0 to `advise`; the score is the sum of the matched rules' points,
 *   each rule counted once however many containers matched.
 * - When the document has no `kind` key at all (only an empty document gets past the schema
 *   step that way), upstream cannot read the kind and treats *every* rule as applied and
 *   unmatched: all positive rules land in `advise`, score 0.
 * - No applied rule: "This resource kind is not supported by kubesec", score 0.
 * - Otherwise "Passed with a score of N points" when N >= 0 (0 included), else
 *   "Failed with a score of N points".
 * - Each list is sorted: by points, larger magnitude first (descending for positive points,
 *   most negative first otherwise), then by selector text; empty lists are omitted.
 */
import { goValue, lookup } from './golike.js';
import { KUBESEC_RULES, type KubesecRule } from './rules.js';
import { schemaMessage } from './schema.js';

/** One scoring entry, in kubesec's field order. */
export interface KubesecRuleRef {
  id: string;
  selector: string;
  reason: string;
  points: number;
}

export interface KubesecScoring {
  critical?: KubesecRuleRef[];
  passed?: KubesecRuleRef[];
  advise?: KubesecRuleRef[];
}

/** One element of kubesec's JSON array, in kubesec's field order. */
export interface KubesecResult {
  object: string;
  valid: boolean;
  fileName: string;
  message?: string;
  score: number;
  scoring: KubesecScoring;
}

export const NOT_SUPPORTED = 'This resource kind is not supported by kubesec';

/** kubesec's `<kind>/<name>.<namespace>`. */
export function kubesecObjectName(object: unknown): string {
  const kind = lookup(object, ['kind']).value;
  if (kind === null || kind === undefined) return 'Unknown';
  const name = lookup(object, ['metadata', 'name']).value;
  const namespace = lookup(object, ['metadata', 'namespace']).value;
  const n = name === null || name === undefined ? 'undefined' : goValue(name);
  const ns = namespace === null || namespace === undefined ? 'default' : goValue(namespace);
  return `${goValue(kind)}/${n}.${ns}`;
}

/** kubesec's RuleRefCustomOrder. */
export function compareRuleRefs(a: KubesecRuleRef, b: KubesecRuleRef): number {
  if (a.points !== b.points) {
    if (a.points > 0 || b.points > 0) return b.points - a.points;
    return a.points - b.points;
  }
  return a.selector < b.selector ? -1 : a.selector > b.selector ? 1 : 0;
}

function ref(rule: KubesecRule): KubesecRuleRef {
  return { id: rule.id, selector: rule.selector, reason: rule.reason, points: rule.points };
}

/**
 * Scores one decoded document the way `kubesec scan` does. `rules` defaults to all 30 (pass a
 * subset to mirror `kubesec scan --rules`).
 */
export function kubesecScore(object: unknown, fileName: string, rules: readonly KubesecRule[] = KUBESEC_RULES): KubesecResult {
  const name = kubesecObjectName(object);
  const invalid = schemaMessage(object);
  if (invalid !== '') {
    return { object: name, valid: false, fileName, message: invalid, score: 0, scoring: {} };
  }

  // Upstream reads `kind` per rule; when that read fails (no kind key, or not an object) the
  // rule is still reported, with no match.
  const kindRead = lookup(object, ['kind']);
  const kind = kindRead.value;
  const critical: KubesecRuleRef[] = [];
  const passed: KubesecRuleRef[] = [];
  const advise: KubesecRuleRef[] = [];
  let applied = 0;
  let score = 0;
  for (const rule of rules) {
    let matches: number;
    if (!kindRead.found) {
      matches = 0;
    } else if (typeof kind === 'string' && rule.kinds.includes(kind)) {
      matches = rule.predicate(object);
    } else {
      continue; // rule does not apply to this kind
    }
    applied++;
    if (matches > 0) {
      score += rule.points;
      (rule.points >= 0 ? passed : critical).push(ref(rule));
    } else if (rule.points >= 0) {
      advise.push(ref(rule));
    }
  }

  let message: string;
  if (applied < 1) message = NOT_SUPPORTED;
  else if (score >= 0) message = `Passed with a score of ${score} points`;
  else message = `Failed with a score of ${score} points`;

  const scoring: KubesecScoring = {};
  if (critical.length > 0) scoring.critical = critical.sort(compareRuleRefs);
  if (passed.length > 0) scoring.passed = passed.sort(compareRuleRefs);
  if (advise.length > 0) scoring.advise = advise.sort(compareRuleRefs);
  return { object: name, valid: true, fileName, message, score, scoring };
}

/** Whether kubesec would count this result as a failure for its exit code. */
export function kubesecFailed(result: KubesecResult): boolean {
  return result.score <= 0;
}

