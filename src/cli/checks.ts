/** `palisade checks list`: the catalogue as a table, JSON or Markdown. */
import { Command, Option } from 'commander';
import pc from 'picocolors';
import { catalogueMarkdown, describeCatalogue, type CheckDescription } from '../checks/catalogue/index.js';

const FORMATS = ['table', 'json', 'markdown'] as const;

export function registerChecks(program: Command, setExit: (code: number) => void): void {
  const checks = program.command('checks').description('The check catalogue');
  checks
    .command('list')
    .description('List every check: id, severity, default, STRIDE, title and references')
    .addOption(new Option('-f, --format <format>', 'output format').choices(FORMATS).default('table'))
    .option('--no-color', 'never colour the table')
    .action((flags: { format: (typeof FORMATS)[number]; color: boolean }) => {
      const all = describeCatalogue();
      if (flags.format === 'json') process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
      else if (flags.format === 'markdown') process.stdout.write(catalogueMarkdown(all));
      else process.stdout.write(table(all, flags.color && process.stdout.isTTY === true && !process.env.NO_COLOR));
      setExit(0);
    });
}

function table(all: readonly CheckDescription[], color: boolean): string {
  const c = pc.createColors(color);
  const width = Math.max(...all.map((d) => d.id.length));
  const sev = (s: string) => (s === 'critical' ? c.red(s) : s === 'high' ? c.magenta(s) : s === 'medium' ? c.yellow(s) : s);
  const lines = [c.bold(`${'ID'.padEnd(width)}  SEVERITY  DEFAULT  STRIDE  TITLE`)];
  for (const d of all) {
    lines.push(`${d.id.padEnd(width)}  ${sev(d.severity.padEnd(8))}  ${(d.defaultOn ? 'on' : 'off').padEnd(7)}  ${d.stride.join('').padEnd(6)}  ${d.title}`);
    if (d.references.length > 0) lines.push(c.dim(`${' '.repeat(width + 2)}${d.references.join(', ')}`));
  }
  const pss = all.filter((d) => d.type === 'pss').length;
  lines.push('', `${all.length} checks (${pss} Pod Security Standards controls, ${all.length - pss} catalogue checks); profiles: baseline, restricted, cks (default), all.`);
  return `${lines.join('\n')}\n`;
}
