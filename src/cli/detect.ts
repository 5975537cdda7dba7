/** `palisade detect`: Falco-syntax rules over syscall or Kubernetes audit events. */
import { Command, Option } from 'commander';
import { detect, type SourceName } from '../rules/index.js';
import { addOutputOptions, addRuleOptions, closeSinks, limitedReporter, loadRulesFromFlags, sinksFor, untilInterrupted, type OutputFlags, type RuleFlags } from './alerting.js';

interface DetectFlags extends OutputFlags, RuleFlags {
  source: SourceName | 'auto';
  follow?: boolean;
}

export function registerDetect(program: Command, setExit: (code: number) => void): void {
  const cmd = program
    .command('detect')
    .description("Run Falco-syntax rules over syscall or Kubernetes audit events and print Falco's alerts")
    .argument('[inputs...]', 'event files (JSON lines, audit logs, .gz) or - for standard input (default: -)')
    .addOption(new Option('--source <source>', 'event source of the inputs').choices(['auto', 'syscall', 'k8s_audit']).default('auto'))
    .option('--follow', 'keep reading files as they grow (tail -f, survives rotation); stop with Ctrl-C');
  addRuleOptions(cmd);
  addOutputOptions(cmd);
  cmd.action(async (inputs: string[], flags: DetectFlags) => {
    const sinks = sinksFor(flags);
    const rules = await loadRulesFromFlags(flags);
    if (!rules) {
      await closeSinks(sinks);
      setExit(1);
      return;
    }
    const problems = limitedReporter();
    await untilInterrupted(async (signal) => {
      const stats = await detect((inputs.length > 0 ? inputs : ['-']).map((path) => ({ path })), {
        built: rules.built,
        sources: rules.sources,
        source: flags.source,
        sinks,
        follow: flags.follow === true,
        signal,
        alertOptions: flags.hostname ? { hostname: flags.hostname } : {},
        onInputError: problems.report,
      });
      const dropped = await closeSinks(sinks);
      const priorities = [...stats.byPriority].map(([p, n]) => `${n} ${p}`).join(', ');
      process.stderr.write(
        `palisade: ${stats.events} events, ${stats.alerts} alerts${priorities ? ` (${priorities})` : ''}` +
          `${stats.malformed > 0 ? `, ${stats.malformed} malformed events skipped` : ''}` +
          `${dropped > 0 ? `, ${dropped} alerts not delivered by an output channel` : ''}\n`,
      );
      setExit(stats.unreadable > 0 ? 2 : 0);
    });
  });
}
