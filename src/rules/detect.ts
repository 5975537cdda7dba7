/**
 * Detection: events from files or stdin, through the ruleset, to alerts on the output sinks.
 * Malformed events are counted and reported once each with their line; detection goes on.
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { makeAlert, type AlertSink, type MakeAlertOptions } from './output/index.js';
import { readEventBatches, type ReadItem, type SourceName } from './sources/index.js';
import type { BuiltRuleset } from './ruleset.js';
import type { Alert, FieldSource, Priority } from './types.js';

export interface DetectInput {
  /** A file path, or '-' for standard input. */
  path: string;
}

export interface DetectOptions {
  built: BuiltRuleset;
  sources: Record<string, FieldSource>;
  /** Which source the events are; 'auto' looks at the first bytes of each input. */
  source: SourceName | 'auto';
  sinks: AlertSink[];
  follow?: boolean;
  signal?: AbortSignal;
  stdin?: NodeJS.ReadableStream;
  alertOptions?: MakeAlertOptions;
  /** Where malformed-event messages go (one line each). */
  onInputError?: (message: string) => void;
}

export interface DetectStats {
  events: number;
  malformed: number;
  /** Inputs that could not be read at all. */
  unreadable: number;
  alerts: number;
  byPriority: Map<Priority, number>;
}

/** Audit events say so in their first object; anything else is taken for syscall JSON. */
export function sniffSource(head: string): SourceName {
  return /"auditID"\s*:|"kind"\s*:\s*"Event(List)?"|"apiVersion"\s*:\s*"audit\.k8s\.io\//.test(head) ? 'k8s_audit' : 'syscall';
}

/** The stream with its first chunk read (and put back in front), to decide the source. */
async function peek(stream: NodeJS.ReadableStream): Promise<{ head: string; stream: NodeJS.ReadableStream }> {
  const it = (stream as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) return { head: '', stream: Readable.from([]) };
  const chunk = typeof first.value === 'string' ? Buffer.from(first.value) : first.value;
  async function* rest(): AsyncGenerator<Buffer> {
    yield chunk;
    for (let n = await it.next(); !n.done; n = await it.next()) yield typeof n.value === 'string' ? Buffer.from(n.value) : n.value;
  }
  // gzip input: the head is binary; the reader decompresses, the sniffing then says "syscall"
  // unless --source says otherwise, so look inside only for plain text.
  return { head: chunk.subarray(0, 65536).toString('utf8'), stream: Readable.from(rest()) };
}

export async function detect(inputs: readonly DetectInput[], opts: DetectOptions): Promise<DetectStats> {
  const stats: DetectStats = { events: 0, malformed: 0, unreadable: 0, alerts: 0, byPriority: new Map() };
  const { ruleset } = opts.built;
  for (const input of inputs) {
    const name = input.path === '-' ? '<stdin>' : input.path;
    let source: SourceName;
    let reader: AsyncIterable<ReadItem[]>;
    if (opts.follow && input.path !== '-') {
      source = opts.source === 'auto' ? 'k8s_audit' : opts.source;
      reader = readEventBatches(input.path, source, { follow: true, ...(opts.signal ? { signal: opts.signal } : {}) });
    } else {
      let stream: NodeJS.ReadableStream = input.path === '-' ? (opts.stdin ?? process.stdin) : createReadStream(input.path, { highWaterMark: 1 << 20 });
      if (opts.source === 'auto') {
        const peeked = await peekSafely(stream, name, opts);
        if (!peeked) {
          stats.unreadable++;
          continue;
        }
        stream = peeked.stream;
        source = sniffSource(peeked.head);
      } else {
        source = opts.source;
      }
      reader = readEventBatches(stream, source, opts.signal ? { signal: opts.signal } : {});
    }
    const fieldSource = opts.sources[source];
    for await (const batch of reader) {
      for (let i = 0; i < batch.length; i++) {
        const item = batch[i];
        if ('error' in item) {
          stats.malformed++;
          opts.onInputError?.(`${name}:${item.line}: ${item.error}`);
          continue;
        }
        stats.events++;
        const matched = ruleset.match(source, item.event);
        for (const rule of matched) {
          const alert: Alert = makeAlert(rule.alert, item.event, fieldSource, opts.alertOptions);
          for (const sink of opts.sinks) sink.write(alert);
          stats.alerts++;
          stats.byPriority.set(rule.rule.priority, (stats.byPriority.get(rule.rule.priority) ?? 0) + 1);
        }
      }
    }
  }
  return stats;
}

/** peek(), turning an unreadable file into one error line instead of a crash. */
async function peekSafely(stream: NodeJS.ReadableStream, name: string, opts: DetectOptions) {
  try {
    return await peek(stream);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    opts.onInputError?.(`${name}: cannot read (${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code ?? String(err)})`);
    return undefined;
  }
}
