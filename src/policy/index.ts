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
} from './suppress.js';
