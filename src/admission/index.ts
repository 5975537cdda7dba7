/**
 * What is let in: AdmissionReview v1 validation and mutation, the ImagePolicyWebhook backend,
 * ValidatingAdmissionPolicy (CEL), kubesec's scan API. The front of src/admission.
 */
export { AdmissionService, type Answer, type Outcome } from './service.js';
export { Validator, isSignificantPodUpdate, type ValidatorOptions, type Verdict, type Reason, type Mode } from './validate.js';
export { NamespaceRegistry, invalidPssLabels, pssLabels, PSS_LABEL_PREFIX } from './namespaces.js';
export { parseAdmissionReview, reviewResponse, MAX_WARNINGS, type AdmissionRequest, type AdmissionDecision, type JsonPatchOperation } from './review.js';
export { reviewImages, imageProblem, DEFAULT_BREAK_GLASS, type ImagePolicy } from './imagepolicy/index.js';
export { hardeningPatch, applyJsonPatch } from './mutate/index.js';
export { inClusterSource, readNamespaces, syncNamespaces, IN_CLUSTER_DIR, type ClusterSource } from './cluster-namespaces.js';
