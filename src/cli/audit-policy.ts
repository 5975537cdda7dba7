/**
 * `palisade audit policy explain|lint|simulate`: the audit Policy engine on the command line.
 * Parses flags, calls src/audit/policy, prints. A policy that cannot be loaded is one line per
 * problem (`file:line: message`) and exit 2.
 */
import { Command, Option } from 'commander';
import {
  describeRule, evaluatePolicy, formatProblem, lintPolicyFiles, loadPolicyFile, simulatePolicy, simulationJson, simulationTable,
  type Attributes, type Policy,
} from '../audit/index.js';
import { limitedReporter } from './alerting.js';
import { UsageError } from './errors.js';
import { addReportOptions, emitReport, type ReportFlags } from './report-output.js';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** The policy, or undefined after printing why not (the caller exits 2). */
function loadOrReport(path: string): Policy | undefined {
  const loaded = loadPolicyFile(path);
  for (const w of loaded.warnings) process.stderr.write(`palisade: warning: ${formatProblem(w)}\n`);
  for (const e of loaded.errors) process.stderr.write(`palisade: ${formatProblem(e)}\n`);
  return loaded.policy;
}

interface ExplainFlags {
  policy: string;
  user?: string;
  group: string[];
  verb: string;
  resource?: string;
  apiGroup?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  path?: string;
  format: 'text' | 'json';
}

/** Request attributes from explain's flags; a contradiction is a usage error. */
export function attributesFromFlags(f: ExplainFlags): Attributes {
  if (f.group.length > 0 && f.user === undefined) throw new UsageError('--group needs --user: a request without a user (failed authentication) has no groups');
  const user = f.user !== undefined ? { user: { name: f.user, groups: f.group } } : {};
  if (f.resource !== undefined && f.path !== undefined) throw new UsageError('give --resource (a resource request) or --path (a non-resource request), not both');
  if (f.path !== undefined) {
    const extra = (['apiGroup', 'subresource', 'namespace', 'name'] as const).filter((k) => f[k] !== undefined);
    if (extra.length > 0) throw new UsageError(`--${extra[0].replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} applies to resource requests, not to --path`);
    if (!f.path.startsWith('/')) throw new UsageError(`--path: "${f.path}" is not a URL path (it starts with "/", e.g. /healthz)`);
    return { ...user, verb: f.verb, resourceRequest: false, apiGroup: '', resource: '', subresource: '', namespace: '', name: '', path: f.path.split('?')[0] };
  }
  if (f.resource === undefined) throw new UsageError('say what is requested: --resource RESOURCE (e.g. pods, pods/log) or --path /URL');
  const parts = f.resource.split('/');
  if (parts.length > 2 || parts.some((p) => p === '')) throw new UsageError(`--resource: "${f.resource}" is not a resource (e.g. pods) or resource/subresource (e.g. pods/log)`);
  if (parts.length === 2 && f.subresource !== undefined) throw new UsageError(`--resource ${f.resource} already names a subresource; leave out --subresource`);
  if (f.apiGroup !== undefined && f.apiGroup.includes('/')) throw new UsageError(`--api-group: "${f.apiGroup}" has a version; give the group alone (e.g. apps, not apps/v1)`);
  return {
    ...user, verb: f.verb, resourceRequest: true, apiGroup: f.apiGroup ?? '', resource: parts[0], subresource: parts[1] ?? f.subresource ?? '',
    namespace: f.namespace ?? '', name: f.name ?? '', path: '',
  };
}

