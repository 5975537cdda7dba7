/**
 * NetworkPolicy semantics and reachability: the only module other folders import from netpol/.
 *
 *   const model = buildModel(resources);      // pods, namespaces, policies (+ input problems)
 *   const engine = new Engine(model);          // bit sets per policy and rule
 *   engine.matrix({ port: 80, protocol: 'TCP' });
 *   engine.explain({ pod: a }, { pod: b }, probe);
 */
export * from './types.js';
export { buildModel, isNetworkPolicy, isPortName, NAME_LABEL } from './build.js';
export { Engine, allowedSlow, portMatches, type Endpoint, type Verdict, type SideVerdict, type PolicyVerdict, type RuleVerdict, type CompiledPolicy, type CompiledRule } from './engine.js';
export { parseProbe, probeText, selectorText, peerText, portSpecText, rulePortsText, rulePeersText, ipBlockRanges } from './describe.js';
export { parseCidr, parseIp, formatRange, type Cidr, type Ip, type Range } from './cidr.js';
export { exposure, selectsEveryNamespace, type Exposure, type ExposureKind, type PodExposure, type ExposureOptions } from './exposure.js';
export { checkFindings, NETPOL_CHECKS, type CheckOptions } from './findings.js';
export { matrixAnswer, matrixJson, matrixTable, matrixHtml, explainJson, explainText, exposureJson, exposureText, endpointText, SELF_NOTE, type MatrixAnswer } from './render.js';
export { analyzePaths, resolveEndpoint, problemLines, parseClusterCidrs, type Analysis } from './query.js';
