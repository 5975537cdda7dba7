/** The `palisade` command line: one file per command; this file wires them together. */
import { Command, CommanderError } from 'commander';
import type { Command as CommandType } from 'commander';
import { VERSION } from './version.js';
import { FatalError, UsageError } from './errors.js';

type Register = (program: CommandType, setExit: (code: number) => void) => void;

/**
 * The commands, in help order, each loaded only when needed: a command's modules (the rules
 * engine, SQLite and PostgreSQL drivers, fastify, the CEL interpreter) cost tens to hundreds of
 * milliseconds to import, and `palisade scan` should not pay for `palisade audit serve`.
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  scan: async () => (await import('./scan.js')).registerScan,
  checks: async () => (await import('./checks.js')).registerChecks,
  rules: async () => (await import('./rules.js')).registerRules,
  detect: async () => (await import('./detect.js')).registerDetect,
  audit: async () => (await import('./audit.js')).registerAudit,
  vap: async () => (await import('./vap.js')).registerVap,
  rbac: async () => (await import('./rbac.js')).registerRbac,
  certs: async () => (await import('./certs.js')).registerCerts,
  install: async () => (await import('./install.js')).registerInstall,
  serve: async () => (await import('./serve.js')).registerServe,
  netpol: async () => (await import('./netpol.js')).registerNetpol,
};

/** The command the arguments name, or every command (help, --version, a typo commander should point out). */
function commandsFor(argv: readonly string[]): string[] {
  const first = argv.slice(2).find((a) => !a.startsWith('-'));
  return first !== undefined && first in COMMANDS ? [first] : Object.keys(COMMANDS);
}

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
  for (const name of commandsFor(argv)) (await COMMANDS[name]())(program, (code) => { exitCode = code; });
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
