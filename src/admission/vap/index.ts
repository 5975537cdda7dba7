/**
 * ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1): loading, validation,
 * compilation and evaluation with kube-apiserver's semantics. The front of src/admission/vap.
 */
export { evaluateVap, compiledPolicy, reasonToCode, admissionRequestForCel, VALIDATION_FAILURE_KEY, RUNTIME_CEL_COST_BUDGET } from './evaluate.js';
export { compilePolicy, type CompiledPolicy } from './compile.js';
export { validatePolicyObject, validateBindingObject } from './validate.js';
export { matchResources, ruleMatches } from './match.js';
export { collectParams } from './params.js';
export { fieldString } from './field.js';
export * from './types.js';
export { loadFile, loadFiles, loadInputs, checkPolicy, checkBinding, isPolicy, isBinding, describe, type Loaded, type LoadResult, type CheckResult } from './load.js';
export { requestForManifest, resourceForKind, type ManifestRequestOptions } from './request.js';
export { tryPolicies, IMPLICIT_BINDING_SUFFIX, type TryOptions, type TryOutcome, type TriedResource } from './try.js';
export { textReport, jsonReport, oneLine } from './report.js';
