/**
 * `palisade netpol matrix|explain|exposure|check`: NetworkPolicy questions over the inputs
 * `palisade scan` reads. Parses flags, calls src/netpol, prints. Exit codes: matrix and
 * exposure 0; explain 0 allowed, 1 denied; check like scan (1 at or above --fail-on); 2 for
 * bad flags or unreadable input (the answer is still printed for what could be read).
 */
import { Command, Option } from 'commander';
import {
  analyzePaths, checkFindings, explainJson, explainText, exposure, exposureJson, exposureText, matrixAnswer,
  matrixHtml, matrixJson, matrixTable, parseClusterCidrs, parseProbe, problemLines, resolveEndpoint, type Analysis,
} from '../netpol/index.js';
import { UsageError } from './errors.js';
import { addReportOptions, emitReport, inputErrorLine, writeOutput, type ReportFlags } from './report-output.js';

function collect(value: string, previous: string[]): string[] {
  return [...previous, ...value.split(',').map((s) => s.trim()).filter((s) => s !== '')];
}

function probeFlag(text: string) {
  const p = parseProbe(text);
  if (typeof p === 'string') throw new UsageError(`--port: ${p}`);
  return p;
}


/** Input errors and model problems on stderr; 2 when an input could not be read. */
function reportInput(a: Analysis): number {
  for (const w of a.warnings) process.stderr.write(`palisade: warning: ${w}\n`);
  for (const line of problemLines(a.model)) process.stderr.write(`palisade: warning: ${line}\n`);
  for (const e of a.errors) process.stderr.write(inputErrorLine(e));
  return a.errors.length > 0 ? 2 : 0;
}


const PATHS_HELP = 'files or directories (.yaml, .yml, .json); - reads stdin';

export function registerNetpol(program: Command, setExit: (code: number) => void): void {
  const netpol = program
    .command('netpol')
    .description('NetworkPolicy semantics: who can reach whom, why, what is exposed, and findings');

  netpol
    .command('matrix')
    .description('Reachability matrix between pods (Pod objects and one pod per workload) on one port')
    .argument('[paths...]', PATHS_HELP, ['.'])
    .option('-n, --namespace <ns>', 'show only pods of this namespace (repeat or comma-separate; policies everywhere still apply)', collect, [])
    .option('--port <port>', 'destination port and protocol, e.g. 80/TCP, 53/UDP', '80/TCP')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json', 'html']).default('table'))
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .action(async (paths: string[], flags: { namespace: string[]; port: string; format: 'table' | 'json' | 'html'; output?: string }) => {
      const probe = probeFlag(flags.port);
      const a = await analyzePaths(paths);
      const m = matrixAnswer(a.engine, probe, flags.namespace);
      const text = flags.format === 'json' ? matrixJson(m) : flags.format === 'html' ? matrixHtml(m) : matrixTable(m);
      if (!writeOutput(text, flags.output)) return setExit(2);
      setExit(reportInput(a));
    });

  netpol
    .command('explain')
    .description('Whether one connection is allowed, with the policy and rule deciding each side (egress of the source, ingress of the destination)')
    .argument('[paths...]', PATHS_HELP, ['.'])
    .requiredOption('--from <endpoint>', 'source: NAMESPACE/POD (a Pod or a workload) or an IP address')
    .requiredOption('--to <endpoint>', 'destination: NAMESPACE/POD or an IP address')
    .option('--port <port>', 'destination port and protocol, e.g. 80/TCP', '80/TCP')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addHelpText('after', '\nExit codes: 0 allowed, 1 denied, 2 bad flags, unknown endpoints or unreadable input.')
    .action(async (paths: string[], flags: { from: string; to: string; port: string; format: 'text' | 'json' }) => {
      const probe = probeFlag(flags.port);
      const a = await analyzePaths(paths);
      const from = resolveEndpoint(a.model, a.engine, flags.from);
      const to = resolveEndpoint(a.model, a.engine, flags.to);
      const bad = [typeof from === 'string' ? `--from: ${from}` : '', typeof to === 'string' ? `--to: ${to}` : ''].filter((s) => s !== '');
      if (bad.length > 0) {
        reportInput(a);
        throw new UsageError(bad.join('; '));
      }
      if (typeof from === 'string' || typeof to === 'string') return;
      if (!('pod' in from) && !('pod' in to)) throw new UsageError('--from and --to are both addresses outside the pods of the input: NetworkPolicy has nothing to say');
      const v = a.engine.explain(from, to, probe);
      process.stdout.write(flags.format === 'json' ? explainJson(v) : explainText(v));
      const input = reportInput(a);
      setExit(input !== 0 ? input : v.allowed ? 0 : 1);
    });

  netpol
    .command('exposure')
    .description('Pods reachable from outside the cluster (no ingress isolation, rules without from, ipBlocks) or from every namespace')
    .argument('[paths...]', PATHS_HELP, ['.'])
    .option('-n, --namespace <ns>', 'show only pods of this namespace (repeat or comma-separate)', collect, [])
    .option('--cluster-cidr <cidr>', 'pod or service CIDR of the cluster: addresses inside are not outside the cluster (repeat)', collect, [])
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (paths: string[], flags: { namespace: string[]; clusterCidr: string[]; format: 'table' | 'json' }) => {
      const cluster = parseClusterCidrs(flags.clusterCidr);
      if (typeof cluster === 'string') throw new UsageError(cluster);
      const a = await analyzePaths(paths);
      let list = exposure(a.engine, { clusterRanges: cluster });
      let total = a.model.pods.length;
      if (flags.namespace.length > 0) {
        list = list.filter((e) => flags.namespace.includes(e.pod.namespace));
        total = a.model.pods.filter((p) => flags.namespace.includes(p.namespace)).length;
      }
      process.stdout.write(flags.format === 'json' ? exposureJson(list) : exposureText(list, total));
      setExit(reportInput(a));
    });

  const check = netpol
    .command('check')
    .description('Findings: pods not isolated, namespaces without default deny, policies selecting nothing, every-namespace peers, egress without DNS, invalid policies')
    .argument('[paths...]', PATHS_HELP, ['.']);
  addReportOptions(check)
    .addHelpText('after', '\nExit codes: 0 no finding at or above --fail-on, 1 findings at or above it, 2 unreadable input or bad flags.')
    .action(async (paths: string[], flags: ReportFlags) => {
      const a = await analyzePaths(paths);
      setExit(emitReport(checkFindings(a.engine, { errors: a.errors, warnings: a.warnings }), flags, flags.failOn));
    });
}

