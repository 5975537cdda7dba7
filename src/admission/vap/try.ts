/**
 * `palisade vap test` without the command line: loads policies, bindings, parameters and
 * manifests from files, checks the policies and bindings, and evaluates every manifest as
 * the request that applying it would make. Without bindings, each policy is evaluated as if
 * bound with validationActions [Deny] and no params; the result says so.
 */
import { evaluateVap } from './evaluate.js';
import { checkBinding, checkPolicy, describe, isBinding, isPolicy, loadInputs, type Loaded } from './load.js';
import { requestForManifest } from './request.js';
import type { JsonObject, Operation, UserInfo, VapProblem, VapResult } from './types.js';

export interface TryOptions {
  policyFiles: readonly string[];
  bindingFiles?: readonly string[];
  paramFiles?: readonly string[];
  resourceFiles: readonly string[];
  oldFiles?: readonly string[];
  operation?: Operation;
  userInfo?: UserInfo;
  dryRun?: boolean;
  readStdin?: () => string;
}

export interface TriedResource {
  resource: { apiVersion: string; kind: string; namespace?: string; name: string; file: string; line: number };
  operation: Operation;
  result: VapResult;
  notes: string[];
}

export interface TryOutcome {
  /** Input that cannot be used (unreadable, unparsable, invalid policy or binding): nothing was evaluated. */
  errors: VapProblem[];
  warnings: VapProblem[];
  notes: string[];
  results: TriedResource[];
}

export const IMPLICIT_BINDING_SUFFIX = '-implicit-binding';

function key(o: JsonObject): string {
  const m = (o.metadata ?? {}) as JsonObject;
  return `${String(o.kind)}/${String(m.namespace ?? '')}/${String(m.name ?? '')}`;
}

export async function tryPolicies(opts: TryOptions): Promise<TryOutcome> {
  const out: TryOutcome = { errors: [], warnings: [], notes: [], results: [] };
  const policyLoad = await loadInputs(opts.policyFiles, opts.readStdin);
  const bindingLoad = await loadInputs(opts.bindingFiles ?? [], opts.readStdin);
  const paramLoad = await loadInputs(opts.paramFiles ?? [], opts.readStdin);
  const resourceLoad = await loadInputs(opts.resourceFiles, opts.readStdin);
  const oldLoad = await loadInputs(opts.oldFiles ?? [], opts.readStdin);
  for (const l of [policyLoad, bindingLoad, paramLoad, resourceLoad, oldLoad]) out.errors.push(...l.errors);

  // Policy files may also hold bindings and parameters (documentation examples often do).
  const all = [...policyLoad.objects, ...bindingLoad.objects, ...paramLoad.objects];
  const policies = all.filter((l) => isPolicy(l.object));
  let bindings = all.filter((l) => isBinding(l.object));
  if (policies.length === 0 && out.errors.length === 0) {
    out.errors.push({ message: `no ValidatingAdmissionPolicy in ${opts.policyFiles.join(', ')}` });
  }
  for (const p of policies) {
    const c = checkPolicy(p);
    out.errors.push(...c.errors);
    out.warnings.push(...c.warnings);
  }
  for (const b of bindings) {
    const c = checkBinding(b);
    out.errors.push(...c.errors);
    out.warnings.push(...c.warnings);
  }
  const policyNames = new Set(policies.map((p) => p.resource.name));
  for (const b of bindings) {
    const pn = String((b.object.spec as JsonObject | undefined)?.policyName ?? '');
    if (!policyNames.has(pn)) out.warnings.push({ file: b.resource.file, line: b.resource.line, object: describe(b), message: `binds policy "${pn}", which is not among the inputs` });
  }
  if (out.errors.length > 0) return out;

  const bindingObjects: JsonObject[] = bindings.map((b) => b.object);
  if (bindings.length === 0) {
    for (const p of policies) {
      bindingObjects.push({
        apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding',
        metadata: { name: `${p.resource.name}${IMPLICIT_BINDING_SUFFIX}` },
        spec: { policyName: p.resource.name, validationActions: ['Deny'] },
      });
    }
    out.notes.push(`no binding given: each policy is evaluated as if bound by "<policy>${IMPLICIT_BINDING_SUFFIX}" with validationActions [Deny], no params and no matchResources`);
    bindings = [];
  }

  // Namespaces: Namespace objects from any input; others referenced are taken to exist without labels.
  const namespaceObjects = new Map<string, JsonObject>();
  for (const l of [...all, ...resourceLoad.objects]) {
    if (l.object.kind === 'Namespace' && l.object.apiVersion === 'v1' && l.resource.name !== '') namespaceObjects.set(l.resource.name, l.object);
  }
  const params = all.filter((l) => !isPolicy(l.object) && !isBinding(l.object)).map((l) => l.object);
  const olds = new Map(oldLoad.objects.map((l) => [key(l.object), l.object]));
  const operation = opts.operation ?? 'CREATE';
  for (const r of resourceLoad.objects) {
    out.results.push(tryOne(r, { policies: policies.map((p) => p.object), bindings: bindingObjects, params, namespaceObjects, olds, oldCount: oldLoad.objects.length, operation, opts }));
  }
  return out;
}

function tryOne(
  r: Loaded,
  ctx: {
    policies: JsonObject[]; bindings: JsonObject[]; params: JsonObject[]; namespaceObjects: Map<string, JsonObject>;
    olds: Map<string, JsonObject>; oldCount: number; operation: Operation; opts: TryOptions;
  },
): TriedResource {
  const notes: string[] = [];
  let old = ctx.olds.get(key(r.object));
  // One old object and one resource: they belong together even if renamed.
  if (old === undefined && ctx.oldCount === 1) old = [...ctx.olds.values()][0];
  if (ctx.operation === 'UPDATE' && old === undefined) notes.push('UPDATE without an old object (--old): oldObject is null');
  const request = requestForManifest(r.object, { operation: ctx.operation, old, userInfo: ctx.opts.userInfo, dryRun: ctx.opts.dryRun });
  const ns = request.namespace ?? '';
  const namespaces: Record<string, JsonObject> = Object.fromEntries(ctx.namespaceObjects);
  if (ns !== '' && namespaces[ns] === undefined && !(r.object.kind === 'Namespace')) {
    namespaces[ns] = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } };
    notes.push(`namespace "${ns}" is not among the inputs: taken to exist with no labels`);
  }
  const result = evaluateVap({ policies: ctx.policies, bindings: ctx.bindings, params: ctx.params, namespaces }, request);
  const res = r.resource;
  const resource: TriedResource['resource'] = { apiVersion: res.apiVersion, kind: res.kind, name: res.name, file: res.file, line: res.line };
  if (ns !== '' && r.object.kind !== 'Namespace') resource.namespace = ns;
  return { resource, operation: ctx.operation, result, notes };
}
