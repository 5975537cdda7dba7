/**
 * The audit policy linter: findings in the shape every reporter prints (table, JSON, SARIF,
 * JUnit). Each check asks the evaluator about synthetic requests, or reasons on the rules
 * (shadowing), so it judges the policy exactly as kube-apiserver would run it.
 */
import { basename } from 'node:path';
import { cappedList, emptySummary, summarize, type CheckInfo, type Finding, type InputError, type ScanResult, type Severity, type Stride } from '../../model/index.js';
import { describeRule, ruleRef } from './describe.js';
import { PolicyEvaluator, type Evaluation } from './evaluate.js';
import { loadPolicyFile, type LoadResult } from './load.js';
import { coverageProbes, noisyProbes, representativeProbes, sensitiveProbes, type Probe } from './probes.js';
import { findShadowedRules, type Shadowing } from './shadow.js';
import { misplacedResource } from './groups.js';
import { formatProblem, levelRank, type Policy, type PolicyRule } from './types.js';

const DOCS = 'https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/';
const CIS = 'CIS Kubernetes Benchmark 3.2.2: ensure that the audit policy covers key security concerns';

function check(id: string, title: string, severity: Severity, stride: Stride[], description: string, remediation: string, refs: string[] = [DOCS]): CheckInfo {
  return { id, title, severity, stride, description, remediation, refs, helpUri: DOCS };
}

/** The linter's checks; `severity` is the highest a finding of the check gets. */
export const LINT_CHECKS = {
  invalid: check('audit-policy-invalid', 'Policy rejected by kube-apiserver', 'high', ['R', 'D'],
    'kube-apiserver validates the audit policy at start-up and refuses to start with an invalid one.',
    'Fix the field the message names; run `palisade audit policy lint` before rolling the policy out.'),
  shadowed: check('audit-policy-shadowed-rule', 'Rule can never match', 'medium', ['R'],
    'The first matching rule decides the level, so a rule whose requests are all matched by earlier rules never applies.',
    'Move the rule above the rules that shadow it, narrow those rules, or delete it if it is redundant.'),
  sensitive: check('audit-policy-sensitive-payload', 'Credentials written to the audit log', 'high', ['I'],
    'At Request and RequestResponse the audit log holds request and response bodies: the values of Secrets, ConfigMaps, tokens sent for review and issued service account tokens.',
    'Add a rule at level Metadata for secrets, configmaps and serviceaccounts/token (group "") and tokenreviews (authentication.k8s.io) before any rule that logs bodies.',
    [DOCS, CIS]),
  misplaced: check('audit-policy-unknown-resource', 'Resource listed under the wrong API group', 'medium', ['R'],
    'A resource entry only matches requests in its own group (the version is never part of it): `deployments` under the core group "" matches nothing, since Deployments are served by `apps`.',
    'Move the resource to a `resources` entry with the group that serves it (e.g. `- group: apps` with `resources: [deployments]`).'),
  catchAll: check('audit-policy-no-catch-all', 'Requests fall through to level None', 'medium', ['R'],
    'Requests that match no rule are not audited at all (the default level is None), including requests for APIs added later such as CRDs.',
    'End the policy with a catch-all rule, e.g. `- level: Metadata` with `omitStages: [RequestReceived]`.',
    [DOCS, CIS]),
  requestReceived: check('audit-policy-request-received-not-omitted', 'RequestReceived stage recorded', 'low', ['D'],
    'Without omitStages: [RequestReceived] every audited request produces an extra event that holds less than its ResponseComplete event.',
    'Add `omitStages: [RequestReceived]` at the top of the policy (or to every rule that is not None).'),
  noisy: check('audit-policy-noisy-endpoint', 'High-volume requests logged with bodies', 'low', ['D'],
    'Health, version and metrics endpoints, watches and Events make up much of an apiserver\'s traffic; logging them at Request or RequestResponse grows the log without adding evidence.',
    'Log these at None (health and version endpoints, Events) or Metadata (watches) with rules placed before broader ones.'),
  coverage: check('audit-policy-missing-coverage', 'Security-relevant requests not audited', 'high', ['R'],
    'exec, attach and port-forward into pods, RBAC changes, reads of Secrets, namespace deletion and token requests are what an investigation needs first; at level None they leave no trace.',
    'Make sure these requests reach a rule at level Metadata or above (place it before any None rule that would catch them).',
    [DOCS, CIS]),
} satisfies Record<string, CheckInfo>;

export interface PolicyLint {
  findings: Finding[];
  errors: InputError[];
  warnings: string[];
}

class FindingMaker {
  constructor(private readonly policy: Pick<Policy, 'file' | 'line'>) {}

  make(c: CheckInfo, severity: Severity, message: string, at?: Pick<PolicyRule, 'index' | 'line'> | { line: number; path: string }): Finding {
    const line = at?.line ?? this.policy.line;
    const path = at === undefined ? '' : 'path' in at ? at.path : `rules[${at.index}]`;
    return {
      check: c.id, severity, title: c.title, message,
      resource: { apiVersion: 'audit.k8s.io/v1', kind: 'Policy', name: basename(this.policy.file), file: this.policy.file, line: this.policy.line },
      path, line, remediation: c.remediation, stride: [...c.stride], refs: [...(c.refs ?? [])], suppressed: false,
    };
  }
}

