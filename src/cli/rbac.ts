/**
 * `palisade rbac can | who-can | access | risks`: questions to Kubernetes' RBAC authorizer,
 * answered from manifests (the same inputs as `palisade scan`). Flags and output only; the
 * logic is in src/rbac.
 */
import { Command, Option } from 'commander';
import { summarize, type ScanResult } from '../model/index.js';
import {
  analyzeRisks,
  Authorizer, QuestionError, accessJson, accessMatrix, accessText, buildRequest, decisionJson, decisionText, impersonatedUser,
  loadPolicy, whoCanJson, whoCanText, type LoadedPolicy, type Question, type RequestAttributes,
} from '../rbac/index.js';
import { UsageError } from './errors.js';
import { addReportOptions, emitReport, type ReportFlags } from './report-output.js';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

interface InputFlags {
  defaultBindings: boolean;
}

interface QuestionFlags extends InputFlags {
  subresource?: string;
  apiGroup?: string;
  name?: string;
  namespace?: string;
  nonResourceUrl?: string;
  format: 'table' | 'json';
}

interface CanFlags extends QuestionFlags {
  as?: string;
  asGroup: string[];
  quiet?: boolean;
}

const INPUT_HELP = 'manifests: files or directories (.yaml, .yml, .json), - for stdin (default: .)';

function inputOptions(cmd: Command): Command {
  return cmd.option('--no-default-bindings', "leave out Kubernetes' default ClusterRoleBindings (the default ClusterRoles stay known)");
}

function questionOptions(cmd: Command): Command {
  return cmd
    .option('--subresource <name>', 'subresource (exec, log, status, scale, …); RESOURCE may also say pods/log')
    .option('--api-group <group>', 'API group of RESOURCE (default: the built-in or CRD resource of that name; "" is core)')
    .option('--name <name>', 'object name (checked against resourceNames)')
    .option('-n, --namespace <ns>', 'namespace of the request (left out: cluster-wide)')
    .option('--non-resource-url <path>', 'ask about a non-resource URL (/healthz, /metrics) instead of RESOURCE')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'));
}

/** Loads the inputs; reports input errors and diagnostics on stderr. True when every input was readable. */
async function load(paths: string[], flags: InputFlags, report = true): Promise<{ loaded: LoadedPolicy; readable: boolean }> {
  const loaded = await loadPolicy(paths.length > 0 ? paths : ['.'], { cwd: process.cwd(), stdin: process.stdin, defaultBindings: flags.defaultBindings });
  if (!report) return { loaded, readable: loaded.errors.length === 0 };
  for (const w of loaded.warnings) process.stderr.write(`palisade: warning: ${w}\n`);
  for (const d of loaded.policy.diagnostics) {
    if (d.severity === 'info') continue;
    process.stderr.write(`palisade: warning: ${d.object.file}:${d.line}: ${d.message}\n`);
  }
  for (const e of loaded.errors) process.stderr.write(`palisade: ${e.file}${e.line ? `:${e.line}` : ''}: ${e.message}\n`);
  return { loaded, readable: loaded.errors.length === 0 };
}

/** VERB RESOURCE [FILES...], where RESOURCE is absent with --non-resource-url (kubectl also takes a /path as RESOURCE). */
function question(verb: string, resource: string | undefined, files: string[], flags: QuestionFlags): { q: Question; files: string[] } {
  const q: Question = {
    verb, subresource: flags.subresource, apiGroup: flags.apiGroup, name: flags.name, namespace: flags.namespace, nonResourceURL: flags.nonResourceUrl,
  };
  if (flags.nonResourceUrl !== undefined) return { q, files: resource !== undefined ? [resource, ...files] : files };
  return { q: { ...q, resource }, files };
}

function request(authz: Authorizer, q: Question): { req: RequestAttributes; warnings: string[] } {
  try {
    const built = buildRequest(q, authz.catalog);
    return { req: built.request, warnings: built.warnings };
  } catch (err) {
    if (err instanceof QuestionError) throw new UsageError(err.message);
    throw err;
  }
}

