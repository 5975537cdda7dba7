/**
 * The Kubernetes audit Policy engine: load and validate policy files as kube-apiserver does,
 * evaluate requests exactly as its checker does, lint policies, and replay recorded audit logs
 * through a candidate policy.
 */
export * from './types.js';
export { loadPolicyFile, parsePolicyText, type LoadResult } from './load.js';
export { POLICY_API_VERSION } from './decode.js';
export { evaluatePolicy, PolicyEvaluator, ruleMatches, pathMatches, resourceMatches, type Attributes, type Evaluation } from './evaluate.js';
export { attributesFromEvent, resourceAttributes, nonResourceAttributes } from './attributes.js';
export { describeRule, ruleRef } from './describe.js';
export { findShadowedRules, type Shadowing } from './shadow.js';
export { lintLoaded, lintPolicyFiles, LINT_CHECKS, type PolicyLint } from './lint.js';
export { simulatePolicy, sizeAtLevel, type SimulationReport, type SimulationRow, type SimulateOptions } from './simulate.js';
export { simulationJson, simulationTable, formatBytes } from './simulate-format.js';
