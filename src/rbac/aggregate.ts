/**
 * Aggregated ClusterRoles, resolved offline as the clusterrole-aggregation controller does
 * (kubernetes/kubernetes pkg/controller/clusterroleaggregation/clusterroleaggregation_controller.go,
 * syncClusterRole): for each selector in order, the selected ClusterRoles sorted by name (the
 * role itself skipped), their rules appended unless an equal rule is already there; the result
 * replaces the role's rules. The controller reruns whenever any ClusterRole changes, so chains
 * (`system:aggregate-to-view` → `view` → `edit` → `admin`) settle; here the same sync runs over
 * every aggregated role, by name, until nothing changes.
 */
import { labelsOf, selectorMatches } from '../model/index.js';
import { ruleKey } from './match.js';
import type { PolicyRule, RoleDef, RuleSource } from './types.js';

export interface AggregationResult {
  /** Passes until nothing changed (1 when nothing aggregates). */
  passes: number;
  /** False when the roles kept changing (cannot happen with finite rules; kept as a guard). */
  converged: boolean;
}

/** Selects like LabelSelectorAsSelector: `{}` selects everything; invalid selectors select nothing. */
function selects(selector: unknown, role: RoleDef): boolean {
  return selectorMatches(selector, labelsOf(role.labels));
}

export function aggregateClusterRoles(clusterRoles: ReadonlyMap<string, RoleDef>): AggregationResult {
  const all = [...clusterRoles.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const aggregated = all.filter((r) => r.aggregationSelectors !== undefined);
  // Aggregated roles start empty: whatever rules a manifest lists there are overwritten.
  for (const r of aggregated) {
    r.rules = [];
    r.ruleSources = [];
  }
  if (aggregated.length === 0) return { passes: 1, converged: true };
  const limit = aggregated.length * 2 + 4;
  for (let pass = 1; pass <= limit; pass++) {
    let changed = false;
    for (const target of aggregated) {
      const rules: PolicyRule[] = [];
      const sources: RuleSource[] = [];
      const seen = new Set<string>();
      for (const selector of target.aggregationSelectors ?? []) {
        for (const source of all) {
          if (source === target || !selects(selector, source)) continue;
          source.rules.forEach((rule, i) => {
            const key = ruleKey(rule);
            if (seen.has(key)) return;
            seen.add(key);
            rules.push(rule);
            sources.push(source.ruleSources[i]);
          });
        }
      }
      if (!sameRules(rules, target.rules)) {
        target.rules = rules;
        target.ruleSources = sources;
        changed = true;
      }
    }
    if (!changed) return { passes: pass, converged: true };
  }
  return { passes: limit, converged: false };
}

function sameRules(a: readonly PolicyRule[], b: readonly PolicyRule[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && ruleKey(a[i]) !== ruleKey(b[i])) return false;
  return true;
}
