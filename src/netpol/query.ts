/** What the commands share: loading a model from paths, naming endpoints, problems as lines. */
import type { Readable } from 'node:stream';
import { loadResources, type InputError } from '../model/index.js';
import { buildModel } from './build.js';
import { parseCidr, parseIp, rangeOf, type Range } from './cidr.js';
import { Engine, type Endpoint } from './engine.js';
import type { NetpolModel } from './types.js';

export interface Analysis {
  model: NetpolModel;
  engine: Engine;
  errors: InputError[];
  warnings: string[];
}

export async function analyzePaths(paths: readonly string[], opts: { cwd?: string; stdin?: Readable } = {}): Promise<Analysis> {
  const loaded = await loadResources(paths, opts);
  const model = buildModel(loaded.resources);
  return { model, engine: new Engine(model), errors: loaded.errors, warnings: loaded.warnings };
}

/**
 * `ns/pod` (a Pod or a workload, also `ns/name[Kind]`), or an IP address (the pod with that IP
 * when the input knows one, else an address outside the cluster's pods).
 */
export function resolveEndpoint(model: NetpolModel, engine: Engine, text: string): Endpoint | string {
  const t = text.trim();
  const ip = parseIp(t);
  if (ip) {
    const pod = engine.podWithIp(ip);
    return pod ? { pod } : { ip, text: t };
  }
  const exact = model.pods.find((p) => p.id === t);
  if (exact) return { pod: exact };
  const loose = model.pods.filter((p) => `${p.namespace}/${p.name}` === t);
  if (loose.length === 1) return { pod: loose[0] };
  if (loose.length > 1) return `"${t}" names ${loose.length} objects (${loose.map((p) => p.id).join(', ')}); say which`;
  if (!t.includes('/')) {
    const named = model.pods.filter((p) => p.name === t);
    const hint = named.length > 0 ? ` (did you mean ${named.map((p) => p.id).join(' or ')}?)` : '';
    return `"${t}" is not NAMESPACE/POD or an IP address${hint}`;
  }
  return `no pod or workload "${t}" in the input`;
}

/** Input problems (invalid policies, duplicates, bad ports) as `file:line: message` lines. */
export function problemLines(model: NetpolModel): string[] {
  return model.problems.map((p) => `${p.resource.file}:${p.resource.lineOf(p.path)}: ${p.resource.kind} ${p.resource.namespace ? `${p.resource.namespace}/` : ''}${p.resource.name}: ${p.message}`);
}

/** --cluster-cidr values as ranges, or the first one that does not parse. */
export function parseClusterCidrs(texts: readonly string[]): Range[] | string {
  const out: Range[] = [];
  for (const t of texts) {
    const c = parseCidr(t);
    if (typeof c === 'string') return `--cluster-cidr: ${c}`;
    out.push(rangeOf(c));
  }
  return out;
}
