/** Reads the inputs `palisade scan` reads (files, directories, `-` for stdin) into Resources. */
import type { Readable } from 'node:stream';
import { collectInputs, parseJsonText, parseYamlChunk, readUnits, type InputError, type Resource } from '../model/index.js';

export interface Loaded {
  resources: Resource[];
  errors: InputError[];
  warnings: string[];
}

export async function loadResources(paths: readonly string[], opts: { cwd?: string; stdin?: Readable } = {}): Promise<Loaded> {
  const { inputs, errors, warnings } = await collectInputs(paths, opts.cwd);
  const resources: Resource[] = [];
  for (const input of inputs) {
    for await (const unit of readUnits(input, opts.stdin)) {
      if (unit.type === 'error') {
        errors.push({ file: unit.file, line: unit.line, message: unit.message });
        continue;
      }
      const parsed = unit.type === 'yaml' ? parseYamlChunk(unit.chunk, unit.file, unit.doc) : parseJsonText(unit.text, unit.file, unit.firstLine);
      resources.push(...parsed.resources);
      errors.push(...parsed.errors);
    }
  }
  return { resources, errors, warnings };
}
