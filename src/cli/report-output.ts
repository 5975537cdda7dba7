/**
 * The findings report every finding command shares (scan, audit policy lint, rbac risks,
 * netpol check): the format/output/fail-on/colour flags, writing the report to stdout or a
 * file, problems on stderr when the report does not show them, and scan's exit codes.
 */
import { writeFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { exitCodeFor } from '../checks/index.js';
import type { InputError, ScanResult } from '../model/index.js';
import { FAIL_ON_VALUES, type FailOn } from '../policy/index.js';
import { renderReport, REPORT_FORMATS, type ReportFormat } from '../report/index.js';
import { VERSION } from './version.js';

export interface ReportFlags {
  format: ReportFormat;
  output?: string;
  failOn: FailOn;
  color: boolean;
}

/** -f/--format, -o/--output, --fail-on (default high) and --no-color. */
export function addReportOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('-f, --format <format>', 'report format').choices(REPORT_FORMATS).default('table'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding at or above this severity exists').choices(FAIL_ON_VALUES).default('high'))
    .option('--no-color', 'never colour the table output');
}

export function inputErrorLine(e: InputError): string {
  return `palisade: ${e.file}${e.line ? `:${e.line}` : ''}: ${e.message}\n`;
}

/** Writes text to `output`, or stdout without one; false (and a line on stderr) when the file cannot be written. */
export function writeOutput(text: string, output: string | undefined): boolean {
  if (output === undefined) {
    process.stdout.write(text);
    return true;
  }
  try {
    writeFileSync(output, text);
    return true;
  } catch (err) {
    process.stderr.write(`palisade: cannot write ${output}: ${(err as Error).message}\n`);
    return false;
  }
}

/**
 * Renders and writes the report; returns the exit code: 2 when the report cannot be written
 * or an input could not be read, 1 for a finding at or above `failOn`, else 0.
 */
export function emitReport(result: ScanResult, flags: Omit<ReportFlags, 'failOn'>, failOn: FailOn, cwd = process.cwd()): number {
  const color = flags.color && flags.output === undefined && process.stdout.isTTY === true && !process.env.NO_COLOR;
  if (!writeOutput(renderReport(result, flags.format, { color, toolVersion: VERSION, cwd }), flags.output)) return 2;
  // The table shows errors and warnings itself; other formats (and files) get them on stderr.
  if (flags.format !== 'table' || flags.output !== undefined) {
    for (const e of result.errors) process.stderr.write(inputErrorLine(e));
    for (const w of result.warnings) process.stderr.write(`palisade: warning: ${w}\n`);
  }
  return exitCodeFor(result, failOn);
}
