/**
 * Audit log files as the API server's log backend writes them (JSON lines, v1 and v1beta1,
 * rotated files, `.gz`, an EventList document) → the ingestor. Streams: one read chunk of
 * events per store transaction, so memory stays flat however large the log is.
 */
import { openEvents, unreadableReason } from '../rules/index.js';
import { addStats, emptyStats, PreparedBatch, type IncomingEvent, type Ingestor, type IngestStats } from './ingest.js';

export interface FileIngestOptions {
  /** Keep reading as the files grow, across rotation, until `signal` aborts. */
  follow?: boolean;
  signal?: AbortSignal;
  /** One line per problem: `file:line: message`. */
  report: (message: string) => void;
  /** Called after each stored batch (progress). */
  onBatch?: (total: IngestStats) => void;
}

export interface FileIngestStats extends IngestStats {
  /** Lines that were not audit events (bad JSON, truncated, too long). */
  malformed: number;
  /** Inputs that could not be opened. */
  unreadable: number;
}

/** A single event line longer than this is reported and skipped; EventList documents may be big. */
const MAX_LINE_BYTES = 512 * 1024 * 1024;

export async function ingestFiles(paths: readonly string[], ingestor: Ingestor, opts: FileIngestOptions): Promise<FileIngestStats> {
  const total: FileIngestStats = { ...emptyStats(), malformed: 0, unreadable: 0 };
  // Several files followed at once (e.g. two API servers' logs) need to run side by side.
  const one = (path: string) => ingestOne(path, ingestor, opts, total);
  if (opts.follow) await Promise.all(paths.map(one));
  else for (const path of paths) await one(path);
  return total;
}

async function ingestOne(path: string, ingestor: Ingestor, opts: FileIngestOptions, total: FileIngestStats): Promise<void> {
  const name = path === '-' ? '<stdin>' : path;
  let batches;
  try {
    ({ batches } = await openEvents(path === '-' ? process.stdin : path, 'k8s_audit', {
      follow: opts.follow === true && path !== '-',
      maxLineBytes: MAX_LINE_BYTES,
      maxDocumentBytes: MAX_LINE_BYTES,
      ...(opts.signal ? { signal: opts.signal } : {}),
    }));
  } catch (err) {
    total.unreadable++;
    opts.report(`${name}: cannot read (${unreadableReason(err)})`);
    return;
  }
  // Reading a file, events are gathered across reads into transactions of the ingestor's
  // maxBatch (each commit writes the block's tail and its posting lists); following a live file, each read
  // is also stored at once. Each read's events are detected and made records at once: only
  // records wait for the transaction.
  const gather = ingestor.maxBatch;
  let pending = new PreparedBatch();
  const flush = async () => {
    if (pending.events === 0) return;
    const batch = pending;
    pending = new PreparedBatch();
    addStats(total, await ingestor.commit(batch));
    opts.onBatch?.(total);
  };
  for await (const batch of batches) {
    const events: IncomingEvent[] = [];
    for (const item of batch) {
      if ('error' in item) {
        total.malformed++;
        opts.report(`${name}:${item.line}: ${item.error}`);
      } else {
        events.push(item);
      }
    }
    // One read may be a whole EventList document: a transaction takes at most `gather` of it.
    for (let at = 0; at < events.length; ) {
      const take = Math.max(1, gather - pending.events);
      ingestor.prepare(at === 0 && take >= events.length ? events : events.slice(at, at + take), opts.report, pending, name);
      at += take;
      if (pending.events >= gather) await flush();
    }
    if (opts.follow) await flush();
  }
  await flush();
}
