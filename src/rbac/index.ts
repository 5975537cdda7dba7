/**
 * RBAC: Kubernetes' authorizer with its exact semantics, from manifests. The only module other
 * folders import. See docs/rbac.md.
 */
export type { PolicyRule, UserInfo, RequestAttributes, ResourceRequest, NonResourceRequest, RoleDef, BindingDef, Subject, Grant, Origin, RoleRef } from './types.js';
export { objectId, originText } from './types.js';
export { ruleAllows, appliesToUser, appliesTo, ruleJson, ruleText, serviceAccountUser } from './match.js';
export { buildPolicy, isBootstrapObject, RBAC_GROUP, type RbacPolicy, type PolicyOptions, type Diagnostic } from './policy.js';
export { aggregateClusterRoles } from './aggregate.js';
export { BUILTIN_CLUSTER_ROLES, BUILTIN_CLUSTER_ROLE_BINDINGS } from './bootstrap.js';
export { Authorizer, PRIVILEGED_GROUP, subjectLabel, type Decision, type WhoCanSubject, type WhoCanOptions } from './authorizer.js';
export { impersonatedUser, serviceAccountIdentity, splitServiceAccountUser, ANONYMOUS_USER, ALL_AUTHENTICATED, ALL_UNAUTHENTICATED } from './identity.js';
export { buildRequest, requestText, QuestionError, type Question, type BuiltRequest } from './request.js';
export { ResourceCatalog, parseResourceArg, BUILTIN_RESOURCES, type ApiResource } from './resources.js';
export { accessMatrix, type AccessMatrix, type AccessRow } from './access.js';
export { loadResources, loadPolicy, type LoadedInputs, type LoadedPolicy, type LoadOptions } from './load.js';
export { decisionJson, decisionText, whoCanJson, whoCanText, accessJson, accessText, grantJson, grantText, bindingAt, ruleAt, clean } from './render.js';
export { analyzeRisks, isSystemSubject, RISK_CHECKS, RISK_PREFIX, type RiskOptions, type RiskReport } from './risks.js';
export { escalationChains, subjectIdentity, type EscalationChain, type ChainStep } from './escalation.js';
export { capabilitiesOf, CAPABILITIES, type CapabilityHit, type Probe } from './capabilities.js';
