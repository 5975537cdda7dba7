import { SEVERITIES, type ScanResult, type Severity } from '../model/index.js';

/**
 * 2 when an input could not be read (the scan is incomplete), 1 when an unsuppressed
 * finding is at or above the threshold, 0 otherwise.
 */
export function exitCodeFor(result: ScanResult, failOn: Severity | 'none'): number {
  if (result.errors.length > 0) return 2;
  if (failOn === 'none') return 0;
  const limit = SEVERITIES.indexOf(failOn);
  return result.findings.some((f) => !f.suppressed && SEVERITIES.indexOf(f.severity) <= limit) ? 1 : 0;
}
