/**
 * Reads the same inputs as `palisade scan` (files, directories, `-` for stdin; YAML streams,
 * JSON, kubectl Lists) through the model's loader, keeping each resource's file and line.
 * Only the kinds RBAC analysis uses are kept.
 */
import type { Readable } from 'node:stream';
import { collectInputs, parseJsonText, parseYamlChunk, readUnits, type InputError, type Resource } from '../model/index.js';
import { buildPolicy, type PolicyOptions, type RbacPolicy } from './policy.js';

const KINDS = new Set([
  'Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding', 'ServiceAccount', 'Secret', 'Namespace', 'CustomResourceDefinition',
  'Pod', 'PodTemplate', 'ReplicationController', 'ReplicaSet', 'Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob',
]);

export interface LoadedInputs {
  resources: Resource[];
  /** Every object read, of any kind. */
  objects: number;
  errors: InputError[];
  warnings: string[];
}

export interface LoadOptions {
  cwd?: string;
  stdin?: Readable;
}

export async function loadResources(paths: readonly string[], opts: LoadOptions = {}): Promise<LoadedInputs> {
  const { inputs, errors, warnings } = await collectInputs(paths, opts.cwd);
  const resources: Resource[] = [];
  let objects = 0;
  for (const input of inputs) {
    for await (const unit of readUnits(input, opts.stdin)) {
      if (unit.type === 'error') {
        errors.push({ file: unit.file, line: unit.line, message: unit.message });
        continue;
      }
      const parsed = unit.type === 'yaml' ? parseYamlChunk(unit.chunk, unit.file, unit.doc) : parseJsonText(unit.text, unit.file, unit.firstLine);
      errors.push(...parsed.errors);
      objects += parsed.resources.length;
      for (const r of parsed.resources) if (KINDS.has(r.kind)) resources.push(r);
    }
  }
  return { resources, objects, errors, warnings };
}

export interface LoadedPolicy {
  policy: RbacPolicy;
  errors: InputError[];
  warnings: string[];
}

/** Reads the inputs and builds the policy from them. */
export async function loadPolicy(paths: readonly string[], opts: LoadOptions & PolicyOptions = {}): Promise<LoadedPolicy> {
  const loaded = await loadResources(paths, opts);
  const policy = buildPolicy(loaded.resources, opts);
  policy.objects = loaded.objects;
  return { policy, errors: loaded.errors, warnings: loaded.warnings };
}
