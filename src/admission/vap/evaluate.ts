/**
 * Decides an admission request against ValidatingAdmissionPolicies as kube-apiserver's
 * validating policy plugin does (k8s.io/apiserver/pkg/admission/plugin/policy/validating:
 * dispatcher.go, validator.go):
 *
 * for each policy whose matchConstraints match (policies and bindings in name order):
 *   for each of its bindings whose matchResources match:
 *     collect params (paramRef); a failure is a configuration error under failurePolicy;
 *     for each param: matchConditions (any false: skip; errors without a false: failurePolicy),
 *     validations (denied unless exactly `true`; errors: failurePolicy), audit annotations;
 *     each denied decision goes to the binding's validationActions: Deny → denial,
 *     Warn → warning, Audit → validation_failure audit annotation.
 * The request is allowed when nothing was denied; the first denial sets status and code.
 *
 * Policies are compiled once per policy object and cached, so calling this per request with
 * the same input objects costs only the evaluation.
 */
import {
  AuthorizerValue, CelEvalError, ResourceCheckValue, fromJson, isError, stubDecide, type CelProgram, type Value,
} from '../cel/index.js';
import { callBuf } from '../cel/bridge.js';
import { compilePolicy, type CompiledExpr, type CompiledPolicy } from './compile.js';
import { matchResources, type NamespaceLookup } from './match.js';
import { collectParams } from './params.js';
import { defaultMatchResources, isObj } from './validate.js';
import type { AdmissionRequestLike, JsonObject, StatusReason, VapDenial, VapInput, VapResult } from './types.js';

/** k8s.io/apiserver/pkg/apis/cel/config.go */
export const RUNTIME_CEL_COST_BUDGET = 10_000_000;
export const PER_CALL_LIMIT = 1_000_000;
const OUT_OF_BUDGET = 'validation failed due to running out of cost budget, no further validation rules will be run';
const MAX_MESSAGE_BYTES = 5 * 1024;
const MAX_AUDIT_VALUE = 10 * 1024;
const MAX_VALIDATION_FAILURES = 50;
export const VALIDATION_FAILURE_KEY = 'validation.policy.admission.k8s.io/validation_failure';

const compiled = new WeakMap<JsonObject, CompiledPolicy>();

/** The compiled form of a policy object (cached per object). */
export function compiledPolicy(policy: JsonObject): CompiledPolicy {
  let c = compiled.get(policy);
  if (c === undefined) {
    c = compilePolicy(policy);
    compiled.set(policy, c);
  }
  return c;
}

export function reasonToCode(reason: StatusReason): number {
  switch (reason) {
    case 'Forbidden': return 403;
    case 'Unauthorized': return 401;
    case 'RequestEntityTooLarge': return 413;
    case 'NotFound': return 404;
    default: return 422;
  }
}

const nameOf = (o: JsonObject): string => (isObj(o.metadata) && typeof o.metadata.name === 'string' ? o.metadata.name : '');
const byName = (a: JsonObject, b: JsonObject): number => (nameOf(a) < nameOf(b) ? -1 : nameOf(a) > nameOf(b) ? 1 : 0);

type Action = 'admit' | 'deny';

interface Decision {
  action: Action;
  evaluation: 'admit' | 'deny' | 'error';
  message: string;
  reason?: string;
  validation?: number;
}

interface AuditAnnotationResult {
  action: 'publish' | 'exclude' | 'error';
  key: string;
  value?: string;
  error?: string;
}

/** Per-request values shared by every policy (built on first use). */
class RequestContext {
  private objectVal?: Value;
  private oldObjectVal?: Value;
  private requestVal?: Value;
  private readonly namespaces = new Map<string, Value>();
  private authz?: AuthorizerValue;
  private requestResource?: ResourceCheckValue;

  constructor(readonly req: AdmissionRequestLike, readonly input: VapInput, readonly lookup: NamespaceLookup) {}

