/**
 * `palisade vap test`: ValidatingAdmissionPolicies tried on manifests before they reach a
 * cluster. Parses flags, calls src/admission/vap, prints. Exit 0 when every resource is
 * admitted, 1 when one is denied, 2 when an input cannot be used (one line per problem,
 * `file:line: reason`).
 */
import { Command, Option } from 'commander';
import { jsonReport, oneLine, textReport, tryPolicies, type Operation } from '../admission/vap/index.js';
import { UsageError } from './errors.js';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

interface TestFlags {
  policy: string[];
  binding: string[];
  params: string[];
  operation: Operation;
  old: string[];
  user: string;
  group: string[];
  dryRun?: boolean;
  format: 'text' | 'json';
}

export interface VapIo {
  out: (s: string) => void;
  err: (s: string) => void;
  stdin?: () => string;
}

const processIo: VapIo = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
};

export function registerVap(program: Command, setExit: (code: number) => void, io: VapIo = processIo): void {
  const vap = program
    .command('vap')
    .description('ValidatingAdmissionPolicy (CEL) tools: try policies on manifests offline, with kube-apiserver semantics');
  vap
    .command('test')
    .description('Evaluate policies on each RESOURCE as the request applying it would make (CREATE unless --operation)')
    .argument('<resources...>', "manifest files (YAML or JSON; several documents and Lists allowed; '-' for stdin)")
    .requiredOption('--policy <file>', 'ValidatingAdmissionPolicy file (repeat for more; may also hold bindings and params)', collect, [])
    .option('--binding <file>', 'ValidatingAdmissionPolicyBinding file (repeat); without any, each policy is bound with [Deny] and no params', collect, [])
    .option('--params <file>', 'parameter objects referenced by paramRef (repeat)', collect, [])
    .addOption(new Option('--operation <op>', 'admission operation').choices(['CREATE', 'UPDATE', 'DELETE', 'CONNECT']).default('CREATE'))
    .option('--old <file>', 'stored objects for UPDATE/DELETE (matched by kind, namespace and name; repeat)', collect, [])
    .option('--user <name>', 'requesting user (request.userInfo.username)', 'kubernetes-admin')
    .option('--group <group>', 'a group of the user (repeat; default system:masters, system:authenticated)', collect, [])
    .option('--dry-run', 'mark the request as a dry run (request.dryRun)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (resources: string[], flags: TestFlags) => {
      if (flags.policy.length === 0) throw new UsageError('--policy FILE is required');
      if (flags.operation !== 'UPDATE' && flags.operation !== 'DELETE' && flags.old.length > 0) {
        throw new UsageError(`--old applies to UPDATE and DELETE, not ${flags.operation}`);
      }
      const groups = flags.group.length > 0 ? flags.group : ['system:masters', 'system:authenticated'];
      const outcome = await tryPolicies({
        policyFiles: flags.policy,
        bindingFiles: flags.binding,
        paramFiles: flags.params,
        resourceFiles: resources,
        oldFiles: flags.old,
        operation: flags.operation,
        userInfo: { username: flags.user, groups },
        dryRun: flags.dryRun === true,
        readStdin: io.stdin,
      });
      for (const w of outcome.warnings) io.err(`palisade: warning: ${oneLine(w)}\n`);
      if (outcome.errors.length > 0) {
        for (const e of outcome.errors) io.err(`palisade: ${oneLine(e)}\n`);
        setExit(2);
        return;
      }
      io.out(flags.format === 'json' ? jsonReport(outcome) : textReport(outcome));
      setExit(outcome.results.some((r) => !r.result.allowed) ? 1 : 0);
    });
}