function identity(as: string | undefined, groups: string[]) {
  try {
    return impersonatedUser(as, groups);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function registerCan(rbac: Command, setExit: (code: number) => void): void {
  const cmd = rbac
    .command('can')
    .description("Whether a user may do something, as kubectl auth can-i asks the API server: yes/no and which binding, role and rule allow it")
    .argument('<verb>', 'get, list, watch, create, update, patch, delete, deletecollection, or a special verb (impersonate, bind, escalate, approve, use, proxy, *)')
    .argument('[resource]', 'pods, pods/log, deployments.apps, *, or a non-resource URL such as /healthz')
    .argument('[files...]', INPUT_HELP)
    .option('--as <user>', 'the user (a ServiceAccount is system:serviceaccount:NS:NAME); left out: an anonymous request')
    .option('--as-group <group>', 'a group of the user (repeat for more)', collect, [])
    .option('-q, --quiet', 'print nothing; the exit code answers');
  questionOptions(inputOptions(cmd))
    .addHelpText('after', '\nExit codes: 0 yes, 1 no (as kubectl auth can-i), 2 unreadable input or bad flags.')
    .action(async (verb: string, resource: string | undefined, rest: string[], flags: CanFlags) => {
      const user = identity(flags.as, flags.asGroup);
      const { q, files } = question(verb, resource, rest, flags);
      const { loaded, readable } = await load(files, flags);
      const authz = new Authorizer(loaded.policy);
      const { req, warnings } = request(authz, q);
      for (const w of warnings) process.stderr.write(`palisade: warning: ${w}\n`);
      const d = authz.authorize(user, req);
      if (!flags.quiet) process.stdout.write(flags.format === 'json' ? `${JSON.stringify(decisionJson(user, req, d, warnings), null, 2)}\n` : decisionText(user, req, d));
      setExit(!readable ? 2 : d.allowed ? 0 : 1);
    });
}

function registerWhoCan(rbac: Command, setExit: (code: number) => void): void {
  const cmd = rbac
    .command('who-can')
    .description('Every subject that may do something, with the binding, role and rule that let it (without -n: in any namespace)')
    .argument('<verb>', 'the verb (get, create, impersonate, …)')
    .argument('[resource]', 'pods, pods/exec, deployments.apps, *, or a non-resource URL such as /metrics')
    .argument('[files...]', INPUT_HELP);
  questionOptions(inputOptions(cmd))
    .addHelpText('after', '\nWithout -n, RoleBindings of every namespace count (each row says where); with -n, those of that namespace only.\n\nExit codes: 0 answered, 2 unreadable input or bad flags.')
    .action(async (verb: string, resource: string | undefined, rest: string[], flags: QuestionFlags) => {
      const { q, files } = question(verb, resource, rest, flags);
      const { loaded, readable } = await load(files, flags);
      const authz = new Authorizer(loaded.policy);
      const { req, warnings } = request(authz, q);
      for (const w of warnings) process.stderr.write(`palisade: warning: ${w}\n`);
      const anyNamespace = flags.namespace === undefined;
      const subjects = authz.whoCan(req, { anyNamespace });
      process.stdout.write(flags.format === 'json' ? `${JSON.stringify(whoCanJson(req, subjects), null, 2)}\n` : whoCanText(req, subjects, anyNamespace));
      setExit(readable ? 0 : 2);
    });
}

function registerAccess(rbac: Command, setExit: (code: number) => void): void {
  const cmd = rbac
    .command('access')
    .description("A user's full permission matrix: cluster-wide, then what each namespace's RoleBindings add")
    .argument('[files...]', INPUT_HELP)
    .option('--as <user>', 'the user (a ServiceAccount is system:serviceaccount:NS:NAME); left out: an anonymous request')
    .option('--as-group <group>', 'a group of the user (repeat for more)', collect, [])
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'));
  inputOptions(cmd)
    .addHelpText('after', '\nExit codes: 0 answered, 2 unreadable input or bad flags.')
    .action(async (files: string[], flags: InputFlags & { as?: string; asGroup: string[]; format: 'table' | 'json' }) => {
      const user = identity(flags.as, flags.asGroup);
      const { loaded, readable } = await load(files, flags);
      const m = accessMatrix(new Authorizer(loaded.policy), user);
      process.stdout.write(flags.format === 'json' ? `${JSON.stringify(accessJson(m), null, 2)}\n` : accessText(m));
      setExit(readable ? 0 : 2);
    });
}

interface RiskFlags extends InputFlags, ReportFlags {
  includeSystem?: boolean;
  privilegedNamespace: string[];
}

function registerRisks(rbac: Command, setExit: (code: number) => void): void {
  const cmd = rbac
    .command('risks')
    .description('Who can read Secrets, run pods as other ServiceAccounts, exec, escalate, bind, impersonate, write RBAC or webhooks, approve CSRs, mint tokens, use nodes/proxy; grants to everyone; escalation chains to cluster-admin')
    .argument('[files...]', INPUT_HELP);
  addReportOptions(cmd)
    .option('--include-system', "also report Kubernetes' own bindings and system: users and groups")
    .option('--privileged-namespace <ns>', 'a namespace whose namespaced powers count like cluster-wide ones (repeat; default: kube-system)', collect, []);
  inputOptions(cmd)
    .addHelpText('after', '\nExit codes: 0 no finding at or above --fail-on, 1 findings at or above it, 2 unreadable input or bad flags.')
    .action(async (files: string[], flags: RiskFlags) => {
      const { loaded } = await load(files, flags, false);
      const report = analyzeRisks(new Authorizer(loaded.policy), {
        includeSystem: flags.includeSystem === true,
        privilegedNamespaces: flags.privilegedNamespace.length > 0 ? flags.privilegedNamespace : undefined,
      });
      const result: ScanResult = {
        findings: report.findings, summary: summarize(report.findings, loaded.policy.objects), errors: loaded.errors, checks: report.checks,
        warnings: [...loaded.warnings, ...report.warnings],
      };
      setExit(emitReport(result, flags, flags.failOn));
    });
}

export function registerRbac(program: Command, setExit: (code: number) => void): void {
  const rbac = program
    .command('rbac')
    .description("Kubernetes RBAC from manifests, with the API server's exact semantics: can, who-can, access, risks");
  registerCan(rbac, setExit);
  registerWhoCan(rbac, setExit);
  registerAccess(rbac, setExit);
  registerRisks(rbac, setExit);
}