  object(): Value {
    return (this.objectVal ??= this.req.object === undefined ? null : safeFromJson(this.req.object));
  }

  oldObject(): Value {
    return (this.oldObjectVal ??= this.req.oldObject === undefined ? null : safeFromJson(this.req.oldObject));
  }

  request(): Value {
    return (this.requestVal ??= safeFromJson(admissionRequestForCel(this.req)));
  }

  namespaceObject(name: string): Value {
    if (name === '') return null;
    let v = this.namespaces.get(name);
    if (v === undefined) {
      const ns = this.lookup(name);
      v = ns === undefined ? null : namespaceForCel(ns);
      this.namespaces.set(name, v);
    }
    return v;
  }

  authorizer(): AuthorizerValue {
    if (this.authz === undefined) {
      const u = this.req.userInfo ?? {};
      this.authz = new AuthorizerValue({ username: u.username ?? '', uid: u.uid, groups: u.groups ?? [], extra: u.extra }, this.input.authorizer ?? stubDecide);
    }
    return this.authz;
  }

  requestResourceCheck(): ResourceCheckValue {
    return (this.requestResource ??= new ResourceCheckValue(this.authorizer(), {
      group: this.req.resource.group,
      resource: this.req.resource.resource,
      subresource: this.req.subResource ?? '',
      namespace: this.req.namespace ?? '',
      name: this.req.name ?? '',
      fieldSelector: '',
      labelSelector: '',
    }));
  }
}

/** JSON to CEL values; a hostile nesting depth becomes an error value (expressions reading it fail), not a crash. */
function safeFromJson(v: unknown): Value {
  try {
    return fromJson(v);
  } catch (err) {
    if (err instanceof RangeError) return new CelEvalError('object nests too deeply to evaluate');
    throw err;
  }
}

/** The AdmissionRequest as policies see it: kube-apiserver's JSON (empty omitempty fields absent, no uid or objects). */
export function admissionRequestForCel(req: AdmissionRequestLike): JsonObject {
  const kind = req.kind ?? { group: req.resource.group, version: req.resource.version, kind: kindOf(req.object ?? req.oldObject) };
  const out: JsonObject = { kind, resource: req.resource };
  if (req.subResource) out.subResource = req.subResource;
  out.requestKind = req.requestKind ?? kind;
  out.requestResource = req.requestResource ?? req.resource;
  const rsub = req.requestSubResource ?? req.subResource;
  if (rsub) out.requestSubResource = rsub;
  if (req.name) out.name = req.name;
  if (req.namespace) out.namespace = req.namespace;
  out.operation = req.operation;
  const u = req.userInfo ?? {};
  const userInfo: JsonObject = {};
  if (u.username) userInfo.username = u.username;
  if (u.uid) userInfo.uid = u.uid;
  if (u.groups && u.groups.length > 0) userInfo.groups = u.groups;
  if (u.extra && Object.keys(u.extra).length > 0) userInfo.extra = u.extra;
  out.userInfo = userInfo;
  out.dryRun = req.dryRun === true;
  out.options = req.options ?? null;
  return out;
}

function kindOf(o: unknown): string {
  return isObj(o) && typeof o.kind === 'string' ? o.kind : '';
}

