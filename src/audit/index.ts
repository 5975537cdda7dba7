/**
 * Kubernetes audit: events into the store (log files, the webhook backend) with detection on
 * ingest, and the timeline questions asked of the store.
 */
export { toAuditRecord, redactEvent, micros, type RecordResult } from './record.js';
export { Ingestor, emptyStats, addStats, type IngestOptions, type IngestStats, type IncomingEvent, type Outcome } from './ingest.js';
export { ingestFiles, type FileIngestOptions, type FileIngestStats } from './files.js';
export { AuditReceiver, eventsOfBody, type ReceiverOptions, type ReceiverAnswer, type ReceiverCounters } from './receiver.js';
export { webhookKubeconfig, type WebhookConfigOptions } from './webhook-config.js';
export {
  parseTimeSpec, parseDurationMicros, parseSize, parseObjectRef, resourceOf, eventRow, eventsCsv, eventsJsonLines, eventsTable,
  alertsJsonLines, alertsTable, alignColumns, summaryText, isoMicros, EVENT_COLUMNS,
} from './timeline.js';
export * from './policy/index.js';
