/** `palisade detect`: Falco-syntax rules over syscall or Kubernetes audit events. */
import { Command, Option } from 'commander';
import {
  alertFormatter, buildRuleset, DEFAULT_RULE_FILES, defaultSources, detect, fileSink, formatLoadResult, httpSink, parsePriority,
  programSink, readRuleFiles, stdoutSink, syslogSink, type AlertSink, type Priority, type RuleMatching, type SourceName,
} from '../rules/index.js';
import { UsageError } from './errors.js';

interface DetectFlags {
  rules?: string[];
  source: SourceName | 'auto';
  follow?: boolean;
  format: 'text' | 'json';
  stdout: boolean;
  outputFile?: string;
  outputHttp?: string;
  outputSyslog?: string | true;
  outputProgram?: string;
  minPriority?: string;
  ruleMatching: RuleMatching;
  hostname?: string;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function syslogTarget(value: string | true): { host: string; port: number } {
  if (value === true) return { host: '127.0.0.1', port: 514 };
  const m = /^(.*?)(?::(\d{1,5}))?$/.exec(value)!;
  const port = m[2] ? Number(m[2]) : 514;
  if (m[1] === '' || port < 1 || port > 65535) throw new UsageError(`--output-syslog: expected HOST[:PORT], got "${value}"`);
  return { host: m[1], port };
}

function sinksFor(flags: DetectFlags): AlertSink[] {
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

export function registerDetect(program: Command, setExit: (code: number) => void): void {
  program
    .command('detect')
    .description("Run Falco-syntax rules over syscall or Kubernetes audit events and print Falco's alerts")
    .argument('[inputs...]', 'event files (JSON lines, audit logs, .gz) or - for standard input (default: -)')
    .option('-r, --rules <file>', "rules file (repeatable, loaded in order; default: Palisade's own rules)", collect)
    .addOption(new Option('--source <source>', 'event source of the inputs').choices(['auto', 'syscall', 'k8s_audit']).default('auto'))
    .option('--follow', 'keep reading files as they grow (tail -f, survives rotation); stop with Ctrl-C')
    .addOption(new Option('-f, --format <format>', 'alert format on stdout and in --output-file').choices(['text', 'json']).default('text'))
    .option('--no-stdout', 'do not print alerts on standard output')
    .option('--output-file <path>', 'also append alerts to this file')
    .option('--output-http <url>', 'also POST each alert (Falco JSON) to this URL; a bounded queue, retries, never blocks detection')
    .option('--output-syslog [host:port]', 'also send alerts to syslog over UDP (default 127.0.0.1:514)')
    .option('--output-program <command>', 'also pipe alert lines into this command (run with /bin/sh -c)')
    .option('--min-priority <priority>', 'only rules at least this severe (emergency … debug)')
    .addOption(new Option('--rule-matching <mode>', "all matching rules alert, or only the first (Falco's rule_matching)").choices(['all', 'first']).default('all'))
    .option('--hostname <name>', 'hostname in alerts (default: $FALCO_HOSTNAME or the machine name)')
    .action(async (inputs: string[], flags: DetectFlags) => {
      let minPriority: Priority | undefined;
      if (flags.minPriority !== undefined) {
        minPriority = parsePriority(flags.minPriority);
        if (!minPriority) throw new UsageError(`--min-priority: unknown priority "${flags.minPriority}" (emergency, alert, critical, error, warning, notice, informational, debug)`);
      }
      const sinks = sinksFor(flags);
      const { files, errors } = await readRuleFiles(flags.rules ?? DEFAULT_RULE_FILES);
      const sources = defaultSources();
      const built = buildRuleset(files, { sources, matching: flags.ruleMatching, ...(minPriority ? { minPriority } : {}) });
      for (const e of errors) process.stderr.write(`palisade: ${e}\n`);
      const failed = built.loaded.results.filter((r) => r.errors.length > 0);
      if (failed.length > 0 || errors.length > 0) {
        if (failed.length > 0) process.stderr.write(formatLoadResult(failed, 'text').replace(/\n?$/, '\n'));
        process.stderr.write('palisade: rules did not load; nothing was run\n');
        await Promise.all(sinks.map((s) => s.close()));
        setExit(1);
        return;
      }

      const abort = new AbortController();
      const stop = () => abort.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      let inputErrors = 0;
      try {
        const stats = await detect((inputs.length > 0 ? inputs : ['-']).map((path) => ({ path })), {
          built,
          sources,
          source: flags.source,
          sinks,
          follow: flags.follow === true,
          signal: abort.signal,
          alertOptions: flags.hostname ? { hostname: flags.hostname } : {},
          onInputError: (message) => {
            inputErrors++;
            // One line per bad event, but a file of garbage must not flood the terminal.
            if (inputErrors <= 20) process.stderr.write(`palisade: ${message}\n`);
            else if (inputErrors === 21) process.stderr.write('palisade: more malformed events; only the count is reported from now on\n');
          },
        });
        await Promise.all(sinks.map((s) => s.close()));
        const dropped = sinks.reduce((n, s) => n + s.stats().dropped + s.stats().failed, 0);
        const priorities = [...stats.byPriority].map(([p, n]) => `${n} ${p}`).join(', ');
        process.stderr.write(
          `palisade: ${stats.events} events, ${stats.alerts} alerts${priorities ? ` (${priorities})` : ''}` +
            `${stats.malformed > 0 ? `, ${stats.malformed} malformed events skipped` : ''}` +
            `${dropped > 0 ? `, ${dropped} alerts not delivered by an output channel` : ''}\n`,
        );
        setExit(stats.unreadable > 0 ? 2 : 0);
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });
}
