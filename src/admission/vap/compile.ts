/**
 * Compiles every CEL expression of a ValidatingAdmissionPolicy once, in the environments
 * kube-apiserver uses (k8s.io/apiserver/pkg/admission/plugin/cel/compile.go):
 *
 * | expressions        | object oldObject request namespaceObject | params      | authorizer | variables        |
 * |--------------------|-------------------------------------------|-------------|------------|------------------|
 * | matchConditions    | yes                                       | if paramKind| yes        | no               |
 * | variables[i]       | yes                                       | if paramKind| yes        | variables[0..i-1]|
 * | validations        | yes                                       | if paramKind| yes        | all              |
 * | messageExpression  | yes                                       | if paramKind| no         | all              |
 * | auditAnnotations   | yes                                       | if paramKind| yes        | all              |
 *
 * Result types are checked as upstream does: validations and match conditions must be
 * `bool`, messages `string`, audit annotation values `string` or `null` (exactly: `dyn`
 * does not pass). Compile errors become field errors at the expression's path.
 */
import { AUTHZ_TYPE, CelCompileError, CelEnv, RESOURCE_CHECK_TYPE, T, formatType, type CelProgram, type CelT } from '../cel/index.js';
import { invalid, type FieldError, type FieldPath } from './field.js';
import { defaultMatchResources, isObj } from './validate.js';
import type { JsonObject } from './types.js';

const GVK = T.struct('kubernetes.GroupVersionKind', { group: T.string, version: T.string, kind: T.string });
const GVR = T.struct('kubernetes.GroupVersionResource', { group: T.string, version: T.string, resource: T.string });

export const REQUEST_TYPE = T.struct('kubernetes.AdmissionRequest', {
  kind: GVK,
  resource: GVR,
  subResource: T.string,
  requestKind: GVK,
  requestResource: GVR,
  requestSubResource: T.string,
  name: T.string,
  namespace: T.string,
  operation: T.string,
  userInfo: T.struct('kubernetes.UserInfo', {
    username: T.string, uid: T.string, groups: T.list(T.string), extra: T.map(T.string, T.list(T.string)),
  }),
  dryRun: T.bool,
  options: T.dyn,
});

export const NAMESPACE_TYPE = T.struct('kubernetes.Namespace', {
  metadata: T.struct('kubernetes.NamespaceMetadata', {
    name: T.string, generateName: T.string, namespace: T.string, labels: T.map(T.string, T.string),
    annotations: T.map(T.string, T.string), UID: T.string, creationTimestamp: T.timestamp,
    deletionGracePeriodSeconds: T.int, deletionTimestamp: T.timestamp, generation: T.int, resourceVersion: T.string,
    finalizers: T.list(T.string),
  }),
  spec: T.struct('kubernetes.NamespaceSpec', { finalizers: T.list(T.string) }),
  status: T.struct('kubernetes.NamespaceStatus', {
    conditions: T.list(T.struct('kubernetes.NamespaceCondition', {
      status: T.string, type: T.string, lastTransitionTime: T.timestamp, message: T.string, reason: T.string,
    })),
    phase: T.string,
  }),
});

/** The activation layout every policy expression shares (see evaluate.ts). */
export const VAR_NAMES = ['object', 'oldObject', 'request', 'namespaceObject', 'params', 'authorizer', 'authorizer.requestResource'] as const;

const BASE = new CelEnv({
  variables: {
    object: T.dyn,
    oldObject: T.dyn,
    request: REQUEST_TYPE,
    namespaceObject: NAMESPACE_TYPE,
    params: T.dyn,
    authorizer: AUTHZ_TYPE,
    'authorizer.requestResource': RESOURCE_CHECK_TYPE,
  },
});

export interface CompiledExpr {
  expression: string;
  program?: CelProgram;
  /** Why it did not compile (kube-apiserver's detail: `compilation failed: …`, `must evaluate to …`). */
  error?: string;
}

export interface CompiledValidation {
  expr: CompiledExpr;
  message?: string;
  messageExpr?: CompiledExpr;
  reason?: string;
}

export interface CompiledPolicy {
  name: string;
  source: JsonObject;
  failurePolicy: 'Fail' | 'Ignore';
  paramKind?: { apiVersion: string; kind: string };
  /** matchConstraints with kube-apiserver's defaults applied. */
  matchConstraints: JsonObject;
  matchConditions: (CompiledExpr & { name: string })[];
  variables: (CompiledExpr & { name: string })[];
  validations: CompiledValidation[];
  auditAnnotations: { key: string; expr: CompiledExpr }[];
  /** Compile errors, at the paths kube-apiserver would report. */
  errors: FieldError[];
}

