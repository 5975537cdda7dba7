/**
 * CEL as Kubernetes evaluates it (ValidatingAdmissionPolicy, CRD validation rules), on
 * @bufbuild/cel's parser and standard library. The front of src/admission/cel: other
 * folders import from here only.
 */
export { CelEnv, CelProgram, CelCompileError, PER_CALL_LIMIT, kubernetesRegistry, type CelEnvOptions, type EvalOptions, type EvalResult } from './env.js';
export { T, formatType, type CelT } from './types.js';
export { CelEvalError, Optional, TypeValue, isError, typeNameOf, type Value } from './values.js';
export { fromJson, toJson } from './json.js';
export { equals } from './equality.js';
export { escapeName, unescapeName } from './escape.js';
export { COST_EXCEEDED } from './interpret.js';
export {
  AuthorizerValue, ResourceCheckValue, stubDecide, NO_AUTHORIZER_REASON, AUTHZ_TYPE, RESOURCE_CHECK_TYPE,
  type AuthzDecide, type AuthzAttributes, type AuthzDecision, type AuthzUser,
} from './lib/authz.js';
