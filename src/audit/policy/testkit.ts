/** Small builders for tests: policies and rules without a file. */
import type { GroupResources, Level, Policy, PolicyRule, Stage } from './types.js';

export type RuleSpec = Partial<Omit<PolicyRule, 'index' | 'line' | 'resources'>> & {
  level: Level;
  resources?: Array<Partial<GroupResources>>;
};

export function policyOf(rules: RuleSpec[], opts: { omitStages?: Stage[]; omitManagedFields?: boolean } = {}): Policy {
  return {
    file: 'test-policy.yaml',
    line: 1,
    rulesLine: 3,
    omitStages: opts.omitStages ?? [],
    omitManagedFields: opts.omitManagedFields ?? false,
    rules: rules.map((r, index) => ({
      index,
      line: 10 + index * 5,
      users: [], userGroups: [], verbs: [], namespaces: [], nonResourceURLs: [], omitStages: [],
      ...r,
      resources: (r.resources ?? []).map((gr) => ({ group: '', resources: [], resourceNames: [], ...gr })),
    })),
  };
}
