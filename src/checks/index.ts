export { scan, defaultJobs, type ScanOptions } from './scan.js';
export { Engine, type EngineOptions, type UnitResult } from './engine.js';
export {
  parsePssVersion, formatPssVersion, controlsFor, evaluatePodSpec, formatPssViolations, pssFindings, pssCheckInfos,
  LATEST_MINOR, PSS_LEVELS, type PssLevel, type PssPolicy, type PssControl, type ControlResult,
} from './pss/index.js';
export { exitCodeFor } from './exit.js';
export { ALL_AREAS, screenOf, screenPod } from './screen.js';
export {
  CatalogueRunner, selectChecks, resolveParams, defaultParams, PROFILES,
  type CheckParams, type Selection, type Profile,
} from './catalogue/index.js';
