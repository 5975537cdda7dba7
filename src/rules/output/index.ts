/**
 * Output strings, Falco alerts and output channels (falco.md §3, §9.9).
 */
export {
  compileOutput,
  OutputFormatError,
  type CompiledOutput,
  type CompileOutputOptions,
  type RenderedOutput,
} from './compile-output.js';
export { NOT_AVAILABLE, valueJson, valueText } from './render-value.js';
export {
  alertFormatter,
  alertMessage,
  defaultHostname,
  formatAlertJson,
  formatAlertText,
  makeAlert,
  type AlertFormatter,
  type AlertJsonOptions,
  type AlertRule,
  type MakeAlertOptions,
} from './alert.js';
export { parsePriority, priorityAtLeast, priorityNumber, syslogSeverity } from './priority.js';
export { isoTimeOffset, isoTimeZ, localClockTime } from './time-format.js';
export { jsonSorted } from './json-line.js';
export {
  fileSink,
  httpSink,
  MultiSink,
  programSink,
  stdoutSink,
  syslogSink,
  type AlertSink,
  type HttpSinkOptions,
  type ProgramSink,
  type ProgramSinkOptions,
  type SinkStats,
  type StreamSinkOptions,
  type SyslogSinkOptions,
} from './channels.js';
export { syslogMessage } from './syslog-sink.js';
