/** `palisade rules validate|list`: Falco rule files checked and listed. */
import { Command, Option } from 'commander';
import { buildRuleset, DEFAULT_RULE_FILES, formatLoadResult, readRuleFiles, type BuiltRuleset } from '../rules/index.js';

const FORMATS = ['text', 'json'] as const;

async function load(paths: readonly string[]): Promise<{ built: BuiltRuleset; readErrors: string[] }> {
  const { files, errors } = await readRuleFiles(paths.length > 0 ? paths : DEFAULT_RULE_FILES);
  return { built: buildRuleset(files), readErrors: errors };
}

export function registerRules(program: Command, setExit: (code: number) => void): void {
  const rules = program.command('rules').description('Falco-syntax rule files: validate and list');

  rules
    .command('validate')
    .description("Load rule files as Falco does and report errors and warnings with file:line (Palisade's defaults without FILE)")
    .argument('[files...]', 'rules files, loaded in order (later files modify earlier ones)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(FORMATS).default('text'))
    .action(async (paths: string[], flags: { format: (typeof FORMATS)[number] }) => {
      const { built, readErrors } = await load(paths);
      const counts = { rules: built.loaded.rules.length, macros: built.loaded.macros.length, lists: built.loaded.lists.length };
      for (const e of readErrors) process.stderr.write(`palisade: ${e}\n`);
      if (flags.format === 'json') {
        const errors = built.loaded.results.reduce((n, r) => n + r.errors.length, 0);
        const warnings = built.loaded.results.reduce((n, r) => n + r.warnings.length, 0);
        const body = JSON.parse(formatLoadResult(built.loaded.results, 'json', counts)) as Record<string, unknown>;
        process.stdout.write(`${JSON.stringify({ ...body, counts: { ...counts, errors: errors + readErrors.length, warnings } }, null, 2)}\n`);
      } else {
        const text = formatLoadResult(built.loaded.results, 'text', counts);
        if (text !== '') process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
      }
      setExit(built.ok && readErrors.length === 0 ? 0 : 1);
    });

  rules
    .command('list')
    .description("List the rules of rule files: name, priority, source, enabled, tags (Palisade's defaults without FILE)")
    .argument('[files...]', 'rules files, loaded in order')
    .addOption(new Option('-f, --format <format>', 'output format').choices(FORMATS).default('text'))
    .action(async (paths: string[], flags: { format: (typeof FORMATS)[number] }) => {
      const { built, readErrors } = await load(paths);
      for (const e of readErrors) process.stderr.write(`palisade: ${e}\n`);
      const failed = built.loaded.results.filter((r) => r.errors.length > 0);
      if (failed.length > 0) process.stderr.write(formatLoadResult(failed, 'text').replace(/\n?$/, '\n'));
      const list = built.loaded.rules.map((r) => ({
        name: r.name, priority: r.priority, source: r.source, enabled: r.enabled, tags: r.tags, desc: r.desc, file: r.file, line: r.line,
      }));
      if (flags.format === 'json') {
        process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
      } else {
        const width = Math.max(4, ...list.map((r) => r.name.length));
        const lines = [`${'RULE'.padEnd(width)}  PRIORITY       SOURCE     ENABLED  TAGS`];
        for (const r of list) {
          lines.push(`${r.name.padEnd(width)}  ${r.priority.padEnd(13)}  ${r.source.padEnd(9)}  ${(r.enabled ? 'yes' : 'no').padEnd(7)}  ${r.tags.join(', ')}`);
        }
        process.stdout.write(`${lines.join('\n')}\n${list.length} rules\n`);
      }
      setExit(built.ok && readErrors.length === 0 ? 0 : 1);
    });
}