function example(p: Probe): string {
  return `${p.action} by ${p.identity.label}`;
}

/** Probes grouped by the rule that decided them (null: no rule), in rule order. */
function byRule(ev: PolicyEvaluator, probes: readonly Probe[], keep: (e: Evaluation, p: Probe) => boolean): Map<number | null, Array<{ probe: Probe; ev: Evaluation }>> {
  const out = new Map<number | null, Array<{ probe: Probe; ev: Evaluation }>>();
  for (const probe of probes) {
    const e = ev.evaluate(probe.attrs);
    if (!keep(e, probe)) continue;
    const list = out.get(e.rule) ?? [];
    list.push({ probe, ev: e });
    out.set(e.rule, list);
  }
  return new Map([...out].sort(([a], [b]) => (a ?? Infinity) - (b ?? Infinity)));
}

/** `create secrets in default, update secrets in default and 2 more, by an ordinary user or a service account` */
function examples(hits: ReadonlyArray<{ probe: Probe }>, max = 2): string {
  const actions = [...new Set(hits.map((h) => h.probe.action))];
  const who = [...new Set(hits.map((h) => h.probe.identity.label))];
  const shown = cappedList(actions, max);
  const by = who.length === 1 ? who[0] : `${who.slice(0, -1).join(', ')} or ${who[who.length - 1]}`;
  return `${shown}, by ${by}`;
}

function shadowedFindings(policy: Policy, ev: PolicyEvaluator, make: FindingMaker, shadowed: readonly Shadowing[]): Finding[] {
  return shadowed.map(({ rule, by }) => {
    const r = policy.rules[rule];
    if (by.length === 0) return make.make(LINT_CHECKS.shadowed, 'medium', `${ruleRef(r)} can never match: no request fits its resources (${describeRule(r)})`, r);
    const covering = by.map((i) => policy.rules[i]);
    const same = covering.every((c) => c.level === r.level && (c.omitManagedFields ?? policy.omitManagedFields) === (r.omitManagedFields ?? policy.omitManagedFields)
      && sameStages(ev, c.index, r.index));
    const tail = same
      ? 'it is redundant (they log the same way)'
      : `its level ${r.level} never applies`;
    return make.make(LINT_CHECKS.shadowed, same ? 'low' : 'medium',
      `${ruleRef(r)} can never match: every request it matches is matched first by ${covering.map(ruleRef).join(', ')}; ${tail}`, r);
  });
}

function sameStages(ev: PolicyEvaluator, a: number, b: number): boolean {
  return ev.ruleOmitStages(a).join() === ev.ruleOmitStages(b).join();
}

function sensitiveFindings(policy: Policy, ev: PolicyEvaluator, make: FindingMaker): Finding[] {
  const out: Finding[] = [];
  for (const kind of sensitiveProbes()) {
    for (const [index, hits] of byRule(ev, kind.probes, (e) => levelRank(e.level) >= levelRank('Request'))) {
      const r = policy.rules[index!];
      const leaking = hits.filter((h) => kind.leaks(h.ev.level as 'Request' | 'RequestResponse', h.probe.attrs.verb));
      if (leaking.length > 0) {
        const what = r.level === 'RequestResponse' ? 'request and response bodies' : 'request bodies';
        out.push(make.make(LINT_CHECKS.sensitive, kind.severity, `${ruleRef(r)} logs ${kind.what} at ${r.level}: their values go into the audit log with the ${what} (e.g. ${examples(leaking)})`, r));
      } else {
        out.push(make.make(LINT_CHECKS.sensitive, 'low',
          `${ruleRef(r)} logs ${kind.what} at ${r.level}; these requests carry no values at this level (e.g. ${examples(hits)}), but Metadata is the level CIS 3.2.2 asks for`, r));
      }
    }
  }
  return out;
}

function misplacedFindings(policy: Policy, make: FindingMaker): Finding[] {
  const out: Finding[] = [];
  for (const r of policy.rules) {
    r.resources.forEach((gr, g) => {
      gr.resources.forEach((res, i) => {
        const home = misplacedResource(gr.group, res);
        if (home === undefined) return;
        out.push(make.make(LINT_CHECKS.misplaced, 'medium',
          `${ruleRef(r)} lists "${res}" under group ${JSON.stringify(gr.group)}, which has no such resource: it is served by group ${JSON.stringify(home)}, so this entry matches nothing`,
          { line: gr.line ?? r.line, path: `rules[${r.index}].resources[${g}].resources[${i}]` }));
      });
    });
  }
  return out;
}

