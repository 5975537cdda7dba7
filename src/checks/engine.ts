/**
 * Runs every analyzer over one resource and applies suppressions. This is the unit of
 * work a scan repeats (inline or in a worker thread), so it takes only plain data.
 */
import { parseJsonText, parseYamlChunk, type Finding, type InputError, type Resource, type Unit } from '../model/index.js';
import { Suppressor, type PalisadeConfig } from '../policy/index.js';
import { pssFindings, type PssPolicy } from './pss/index.js';

export interface EngineOptions {
  pss: PssPolicy;
  config: PalisadeConfig;
  /** Milliseconds since the epoch: the "now" that ignore expiry dates are compared to. */
  now: number;
}

export interface UnitResult {
  resources: number;
  findings: Finding[];
  errors: InputError[];
}

/** Findings for one resource, before suppression. */
export function checkResource(resource: Resource, opts: EngineOptions): Finding[] {
  return pssFindings(resource, opts.pss);
}

export class Engine {
  readonly suppressor: Suppressor;

  constructor(readonly opts: EngineOptions) {
    this.suppressor = new Suppressor(opts.config, new Date(opts.now));
  }

  runResource(resource: Resource): Finding[] {
    return this.suppressor.apply(checkResource(resource, this.opts), resource);
  }

  runUnit(unit: Unit): UnitResult {
    if (unit.type === 'error') {
      return { resources: 0, findings: [], errors: [{ file: unit.file, line: unit.line, message: unit.message }] };
    }
    const parsed = unit.type === 'yaml' ? parseYamlChunk(unit.chunk, unit.file, unit.doc) : parseJsonText(unit.text, unit.file, unit.firstLine);
    const findings: Finding[] = [];
    const errors = [...parsed.errors];
    for (const resource of parsed.resources) {
      try {
        findings.push(...this.runResource(resource));
      } catch (err) {
        // A check must never take the scan down; say which resource it choked on.
        errors.push({ file: resource.file, line: safeLine(resource), message: `internal error checking ${resource.id}: ${err instanceof Error ? err.message : String(err)}` });
      }
    }
    return { resources: parsed.resources.length, findings, errors };
  }
}

function safeLine(r: Resource): number | undefined {
  try {
    return r.line;
  } catch {
    return undefined;
  }
}
