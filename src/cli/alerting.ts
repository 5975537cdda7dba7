/**
 * What `detect`, `audit ingest` and `audit serve` share: the rules flags, loading the rules
 * (one error report, one wording), and the alert output channels.
 */
import { Command, Option } from 'commander';
import {
  alertFormatter, buildRuleset, DEFAULT_RULE_FILES, defaultSources, fileSink, formatLoadResult, httpSink, parsePriority,
  programSink, readRuleFiles, stdoutSink, syslogSink, type AlertSink, type BuiltRuleset, type FieldSource, type Priority, type RuleMatching,
} from '../rules/index.js';
import { UsageError } from './errors.js';

export interface OutputFlags {
  format: 'text' | 'json';
  stdout: boolean;
  outputFile?: string;
  outputHttp?: string;
  outputSyslog?: string | true;
  outputProgram?: string;
}

export interface RuleFlags {
  rules?: string[];
  minPriority?: string;
  ruleMatching: RuleMatching;
  hostname?: string;
}

export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** -r/--rules, --min-priority, --rule-matching, --hostname. */
export function addRuleOptions(cmd: Command): Command {
  return cmd
    .option('-r, --rules <file>', "rules file (repeatable, loaded in order; default: Palisade's own rules)", collect)
    .option('--min-priority <priority>', 'only rules at least this severe (emergency … debug)')
    .addOption(new Option('--rule-matching <mode>', "all matching rules alert, or only the first (Falco's rule_matching)").choices(['all', 'first']).default('all'))
    .option('--hostname <name>', 'hostname in alerts (default: $FALCO_HOSTNAME or the machine name)');
}

/** The alert output channel options (text/JSON on stdout, file, HTTP, syslog, program). */
export function addOutputOptions(cmd: Command, what = 'alert'): Command {
  return cmd
    .addOption(new Option('-f, --format <format>', `${what} format on stdout and in --output-file`).choices(['text', 'json']).default('text'))
    .option('--no-stdout', 'do not print alerts on standard output')
    .option('--output-file <path>', 'also append alerts to this file')
    .option('--output-http <url>', 'also POST each alert (Falco JSON) to this URL; a bounded queue, retries, never blocks detection')
    .option('--output-syslog [host:port]', 'also send alerts to syslog over UDP (default 127.0.0.1:514)')
    .option('--output-program <command>', 'also pipe alert lines into this command (run with /bin/sh -c)');
}

function syslogTarget(value: string | true): { host: string; port: number } {
  if (value === true) return { host: '127.0.0.1', port: 514 };
  const m = /^(.*?)(?::(\d{1,5}))?$/.exec(value)!;
  const port = m[2] ? Number(m[2]) : 514;
  if (m[1] === '' || port < 1 || port > 65535) throw new UsageError(`--output-syslog: expected HOST[:PORT], got "${value}"`);
  return { host: m[1], port };
}

export function sinksFor(flags: OutputFlags): AlertSink[] {
  const format = alertFormatter(flags.format === 'json');
  const sinks: AlertSink[] = [];
  if (flags.stdout) sinks.push(stdoutSink({ format }));
  if (flags.outputFile) sinks.push(fileSink(flags.outputFile, { format }));
  if (flags.outputHttp) {
    if (!/^https?:\/\//.test(flags.outputHttp)) throw new UsageError(`--output-http: expected an http:// or https:// URL, got "${flags.outputHttp}"`);
    sinks.push(httpSink({ url: flags.outputHttp }));
  }
  if (flags.outputSyslog !== undefined) sinks.push(syslogSink(syslogTarget(flags.outputSyslog)));
  if (flags.outputProgram) sinks.push(programSink({ command: flags.outputProgram, format }));
  return sinks;
}

export async function closeSinks(sinks: readonly AlertSink[]): Promise<number> {
  await Promise.all(sinks.map((s) => s.close()));
  return sinks.reduce((n, s) => n + s.stats().dropped + s.stats().failed, 0);
}

export interface LoadedRules {
  built: BuiltRuleset;
  sources: Record<string, FieldSource>;
}

/**
 * Loads the rule files named by the flags (Palisade's own by default). Problems are printed on
 * stderr and give undefined: nothing should run on half a ruleset.
 */
export async function loadRulesFromFlags(flags: RuleFlags): Promise<LoadedRules | undefined> {
  let minPriority: Priority | undefined;
  if (flags.minPriority !== undefined) {
    minPriority = parsePriority(flags.minPriority);
    if (!minPriority) throw new UsageError(`--min-priority: unknown priority "${flags.minPriority}" (emergency, alert, critical, error, warning, notice, informational, debug)`);
  }
  const { files, errors } = await readRuleFiles(flags.rules ?? DEFAULT_RULE_FILES);
  const sources = defaultSources();
  const built = buildRuleset(files, { sources, matching: flags.ruleMatching, ...(minPriority ? { minPriority } : {}) });
  for (const e of errors) process.stderr.write(`palisade: ${e}\n`);
  const failed = built.loaded.results.filter((r) => r.errors.length > 0);
  if (failed.length > 0 || errors.length > 0) {
    if (failed.length > 0) process.stderr.write(formatLoadResult(failed, 'text').replace(/\n?$/, '\n'));
    process.stderr.write('palisade: rules did not load; nothing was run\n');
    return undefined;
  }
  return { built, sources };
}

/** One line per problem on stderr, but a flood of bad input is cut to a count. */
export function limitedReporter(limit = 20): { report: (message: string) => void; count: () => number } {
  let n = 0;
  return {
    report(message: string) {
      n++;
      if (n <= limit) process.stderr.write(`palisade: ${message}\n`);
      else if (n === limit + 1) process.stderr.write('palisade: more problems with the input; only the count is reported from now on\n');
    },
    count: () => n,
  };
}

/** Runs `work` with a signal that Ctrl-C or SIGTERM aborts (how --follow stops cleanly). */
export async function untilInterrupted<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    return await work(abort.signal);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