function catchAllFindings(policy: Policy, ev: PolicyEvaluator, make: FindingMaker): Finding[] {
  const probes = representativeProbes();
  const missed = probes.filter((p) => ev.evaluate(p.attrs).rule === null);
  if (missed.length === 0) return [];
  return [make.make(LINT_CHECKS.catchAll, 'medium',
    `${missed.length} of ${probes.length} representative requests match no rule and are not audited (level None by default), e.g. ${missed.slice(0, 3).map(example).join('; ')}${missed.length > 3 ? '; …' : ''}`,
    { line: policy.rulesLine, path: 'rules' })];
}

function requestReceivedFindings(policy: Policy, ev: PolicyEvaluator, make: FindingMaker, dead: ReadonlySet<number>): Finding[] {
  if (policy.omitStages.includes('RequestReceived')) return [];
  // Rules that never match are reported once, as shadowed.
  return policy.rules
    .filter((r) => r.level !== 'None' && !dead.has(r.index) && !ev.ruleOmitStages(r.index).includes('RequestReceived'))
    .map((r) => make.make(LINT_CHECKS.requestReceived, 'low',
      `${ruleRef(r)} (${r.level}) records the RequestReceived stage: each request it matches makes an extra event with less in it than its ResponseComplete event`, r));
}

function noisyFindings(policy: Policy, ev: PolicyEvaluator, make: FindingMaker): Finding[] {
  const out: Finding[] = [];
  for (const item of noisyProbes()) {
    for (const [index, hits] of byRule(ev, item.probes, (e) => levelRank(e.level) >= levelRank('Request'))) {
      const r = policy.rules[index!];
      const levels = [...new Set(hits.map((h) => h.ev.level))].join('/');
      out.push(make.make(LINT_CHECKS.noisy, 'low', `${ruleRef(r)} logs ${item.what} at ${levels} (e.g. ${examples(hits)}): high volume, little evidence`, r));
    }
  }
  return out;
}

function coverageFindings(policy: Policy, ev: PolicyEvaluator, make: FindingMaker): Finding[] {
  const out: Finding[] = [];
  for (const item of coverageProbes()) {
    for (const [index, hits] of byRule(ev, item.probes, (e) => e.level === 'None')) {
      const r = index === null ? undefined : policy.rules[index];
      const why = r ? `${ruleRef(r)} sets level None` : 'no rule matches them (default level None)';
      out.push(make.make(LINT_CHECKS.coverage, item.severity, `${item.what} not audited: ${why}, e.g. ${examples(hits)}`,
        r ?? { line: policy.rulesLine, path: 'rules' }));
    }
  }
  return out;
}

/** The field a loader message starts with: `rules[3].resources[0].group: …` */
const FIELD_PATH = /^([A-Za-z]\w*(?:\[\d+\]|\.[A-Za-z]\w*)*): /;

/** Findings, errors and warnings for one loaded policy file. */
export function lintLoaded(loaded: LoadResult, file: string): PolicyLint {
  const warnings = loaded.warnings.map(formatProblem);
  const policy = loaded.policy;
  if (!policy) {
    // A Policy that kube-apiserver would refuse: findings at the offending lines. Anything else
    // (unreadable, not YAML, not a Policy) is an input error.
    if (!loaded.decoded) return { findings: [], errors: loaded.errors.map((e) => ({ ...e })), warnings };
    const make = new FindingMaker(loaded.decoded);
    const findings = loaded.errors.map((e) => make.make(LINT_CHECKS.invalid, 'high', e.message, { line: e.line ?? loaded.decoded!.line, path: FIELD_PATH.exec(e.message)?.[1] ?? '' }));
    warnings.push(`${file}: the other checks were not run: kube-apiserver would not load this policy`);
    return { findings, errors: [], warnings };
  }
  const make = new FindingMaker(policy);
  const ev = new PolicyEvaluator(policy);
  const shadowed = findShadowedRules(policy.rules);
  const dead = new Set(shadowed.map((s) => s.rule));
  const findings = [
    ...shadowedFindings(policy, ev, make, shadowed),
    ...misplacedFindings(policy, make),
    ...sensitiveFindings(policy, ev, make),
    ...catchAllFindings(policy, ev, make),
    ...requestReceivedFindings(policy, ev, make, dead),
    ...noisyFindings(policy, ev, make),
    ...coverageFindings(policy, ev, make),
  ];
  findings.sort((a, b) => a.line - b.line);
  return { findings, errors: [], warnings };
}

/** Lints policy files into the result every reporter renders. */
export function lintPolicyFiles(files: readonly string[], display: (file: string) => string = (f) => f): ScanResult {
  const summary = emptySummary();
  const result: ScanResult = { findings: [], summary, errors: [], checks: Object.values(LINT_CHECKS), warnings: [] };
  for (const file of files) {
    const name = display(file);
    const lint = lintLoaded(loadPolicyFile(file, name), name);
    if (lint.errors.length === 0) summary.resources++;
    result.findings.push(...lint.findings);
    result.errors.push(...lint.errors);
    result.warnings.push(...lint.warnings);
  }
  result.summary = summarize(result.findings, summary.resources);
  return result;
}
