/**
 * Reporters: turn a ScanResult into text. This is the only module other folders import.
 * Every format returns the whole document, ending with a newline.
 */

import type { ScanResult } from '../model/types.js';
import { renderJson } from './json.js';
import { renderJunit } from './junit.js';
import { renderSarif } from './sarif.js';
import { renderTable } from './table.js';

export type ReportFormat = 'table' | 'json' | 'sarif' | 'junit';

/** All formats; the first is the default. */
export const REPORT_FORMATS: readonly ReportFormat[] = ['table', 'json', 'sarif', 'junit'];

export function isReportFormat(s: string): s is ReportFormat {
  return (REPORT_FORMATS as readonly string[]).includes(s);
}

export interface ReportOptions {
  /** ANSI colour in the table format only; callers pass `process.stdout.isTTY && !NO_COLOR`. */
  color: boolean;
  /** Palisade's version, written into SARIF. */
  toolVersion: string;
  /** Absolute file names under this directory are made relative (SARIF, JUnit). */
  cwd?: string;
}

export function renderReport(result: ScanResult, format: ReportFormat, opts: ReportOptions): string {
  switch (format) {
    case 'table':
      return renderTable(result, { color: opts.color });
    case 'json':
      return renderJson(result);
    case 'sarif':
      return renderSarif(result, { toolVersion: opts.toolVersion, cwd: opts.cwd });
    case 'junit':
      return renderJunit(result, { cwd: opts.cwd });
    default: {
      const never: never = format;
      throw new Error(`unknown report format: ${String(never)}`);
    }
  }
}
