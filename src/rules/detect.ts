/**
 * Detection: events from files or stdin, through the ruleset, to alerts on the output sinks.
 * Malformed events are counted and reported once each with their line; detection goes on.
 */
import { makeAlert, type AlertSink, type MakeAlertOptions } from './output/index.js';
import { openEvents, type OpenedEvents, type SourceName } from './sources/index.js';
import { unreadableReason, type BuiltRuleset } from './ruleset.js';
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

export async function detect(inputs: readonly DetectInput[], opts: DetectOptions): Promise<DetectStats> {
  const stats: DetectStats = { events: 0, malformed: 0, unreadable: 0, alerts: 0, byPriority: new Map() };
  const { ruleset } = opts.built;
  for (const input of inputs) {
    const name = input.path === '-' ? '<stdin>' : input.path;
    let opened: OpenedEvents;
    try {
      opened = await openEvents(input.path === '-' ? (opts.stdin ?? process.stdin) : input.path, opts.source, {
        follow: opts.follow === true && input.path !== '-',
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
    } catch (err) {
      stats.unreadable++;
      opts.onInputError?.(`${name}: cannot read (${unreadableReason(err)})`);
      continue;
    }
    const { source, batches: reader } = opened;
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