function registerExplain(policy: Command, setExit: (code: number) => void): void {
  policy
    .command('explain')
    .description('Which audit level, omitted stages and rule a policy gives one request (as kube-apiserver decides)')
    .requiredOption('--policy <file>', 'audit policy file (audit.k8s.io/v1 Policy, YAML or JSON)')
    .option('--user <name>', 'the authenticated user (leave out for a request that failed authentication)')
    .option('--group <group>', "one of the user's groups (repeat for more)", collect, [])
    .requiredOption('--verb <verb>', 'authorizer verb: get, list, watch, create, update, patch, delete, deletecollection; lower-case HTTP method for --path')
    .option('--resource <resource>', 'resource, or resource/subresource (pods, pods/exec)')
    .option('--api-group <group>', 'API group of the resource without version ("" or left out: core)')
    .option('--subresource <name>', 'subresource (log, exec, status, …)')
    .option('--namespace <namespace>', 'namespace (left out: a cluster-scoped request)')
    .option('--name <name>', 'object name (left out: list, watch of a collection, create)')
    .option('--path <url>', 'a non-resource request: its URL path (/healthz, /version, /metrics)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addHelpText('after', '\nExit codes: 0 explained, 2 the policy cannot be loaded or the flags are wrong.')
    .action((flags: ExplainFlags) => {
      const attrs = attributesFromFlags(flags);
      const policy = loadOrReport(flags.policy);
      if (!policy) {
        setExit(2);
        return;
      }
      const result = evaluatePolicy(policy, attrs);
      const rule = result.rule === null ? undefined : policy.rules[result.rule];
      if (flags.format === 'json') {
        const body = { level: result.level, omitStages: result.omitStages, rule: result.rule, line: rule?.line ?? null, omitManagedFields: result.omitManagedFields };
        process.stdout.write(`${JSON.stringify(body)}\n`);
      } else {
        const lines = [
          `level:             ${result.level}`,
          `omitStages:        ${result.omitStages.length > 0 ? result.omitStages.join(', ') : '(none)'}`,
          `omitManagedFields: ${result.omitManagedFields}`,
          rule
            ? `rule:              rules[${rule.index}] at ${policy.file}:${rule.line} (${describeRule(rule)})`
            : 'rule:              none matches: the default level None applies',
        ];
        process.stdout.write(`${lines.join('\n')}\n`);
      }
      setExit(0);
    });
}

function registerLint(policy: Command, setExit: (code: number) => void): void {
  const lint = policy
    .command('lint')
    .description('Check audit policies: rules that never match, credentials logged with bodies, no catch-all, noisy endpoints, CIS 3.2.2 coverage')
    .argument('<policies...>', 'audit policy files (audit.k8s.io/v1 Policy, YAML or JSON)');
  addReportOptions(lint)
    .addHelpText('after', '\nExit codes: 0 no finding at or above --fail-on, 1 findings at or above it, 2 a policy could not be read or the flags are wrong.')
    .action((paths: string[], flags: ReportFlags) => {
      setExit(emitReport(lintPolicyFiles(paths), flags, flags.failOn));
    });
}

function registerSimulate(policy: Command, setExit: (code: number) => void): void {
  policy
    .command('simulate')
    .description('Replay audit logs through a candidate policy: events and bytes per day for each rule, now and after')
    .requiredOption('--policy <file>', 'the candidate audit policy file')
    .argument('<logs...>', 'audit log files (JSON lines of audit.k8s.io Events, EventLists, .gz) or - for standard input')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
    .addHelpText('after', '\nExit codes: 0 simulated (malformed lines are reported and skipped), 2 the policy or a log cannot be read.')
    .action(async (logs: string[], flags: { policy: string; format: 'table' | 'json' }) => {
      const policy = loadOrReport(flags.policy);
      if (!policy) {
        setExit(2);
        return;
      }
      const problems = limitedReporter();
      let unreadable = 0;
      const report = await simulatePolicy(policy, logs, {
        onProblem: (p) => {
          if (p.line === undefined) unreadable++;
          problems.report(formatProblem(p));
        },
      });
      process.stdout.write(flags.format === 'json' ? `${JSON.stringify(simulationJson(report), null, 2)}\n` : simulationTable(report));
      setExit(unreadable > 0 ? 2 : 0);
    });
}

/** Adds `policy explain|lint|simulate` to the `audit` command. */
export function registerAuditPolicy(audit: Command, setExit: (code: number) => void): void {
  const policy = audit.command('policy').description('Kubernetes audit Policy files: explain a decision, lint, simulate on recorded logs');
  registerExplain(policy, setExit);
  registerLint(policy, setExit);
  registerSimulate(policy, setExit);
}
