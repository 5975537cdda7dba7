/** Public API of the event sources: field tables, extraction, event readers. */
export { K8sAuditSource, createK8sAuditSource, auditEventTimeNs, type K8sAuditEvent } from './k8saudit.js';
export { imageRepository } from './k8saudit-fields.js';
export { SyscallSource, createSyscallSource, type SyscallEvent, type SyscallSourceOptions } from './syscall.js';
export { openEvents, readEvents, readEventBatches, sniffSource, type OpenedEvents, type ReadItem, type ReadOptions, type SourceName } from './read.js';
export { splitAuditPayload, NOT_AUDIT } from './audit-events.js';
export { parseRfc3339Nanos, rfc3339Micros } from './time.js';
