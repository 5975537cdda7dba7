/** `palisade scan`: parses flags, runs the scan, prints the report, sets the exit code. */
import { Command, Option } from 'commander';
import { scan, defaultJobs, parsePssVersion, PSS_LEVELS, type PssLevel } from '../checks/index.js';
import { loadConfig, FAIL_ON_VALUES, type FailOn } from '../policy/index.js';
import { REPORT_FORMATS, type ReportFormat } from '../report/index.js';
import { emitReport, writeOutput } from './report-output.js';
import { UsageError } from './errors.js';
import { kubesecCli } from '../checks/kubesec/index.js';
import { PROFILES, resolveParams, selectChecks, type Profile } from '../checks/catalogue/index.js';

function splitList(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

const FORMATS = [...REPORT_FORMATS, 'kubesec'] as const;

interface ScanFlags {
  format: ReportFormat | 'kubesec';
  profile?: Profile;
  checks?: string;
  skipChecks?: string;
  output?: string;
  failOn?: FailOn;
  pssLevel?: PssLevel;
  pssVersion?: string;
  config?: string;
  jobs?: string;
  color: boolean;
}

export function registerScan(program: Command, setExit: (code: number) => void): void {
  program
    .command('scan')
    .description('Check Kubernetes manifests (files, directories, - for stdin) against the Pod Security Standards and the check catalogue')
    .argument('[paths...]', 'files or directories (.yaml, .yml, .json) to scan; - reads stdin', ['.'])
    .addOption(new Option('-f, --format <format>', 'report format (kubesec: kubesec\'s JSON, scores and exit codes)').choices(FORMATS).default('table'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding at or above this severity exists (default: high)').choices(FAIL_ON_VALUES))
    .addOption(new Option('-p, --profile <profile>', 'checks to run: baseline (PSS baseline), restricted (PSS restricted), cks (PSS restricted + default catalogue), all (default: cks)').choices(PROFILES))
    .option('--checks <ids>', 'run only these checks (comma-separated ids or globs, e.g. "rbac/*,pss/*")')
    .option('--skip-checks <ids>', 'do not run these checks (comma-separated ids or globs)')
    .addOption(new Option('--pss-level <level>', 'Pod Security Standards level (default: the profile\'s, restricted for cks)').choices(PSS_LEVELS))
    .option('--pss-version <version>', 'Pod Security Standards version: v1.0 … v1.37 or latest (default: latest)')
    .option('-c, --config <file>', 'configuration file (default: .palisade.yaml in the working directory)')
    .option('-j, --jobs <n>', `worker threads for large inputs (default: ${defaultJobs()})`)
    .option('--no-color', 'never colour the table output')
    .addHelpText('after', '\nExit codes: 0 no finding at or above --fail-on, 1 findings at or above it, 2 unreadable input or bad flags.')
    .action(async (paths: string[], flags: ScanFlags) => {
      setExit(await runScan(paths, flags));
    });
}

async function runScan(paths: string[], flags: ScanFlags): Promise<number> {
  const cwd = process.cwd();
  if (flags.format === 'kubesec') return runKubesec(paths, flags, cwd);
  const { config, errors: configErrors } = loadConfig({ path: flags.config, cwd });
  if (configErrors.length > 0 && flags.config !== undefined && config.file === undefined) {
    throw new UsageError(configErrors.map((e) => `${e.file}${e.line ? `:${e.line}` : ''}: ${e.message}`).join('; '));
  }
  const profile: Profile = flags.profile ?? config.profile ?? 'cks';
  const include = flags.checks !== undefined ? splitList(flags.checks) : config.checks;
  const exclude = flags.skipChecks !== undefined ? splitList(flags.skipChecks) : config.skipChecks;
  const { selection, unmatched } = selectChecks({ profile, pssLevel: flags.pssLevel ?? config.pss?.level, include, exclude });
  if (unmatched.length > 0) throw new UsageError(`no check matches ${unmatched.map((u) => `"${u}"`).join(', ')} (see palisade checks list)`);
  const level: PssLevel = selection.pssLevel ?? 'restricted';
  const versionText = flags.pssVersion ?? config.pss?.version ?? 'latest';
  const minor = parsePssVersion(versionText);
  if (minor === undefined) throw new UsageError(`--pss-version: "${versionText}" is not a version (use v1.0 … v1.37 or latest)`);
  const jobs = flags.jobs === undefined ? defaultJobs() : Number(flags.jobs);
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > 256) throw new UsageError(`--jobs: "${flags.jobs}" is not a whole number from 1 to 256`);
  const failOn: FailOn = flags.failOn ?? config.failOn ?? 'high';

  // PALISADE_INLINE_BYTES: how much input is scanned on the main thread before workers start.
  const inline = Number(process.env.PALISADE_INLINE_BYTES);
  const inlineBytes = Number.isFinite(inline) && inline >= 0 ? inline : undefined;
  const pss = selection.pssLevel ? { level, minor } : undefined;
  const params = resolveParams(config.params);
  const result = await scan(paths, { pss, selection, params, config, now: Date.now(), jobs, cwd, inlineBytes });
  result.errors.unshift(...configErrors);

  return emitReport(result, { format: flags.format as ReportFormat, output: flags.output, color: flags.color }, failOn, cwd);
}

/**
 * `--format kubesec`: kubesec's own result, scores and exit codes (0 pass, 2 when an object
 * scores 0 or less, 1 when input cannot be read), so a `kubesec scan` step switches unchanged.
 */
async function runKubesec(paths: string[], flags: ScanFlags, cwd: string): Promise<number> {
  const out = await kubesecCli(paths, { cwd, stdin: process.stdin });
  if (out.stderr) process.stderr.write(out.stderr);
  return writeOutput(out.stdout, flags.output) ? out.exitCode : 2;
}
