/** Short human descriptions of policy rules, for tables and messages. */
import type { GroupResources, PolicyRule } from './types.js';

function list(values: readonly string[]): string {
  return values.map((v) => (v === '' ? '""' : v)).join(',');
}

function groupText(gr: GroupResources): string {
  const group = gr.group === '' ? 'core' : gr.group === '*' ? 'any group' : gr.group;
  if (gr.resources.length === 0) return group;
  const names = gr.resourceNames.length > 0 ? ` named ${list(gr.resourceNames)}` : '';
  return `${group} ${list(gr.resources)}${names}`;
}

/** e.g. `users system:kube-proxy; verbs watch; core endpoints,services` or `all requests`. */
export function describeRule(rule: PolicyRule): string {
  const parts: string[] = [];
  if (rule.users.length > 0) parts.push(`users ${list(rule.users)}`);
  if (rule.userGroups.length > 0) parts.push(`groups ${list(rule.userGroups)}`);
  if (rule.verbs.length > 0) parts.push(`verbs ${list(rule.verbs)}`);
  if (rule.resources.length > 0) parts.push(rule.resources.map(groupText).join(' + '));
  if (rule.namespaces.length > 0) parts.push(`namespaces ${list(rule.namespaces)}`);
  if (rule.namespaces.length === 0 && rule.resources.length === 0 && rule.nonResourceURLs.length > 0) parts.push(`URLs ${list(rule.nonResourceURLs)}`);
  if (rule.namespaces.length === 0 && rule.resources.length === 0 && rule.nonResourceURLs.length === 0) {
    parts.push(parts.length === 0 ? 'all requests' : 'any resource or URL');
  }
  return parts.join('; ');
}

/** `rules[3] (line 42)` */
export function ruleRef(rule: Pick<PolicyRule, 'index' | 'line'>): string {
  return `rules[${rule.index}] (line ${rule.line})`;
}