const BOOL: CelT[] = [T.bool];
const STRING: CelT[] = [T.string];
const STRING_OR_NULL: CelT[] = [T.string, T.null];

function compileOne(env: CelEnv, expression: string, types: CelT[] | undefined, path: FieldPath, errors: FieldError[]): CompiledExpr {
  let program: CelProgram;
  try {
    program = env.compile(expression);
  } catch (err) {
    if (!(err instanceof CelCompileError)) throw err;
    const detail = `compilation failed: ${err.message}`;
    errors.push(invalid(path, expression, detail));
    return { expression, error: detail };
  }
  if (types !== undefined && !types.some((t) => formatType(t) === formatType(program.type))) {
    const got = formatType(program.type);
    const detail = types.length === 1
      ? `must evaluate to ${formatType(types[0])} but got ${got}`
      : `must evaluate to one of [${types.map(formatType).join(' ')}] but got ${got}`;
    errors.push(invalid(path, expression, detail));
    return { expression, error: detail };
  }
  return { expression, program };
}

/**
 * The type `variables.<name>` has: kube-apiserver keeps primitives, lists and maps and turns
 * everything else (object types, optionals, library types) into dyn (convertCelTypeToDeclType).
 */
function declType(t: CelT): CelT {
  switch (t.k) {
    case 'prim':
    case 'dyn':
      return t;
    case 'list':
      return T.list(declType(t.elem));
    case 'map':
      return T.map(declType(t.key), declType(t.val));
    default:
      return T.dyn;
  }
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Compiles a policy (assumed structurally valid or at least object-shaped; see validate.ts). */
export function compilePolicy(policy: JsonObject): CompiledPolicy {
  const spec = isObj(policy.spec) ? policy.spec : {};
  const meta = isObj(policy.metadata) ? policy.metadata : {};
  const errors: FieldError[] = [];
  const paramKind = isObj(spec.paramKind) ? { apiVersion: str(spec.paramKind.apiVersion), kind: str(spec.paramKind.kind) } : undefined;
  const hideParams = paramKind === undefined ? ['params'] : [];
  const items = (v: unknown): JsonObject[] => (Array.isArray(v) ? v.filter(isObj) : []);

  const matchEnv = BASE.with({ hidden: hideParams });
  const matchConditions = items(spec.matchConditions).map((c, i) => ({
    name: str(c.name),
    ...compileOne(matchEnv, str(c.expression), BOOL, ['spec', 'matchConditions', i, 'expression'], errors),
  }));

  const variables: (CompiledExpr & { name: string })[] = [];
  const fields: [string, CelT][] = [];
  items(spec.variables).forEach((v, i) => {
    const env = BASE.with({ hidden: hideParams, lazy: { name: 'variables', fields: [...fields] } });
    const compiled = compileOne(env, str(v.expression), undefined, ['spec', 'variables', i, 'expression'], errors);
    variables.push({ name: str(v.name), ...compiled });
    fields.push([str(v.name), declType(compiled.program?.type ?? T.dyn)]);
  });
  const lazy = { name: 'variables', fields };
  const validationEnv = BASE.with({ hidden: hideParams, lazy });
  const messageEnv = BASE.with({ hidden: [...hideParams, 'authorizer', 'authorizer.requestResource'], lazy });

  const validations = items(spec.validations).map((v, i): CompiledValidation => {
    const me = str(v.messageExpression);
    return {
      expr: compileOne(validationEnv, str(v.expression), BOOL, ['spec', 'validations', i, 'expression'], errors),
      message: typeof v.message === 'string' ? v.message : undefined,
      messageExpr: me.trim() !== '' ? compileOne(messageEnv, me, STRING, ['spec', 'validations', i, 'messageExpression'], errors) : undefined,
      reason: typeof v.reason === 'string' ? v.reason : undefined,
    };
  });
  const auditAnnotations = items(spec.auditAnnotations).map((a, i) => ({
    key: str(a.key),
    expr: compileOne(validationEnv, str(a.valueExpression).trim(), STRING_OR_NULL, ['spec', 'auditAnnotations', i, 'valueExpression'], errors),
  }));

  return {
    name: str(meta.name),
    source: policy,
    failurePolicy: spec.failurePolicy === 'Ignore' ? 'Ignore' : 'Fail',
    paramKind,
    matchConstraints: defaultMatchResources(spec.matchConstraints) ?? {},
    matchConditions,
    variables,
    validations,
    auditAnnotations,
    errors,
  };
}
