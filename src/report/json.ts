/**
 * JSON reporter: a stable contract read by other tools. Keys are written in a fixed order,
 * optional keys are left out (never `null`), and the output ends with a newline.
 */

import type { Finding, InputError, ResourceRef, ScanResult, ScanSummary } from '../model/types.js';
import { resourceJson } from './common.js';

/** Bumped only on incompatible changes to the shape below. */
export const JSON_REPORT_VERSION = 1;


function findingJson(f: Finding): Record<string, unknown> {
  const out: Record<string, unknown> = {
    check: f.check,
    severity: f.severity,
    title: f.title,
    message: f.message,
    resource: resourceJson(f.resource),
    path: f.path,
    line: f.line,
    remediation: f.remediation,
    stride: [...f.stride],
  };
  if (f.refs !== undefined) out.refs = [...f.refs];
  out.suppressed = f.suppressed;
  if (f.suppression !== undefined) out.suppression = { kind: f.suppression.kind, reason: f.suppression.reason };
  return out;
}

function summaryJson(s: ScanSummary): Record<string, unknown> {
  return {
    resources: s.resources,
    findings: s.findings,
    suppressed: s.suppressed,
    bySeverity: {
      critical: s.bySeverity.critical,
      high: s.bySeverity.high,
      medium: s.bySeverity.medium,
      low: s.bySeverity.low,
      info: s.bySeverity.info,
    },
  };
}

function errorJson(e: InputError): Record<string, unknown> {
  const out: Record<string, unknown> = { file: e.file };
  if (e.line !== undefined) out.line = e.line;
  out.message = e.message;
  return out;
}

/** The report as a plain object, keys in contract order. */
export function jsonReport(result: ScanResult): Record<string, unknown> {
  return {
    version: JSON_REPORT_VERSION,
    findings: result.findings.map(findingJson),
    summary: summaryJson(result.summary),
    errors: result.errors.map(errorJson),
    warnings: [...result.warnings],
  };
}

export function renderJson(result: ScanResult): string {
  return JSON.stringify(jsonReport(result), null, 2) + '\n';
}
