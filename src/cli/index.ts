/** The `palisade` command line: one file per command; this file wires them together. */
import { Command, CommanderError } from 'commander';
import { registerScan } from './scan.js';
import { registerChecks } from './checks.js';
import { registerRules } from './rules.js';
import { registerDetect } from './detect.js';
import { registerAudit } from './audit.js';
import { registerVap } from './vap.js';
import { VERSION } from './version.js';
import { FatalError, UsageError } from './errors.js';

export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command();
  let exitCode = 0;
  program
    .name('palisade')
    .description('Kubernetes defense-in-depth toolkit: manifest checks, Pod Security Standards, Falco-syntax runtime rules and more')
    .version(VERSION, '-V, --version')
    .exitOverride()
    .configureOutput({
      writeErr: (s) => process.stderr.write(s),
      outputError: (s, write) => write(`palisade: ${s.replace(/^error: /, '').trim()}\n`),
    })
    .showHelpAfterError('(run palisade --help for usage)');
  registerScan(program, (code) => { exitCode = code; });
  registerChecks(program, (code) => { exitCode = code; });
  registerRules(program, (code) => { exitCode = code; });
  registerDetect(program, (code) => { exitCode = code; });
  registerAudit(program, (code) => { exitCode = code; });
  registerVap(program, (code) => { exitCode = code; });
  try {
    await program.parseAsync([...argv]);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit 0; every usage error is exit 2.
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof UsageError || err instanceof FatalError) {
      process.stderr.write(`palisade: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  return exitCode;
}
