/**
 * The Falco-compatible rules engine: rule files (Falco syntax) loaded and compiled once,
 * events from the syscall and k8s_audit sources, Falco's alerts on the output channels.
 */
export * from './types.js';
export { Ruleset, type RuleMatching, type RuleProgram } from './engine.js';
export { buildRuleset, defaultSources, readRuleFiles, unreadableReason, DEFAULT_RULE_FILES, type BuiltRuleset, type RuleFile, type RunnableRule } from './ruleset.js';
export { detect, type DetectInput, type DetectOptions, type DetectStats } from './detect.js';
export { formatLoadResult, ENGINE_VERSION, type LoadedRuleset, type CompiledRule, type FileLoadResult } from './loader/index.js';
export {
  alertFormatter, fileSink, formatAlertJson, httpSink, makeAlert, MultiSink, parsePriority, priorityAtLeast, programSink, stdoutSink, syslogSink,
  type AlertSink, type MakeAlertOptions, type SinkStats,
} from './output/index.js';
export { openEvents, readEvents, readEventBatches, sniffSource, parseRfc3339Nanos, rfc3339Micros, type SourceName } from './sources/index.js';