/** The namespace as `namespaceObject`: only the fields kube-apiserver exposes, timestamps as timestamps. */
function namespaceForCel(ns: JsonObject): Value {
  const meta = isObj(ns.metadata) ? ns.metadata : {};
  const keep = ['name', 'generateName', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp',
    'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'finalizers'];
  const m: JsonObject = {};
  for (const k of keep) if (meta[k] !== undefined && meta[k] !== null) m[k === 'uid' ? 'UID' : k] = meta[k];
  const out: JsonObject = { metadata: m, spec: isObj(ns.spec) ? ns.spec : {}, status: isObj(ns.status) ? ns.status : {} };
  const v = fromJson(out) as Map<string, Value>;
  const md = v.get('metadata') as Map<string, Value>;
  for (const k of ['creationTimestamp', 'deletionTimestamp']) {
    const t = md.get(k);
    if (typeof t === 'string') {
      const ts = callBuf('timestamp', false, [t]);
      if (!isError(ts)) md.set(k, ts);
    }
  }
  return v;
}

function lookupOf(input: VapInput): NamespaceLookup {
  const ns = input.namespaces;
  // Without namespace information every namespace exists and has no labels (docs/vap.md);
  // given a record or a lookup, an unknown namespace is "not found", as in kube-apiserver.
  if (ns === undefined) return (name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  if (typeof ns === 'function') return ns;
  return (name) => (Object.prototype.hasOwnProperty.call(ns, name) ? ns[name] : undefined);
}

interface Budget {
  remaining: number;
}

/** Runs one compiled expression; errors as kube-apiserver words them. */
function run(e: CompiledExpr, vars: Value[], lazy: (i: number) => Value, budget: Budget): { value?: Value; error?: string; outOfBudget?: boolean } {
  if (e.program === undefined) return { error: `compilation error: ${e.error ?? 'invalid expression'}` };
  const r = (e.program as CelProgram).evaluate({ vars, lazy, limit: Math.min(PER_CALL_LIMIT, Math.max(budget.remaining, 0) + 1) });
  budget.remaining -= r.cost;
  if (budget.remaining < 0) return { outOfBudget: true };
  if (isError(r.value)) return { error: `expression '${e.expression}' resulted in error: ${(r.value as CelEvalError).message}` };
  return { value: r.value };
}

interface ValidateResult {
  decisions: Decision[];
  annotations: AuditAnnotationResult[];
}

function validate(policy: CompiledPolicy, ctx: RequestContext, param: JsonObject | null): ValidateResult {
  const fail = policy.failurePolicy === 'Fail';
  const errorDecision = (message: string): Decision => ({ action: fail ? 'deny' : 'admit', evaluation: 'error', message });
  const req = ctx.req;
  const isNamespace = req.kind?.kind === 'Namespace' && req.kind.version === 'v1' && req.kind.group === '';
  const vars: Value[] = [
    ctx.object(),
    ctx.oldObject(),
    ctx.request(),
    ctx.namespaceObject(isNamespace ? '' : req.namespace ?? ''),
    param === null ? null : safeFromJson(param),
    ctx.authorizer(),
    ctx.requestResourceCheck(),
  ];
  // One budget for variables, validations and messages (kube-apiserver charges composited
  // variables to the expression that first reads them); audit annotations get a fresh one.
  const budget: Budget = { remaining: RUNTIME_CEL_COST_BUDGET };
  // Composited variables: evaluated on first use, once per (binding, param).
  const varValues: Value[] = new Array(policy.variables.length);
  const lazy = (i: number): Value => {
    if (varValues[i] !== undefined) return varValues[i];
    const v = policy.variables[i];
    let out: Value;
    if (v.program === undefined) out = new CelEvalError(`composited variable "${v.name}" fails to compile: ${v.error}`);
    else {
      const r = v.program.evaluate({ vars, lazy, limit: PER_CALL_LIMIT });
      budget.remaining -= r.cost;
      out = isError(r.value) ? new CelEvalError(`composited variable "${v.name}" fails to evaluate: ${(r.value as CelEvalError).message}`) : r.value;
    }
    varValues[i] = out;
    return out;
  };

  // Match conditions: any false skips the policy; errors (and no false) go to failurePolicy.
  if (policy.matchConditions.length > 0) {
    const mcBudget: Budget = { remaining: RUNTIME_CEL_COST_BUDGET };
    const errors: string[] = [];
    for (const mc of policy.matchConditions) {
      const r = run(mc, vars, lazy, mcBudget);
      if (r.outOfBudget) {
        errors.push(OUT_OF_BUDGET);
        break;
      }
      if (r.error !== undefined) errors.push(r.error);
      else if (r.value === false) return { decisions: [], annotations: [] };
    }
    if (errors.length > 0) {
      if (!fail) return { decisions: [], annotations: [] };
      return { decisions: [errorDecision(errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`)], annotations: [] };
    }
  }

  const decisions: Decision[] = [];
  for (let i = 0; i < policy.validations.length; i++) {
    const v = policy.validations[i];
    const r = run(v.expr, vars, lazy, budget);
    if (r.outOfBudget || budget.remaining < 0) return { decisions: [errorDecision(OUT_OF_BUDGET)], annotations: [] };
    if (r.error !== undefined) {
      decisions.push({ ...errorDecision(r.error), validation: i });
    } else if (r.value !== true) {
      decisions.push({ action: 'deny', evaluation: 'deny', message: denialMessage(v, vars, lazy, budget), reason: v.reason ?? 'Invalid', validation: i });
    } else {
      decisions.push({ action: 'admit', evaluation: 'admit', message: '' });
    }
  }

  const annotations: AuditAnnotationResult[] = [];
  const aBudget: Budget = { remaining: RUNTIME_CEL_COST_BUDGET };
  for (const a of policy.auditAnnotations) {
    const r = run(a.expr, vars, lazy, aBudget);
    if (r.outOfBudget) return { decisions: [errorDecision(OUT_OF_BUDGET)], annotations: [] };
    if (r.error !== undefined) {
      annotations.push(fail ? { action: 'error', key: a.key, error: r.error } : { action: 'exclude', key: a.key });
    } else if (typeof r.value === 'string') {
      const value = r.value.trim();
      annotations.push(value === '' ? { action: 'exclude', key: a.key } : { action: 'publish', key: a.key, value });
    } else if (r.value === null) {
      annotations.push({ action: 'exclude', key: a.key });
    } else {
      annotations.push({
        action: 'error', key: a.key,
        error: `valueExpression '${a.expr.expression}' resulted in unsupported return type: ${typeName(r.value)}. Return type must be either string or null.`,
      });
    }
  }
  return { decisions, annotations };
}

function typeName(v: Value): string {
  return typeof v === 'bigint' ? 'int' : typeof v === 'number' ? 'double' : typeof v === 'boolean' ? 'bool' : Array.isArray(v) ? 'list' : v instanceof Map ? 'map' : 'dyn';
}

/** messageExpression if it gives a usable single-line string, else message, else `failed expression: …`. */
function denialMessage(v: CompiledPolicy['validations'][number], vars: Value[], lazy: (i: number) => Value, budget: Budget): string {
  let message = '';
  if (v.messageExpr !== undefined) {
    const r = run(v.messageExpr, vars, lazy, budget);
    if (r.error === undefined && !r.outOfBudget && typeof r.value === 'string') {
      message = r.value.trim();
      if (Buffer.byteLength(message) > MAX_MESSAGE_BYTES || message.includes('\n')) message = '';
    }
  }
  if (message === '' && v.message !== undefined && v.message.length > 0) message = v.message.trim();
  if (message === '') message = `failed expression: ${v.expr.expression.trim()}`;
  return message;
}

export function evaluateVap(input: VapInput, request: AdmissionRequestLike): VapResult {
  const lookup = lookupOf(input);
  const ctx = new RequestContext(request, input, lookup);
  const denials: VapDenial[] = [];
  const warnings: string[] = [];
  const auditAnnotations: Record<string, string> = {};
  const failures: unknown[] = [];
  const evaluated: { policy: string; binding: string }[] = [];

  const deny = (policy: string, binding: string | null, detail: string, reason: StatusReason, kind: 'deny' | 'error', validation?: number): void => {
    const message = binding !== null
      ? `ValidatingAdmissionPolicy '${policy}' with binding '${binding}' denied request: ${detail}`
      : `ValidatingAdmissionPolicy '${policy}' denied request: ${detail}`;
    const d: VapDenial = { policy, binding, message, detail, reason, code: reasonToCode(reason), kind };
    if (validation !== undefined) d.validation = validation;
    denials.push(d);
  };

  const bindingsByPolicy = new Map<string, JsonObject[]>();
  for (const b of [...input.bindings].sort(byName)) {
    const pn = isObj(b.spec) && typeof b.spec.policyName === 'string' ? b.spec.policyName : '';
    const list = bindingsByPolicy.get(pn);
    if (list) list.push(b);
    else bindingsByPolicy.set(pn, [b]);
  }

  for (const policyObj of [...input.policies].sort(byName)) {
    const policy = compiledPolicy(policyObj);
    if (!matchResources(policy.matchConstraints, request, lookup).matches) continue;
    const configError = (binding: string | null, err: string): void => {
      if (policy.failurePolicy === 'Ignore') return;
      deny(policy.name, binding, `failed to configure ${binding === null ? 'policy' : 'binding'}: ${err}`, 'Invalid', 'error');
    };
    const collector = new Map<string, string[]>();
    for (const binding of bindingsByPolicy.get(policy.name) ?? []) {
      const bname = nameOf(binding);
      const spec = isObj(binding.spec) ? binding.spec : {};
      const bm = matchResources(defaultMatchResources(spec.matchResources), request, lookup);
      if (bm.error !== undefined) {
        configError(bname, bm.error);
        continue;
      }
      if (!bm.matches) continue;
      const params = collectParams(policy.paramKind, spec.paramRef, request.namespace ?? '', input);
      if ('error' in params) {
        configError(bname, params.error);
        continue;
      }
      const ns = request.namespace ?? '';
      const isNamespace = request.kind?.kind === 'Namespace' && request.kind.version === 'v1' && request.kind.group === '';
      if (ns !== '' && !isNamespace && lookup(ns) === undefined) {
        // kube-apiserver fails the whole request when the namespace cannot be read.
        deny(policy.name, bname, `namespaces "${ns}" not found`, 'NotFound', 'error');
        return finish();
      }
      evaluated.push({ policy: policy.name, binding: bname });
      const actions = Array.isArray(spec.validationActions) ? spec.validationActions.filter((a): a is string => typeof a === 'string') : [];
      for (const param of params.params) {
        const result = validate(policy, ctx, param);
        result.decisions.forEach((d) => {
          if (d.action !== 'deny') return;
          for (const action of actions) {
            if (action === 'Deny') deny(policy.name, bname, d.message, d.reason ?? 'Invalid', d.evaluation === 'error' ? 'error' : 'deny', d.validation);
            else if (action === 'Warn') warnings.push(`Validation failed for ValidatingAdmissionPolicy '${policy.name}' with binding '${bname}': ${d.message}`);
            else if (action === 'Audit' && failures.length < MAX_VALIDATION_FAILURES) {
              failures.push({ message: d.message, policy: policy.name, binding: bname, expressionIndex: d.validation ?? 0, validationActions: actions });
            }
          }
        });
        for (const a of result.annotations) {
          if (a.action === 'publish' && a.value !== undefined) {
            const value = a.value.length > MAX_AUDIT_VALUE ? a.value.slice(0, MAX_AUDIT_VALUE) : a.value;
            const values = collector.get(a.key) ?? [];
            if (!values.includes(value)) values.push(value);
            collector.set(a.key, values);
          } else if (a.action === 'error') {
            deny(policy.name, bname, a.error ?? '', 'Invalid', 'error');
          }
        }
      }
    }
    for (const [key, values] of collector) auditAnnotations[`${policy.name}/${key}`] = values.join(', ');
  }
  return finish();

  function finish(): VapResult {
    if (failures.length > 0) auditAnnotations[VALIDATION_FAILURE_KEY] = JSON.stringify(failures);
    const result: VapResult = { allowed: denials.length === 0, denials, warnings, auditAnnotations, evaluated };
    if (denials.length > 0) result.status = { code: denials[0].code, reason: denials[0].reason, message: denials[0].message };
    return result;
  }
}
