/** User configuration (`.palisade.yaml`) and suppression of findings. */
export {
  loadConfig,
  parseConfigText,
  parseExpiry,
  isPssVersion,
  emptyConfig,
  DEFAULT_CONFIG_FILE,
  FAIL_ON_VALUES,
  PSS_LEVELS,
  PSS_MAX_MINOR,
  type PalisadeConfig,
  type IgnoreRule,
  type PssConfig,
  type PssLevel,
  type PssVersion,
  type FailOn,
  type LoadConfigResult,
  type ConfigParams,
  type ProfileName,
  PROFILE_VALUES,
  PARAM_LIST_KEYS,
  PARAM_NUMBER_KEYS,
} from './config.js';
export {
  Suppressor,
  applySuppressions,
  matchesCheck,
  parseIgnoreAnnotation,
  isExpired,
  IGNORE_ANNOTATION,
  IGNORE_REASON_ANNOTATION,
  DEFAULT_ANNOTATION_REASON,
  annotationIgnores,
  type AnnotationIgnore,
} from './suppress.js';
export {
  defaultAdmissionConfig, ADMISSION_LEVELS, THRESHOLDS,
  type AdmissionConfig, type AdmissionLevel, type SeverityThreshold, type ModeSet, type NamespaceModes, type NamespaceOverride,
  type HardeningSwitches, type ImageRulesConfig,
} from './admission.js';
export { compileUserPattern, type UserPattern } from './pattern.js';
