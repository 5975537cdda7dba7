/**
 * From inputs to Resources: what `palisade scan`, `rbac` and `netpol` all read (files,
 * directories, `-` for stdin; YAML streams, JSON, kubectl Lists), each resource keeping its
 * file and line.
 */
import type { Readable } from 'node:stream';
import { collectInputs } from './inputs.js';
import { parseJsonText, parseYamlChunk, type ParseResult } from './parse.js';
import { readUnits, type Unit } from './read.js';
import type { Resource } from './resource.js';
import type { InputError } from './types.js';

/** One unit parsed: its resources, or the unit's own read error. */
export function parseUnit(unit: Unit): ParseResult {
  if (unit.type === 'error') return { resources: [], errors: [{ file: unit.file, line: unit.line, message: unit.message }] };
  return unit.type === 'yaml' ? parseYamlChunk(unit.chunk, unit.file, unit.doc) : parseJsonText(unit.text, unit.file, unit.firstLine);
}

export interface LoadedResources {
  /** The resources `keep` accepted (all of them without `keep`). */
  resources: Resource[];
  /** Every object read, of any kind. */
  objects: number;
  errors: InputError[];
  warnings: string[];
}

export interface LoadResourcesOptions {
  cwd?: string;
  stdin?: Readable;
  /** Which resources to hold on to (the rest are counted and dropped as they are read). */
  keep?: (resource: Resource) => boolean;
}

/** Reads every input whole into Resources (for analyses that need them all at once). */
export async function loadResources(paths: readonly string[], opts: LoadResourcesOptions = {}): Promise<LoadedResources> {
  const { inputs, errors, warnings } = await collectInputs(paths, opts.cwd);
  const resources: Resource[] = [];
  let objects = 0;
  for (const input of inputs) {
    for await (const unit of readUnits(input, opts.stdin)) {
      const parsed = parseUnit(unit);
      errors.push(...parsed.errors);
      objects += parsed.resources.length;
      for (const r of parsed.resources) if (!opts.keep || opts.keep(r)) resources.push(r);
    }
  }
  return { resources, objects, errors, warnings };
}
