/**
 * Reads the same inputs as `palisade scan` (files, directories, `-` for stdin; YAML streams,
 * JSON, kubectl Lists) through the model's loader, keeping each resource's file and line.
 * Only the kinds RBAC analysis uses are kept.
 */
import { loadResources as loadModelResources, type InputError, type LoadedResources, type LoadResourcesOptions } from '../model/index.js';
import { buildPolicy, type PolicyOptions, type RbacPolicy } from './policy.js';

const KINDS = new Set([
  'Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding', 'ServiceAccount', 'Secret', 'Namespace', 'CustomResourceDefinition',
  'Pod', 'PodTemplate', 'ReplicationController', 'ReplicaSet', 'Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob',
]);

export type LoadedInputs = LoadedResources;
export type LoadOptions = Omit<LoadResourcesOptions, 'keep'>;

/** The resources RBAC analysis uses, read as `palisade scan` reads its inputs. */
export function loadResources(paths: readonly string[], opts: LoadOptions = {}): Promise<LoadedInputs> {
  return loadModelResources(paths, { ...opts, keep: (r) => KINDS.has(r.kind) });
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
