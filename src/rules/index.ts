/**
 * The Falco-compatible rules engine: rule files (Falco syntax) loaded and compiled once,
 * events from the syscall and k8s_audit sources, Falco's alerts on the output channels.
 */
export * from './types.js';
export { Ruleset, type RuleMatching, type RuleProgram } from './engine.js';
export { buildRuleset, defaultSources, readRuleFiles, DEFAULT_RULE_FILES, type BuiltRuleset, type RuleFile, type RunnableRule } from './ruleset.js';
export { detect, type DetectInput, type DetectOptions, type DetectStats } from './detect.js';
export { formatLoadResult, ENGINE_VERSION, type LoadedRuleset, type CompiledRule, type FileLoadResult } from './loader/index.js';
export {
  alertFormatter, fileSink, httpSink, MultiSink, parsePriority, priorityAtLeast, programSink, stdoutSink, syslogSink,
  type AlertSink, type SinkStats,
} from './output/index.js';
export { readEvents, sniffSource, type SourceName } from './sources/index.js';
