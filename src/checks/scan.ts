/**
 * `palisade scan`: inputs → units → engine (inline, or on worker threads for large
 * inputs) → one ScanResult in input order.
 */
import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import type { Readable } from 'node:stream';
import {
  collectInputs, emptySummary, readUnits, splitPrettyJsonList, unitLength,
  type CheckInfo, type FileStamp, type Finding, type InputError, type InputSource, type ScanResult, type Unit,
} from '../model/index.js';
import { CHECK_BATCH, Engine, KEPT_TEXT_BUDGET, runTask, type EngineOptions, type UnitResult } from './engine.js';
import { WorkerPool, type Task } from './pool.js';
import { pssCheckInfos } from './pss/index.js';
import { checkInfo, findCheck, pssIdSelected, type FactRows } from './catalogue/index.js';

export interface ScanOptions extends EngineOptions {
  /** Worker threads; 1 scans on the main thread. Default: the number of cores. */
  jobs?: number;
  cwd?: string;
  stdin?: Readable;
  /** Text processed inline before worker threads are started (they cost ~30 ms each to start). */
  inlineBytes?: number;
}

const BATCH_UNITS = 256;
const BATCH_BYTES = 1 << 20;
/** Files up to this size are handed to a worker whole; larger ones are split here. */
const FILE_TASK_BYTES = 4 << 20;
/** JSON texts above this size are checked for a List to cut into items. */
const LIST_SPLIT_BYTES = 1 << 20;

export function defaultJobs(): number {
  return Math.max(1, availableParallelism());
}

export async function scan(paths: readonly string[], opts: ScanOptions): Promise<ScanResult> {
  const { inputs, errors: inputErrors, warnings: inputWarnings } = await collectInputs(paths, opts.cwd);
  const engineOpts: EngineOptions = { pss: opts.pss, selection: opts.selection, params: opts.params, config: opts.config, now: opts.now, screen: opts.screen };
  // The main thread's facts stay here: it may keep documents for lines found only when reported.
  const engine = new Engine({ ...engineOpts, keepLinesFor: KEPT_TEXT_BUDGET });
  const jobs = Math.max(1, opts.jobs ?? defaultJobs());
  const inlineBytes = opts.inlineBytes ?? 1 << 20;

  const parts: Array<UnitResult | Promise<UnitResult>> = [];
  const expiredMatched = new Set<number>();
  let pool: WorkerPool | undefined;
  let seenBytes = 0;
  let batch: Unit[] = [];
  let batchBytes = 0;

  // The main thread is one of the `jobs`: it runs a task itself whenever every worker is busy.
  const dispatch = async (task: Task) => {
    if (!pool!.hasIdle) {
      parts.push(await runTask(engine, task));
      return;
    }
    parts.push(pool!.run(task).then((reply) => {
      reply.expiredMatched.forEach((i) => expiredMatched.add(i));
      return reply.result;
    }));
  };
  const flush = async () => {
    if (batch.length === 0) return;
    const units = batch;
    batch = [];
    batchBytes = 0;
    await dispatch({ kind: 'units', units });
  };
  // Units checked on this thread before any worker starts, handed to the engine a batch at a
  // time (Engine.runUnits); flushed before anything else adds to `parts`, which keeps input order.
  let inline: Unit[] = [];
  const flushInline = () => {
    if (inline.length === 0) return;
    parts.push(engine.runUnits(inline));
    inline = [];
  };
  const enqueue = async (unit: Unit, size: number) => {
    batch.push(unit);
    batchBytes += size;
    if (batch.length >= BATCH_UNITS || batchBytes >= BATCH_BYTES) await flush();
  };

  // Known-large inputs get their workers at once, so they warm up while the first file is read.
  const files = await fileStats(inputs);
  const total = [...files.values()].reduce((a, b) => a + b.size, 0);
  if (jobs > 1 && total > inlineBytes) pool = new WorkerPool(jobs - 1, engineOpts);

  try {
    for (const input of inputs) {
      const found = input.kind === 'file' ? files.get(input) : undefined;
      const size = found?.size;
      if (pool && size !== undefined && size <= FILE_TASK_BYTES) {
        // Whole files go to the workers, which read them: the main thread only waits.
        await flush();
        await dispatch({ kind: 'file', input });
        continue;
      }
      // Read here, where the engine may keep documents' lines for later: regular files are
      // stamped, so that those lines can be read again from them instead (readUnits).
      for await (const unit of readUnits(input, opts.stdin, found?.stamp)) {
        const bytes = unitLength(unit);
        seenBytes += bytes;
        if (!pool && jobs > 1 && seenBytes > inlineBytes) {
          flushInline();
          pool = new WorkerPool(jobs - 1, engineOpts);
        }
        // A large kubectl List is cut into its items: parsed one by one they never all sit
        // in memory at once, and with workers they are parsed in parallel.
        const pieces = unit.type === 'json' && unit.text.length > LIST_SPLIT_BYTES ? listItemUnits(unit) : undefined;
        if (!pool) {
          if (pieces) {
            flushInline();
            parts.push(engine.runUnits(pieces));
          } else {
            inline.push(unit);
            if (inline.length >= CHECK_BATCH) flushInline();
          }
          continue;
        }
        if (unit.type === 'json') {
          if (!pieces) {
            await flush();
            parts.push(engine.runUnit(unit));
            continue;
          }
          for (const piece of pieces) await enqueue(piece, unitLength(piece));
          continue;
        }
        await enqueue(unit, bytes);
      }
    }
    flushInline();
    if (pool) await flush();
    const done = await Promise.all(parts);
    const result = assemble(done, inputErrors, engine, expiredMatched, opts);
    result.warnings.unshift(...inputWarnings);
    return result;
  } finally {
    await pool?.close();
  }
}

/** The items of a pretty-printed List as separate units, or undefined for any other JSON. */
function listItemUnits(unit: Extract<Unit, { type: 'json' }>): Unit[] | undefined {
  const items = splitPrettyJsonList(unit.text);
  return items?.map((item) => ({ type: 'json', file: unit.file, text: item.text, firstLine: item.firstLine }));
}

/** Each file input's size, and for a regular file its stamp (what readUnits marks its documents with). */
async function fileStats(inputs: readonly InputSource[]): Promise<Map<InputSource, { size: number; stamp?: FileStamp }>> {
  const stats = new Map<InputSource, { size: number; stamp?: FileStamp }>();
  for (const input of inputs) {
    if (input.kind !== 'file') continue;
    try {
      const st = await stat(input.path);
      stats.set(input, { size: st.size, stamp: st.isFile() ? { path: input.path, size: st.size, mtimeMs: st.mtimeMs } : undefined });
    } catch {
      // reported when the file is read
    }
  }
  return stats;
}

function assemble(
  results: readonly UnitResult[],
  inputErrors: InputError[],
  engine: Engine,
  expiredMatched: Set<number>,
  opts: ScanOptions,
): ScanResult {
  const summary = emptySummary();
  const findings: Finding[] = [];
  const errors = [...inputErrors];
  const warnings: string[] = [];
  const facts: FactRows = [];
  const count = (f: Finding) => {
    findings.push(f);
    if (f.suppressed) summary.suppressed++;
    else {
      summary.findings++;
      summary.bySeverity[f.severity]++;
    }
  };
  for (const r of results) {
    summary.resources += r.resources;
    for (const e of r.errors) errors.push(e);
    for (const w of r.warnings) warnings.push(w);
    // Facts arrive in input order, which cross-resource checks keep in their findings.
    for (const f of r.facts) facts.push(f);
    // Each unit's findings come sorted by location (Engine.runUnits).
    for (const f of r.findings) count(f);
  }
  // Cross-resource checks judge the whole input at once, then their findings are suppressed like the rest.
  for (const { finding, ignores } of engine.catalogue.evaluate(facts, warnings)) count(engine.suppressor.applyWith([finding], ignores)[0]);
  // Expired ignores matched in workers count as matched here too.
  const matchedRules = opts.config.ignore.filter((_, i) => expiredMatched.has(i));
  engine.suppressor.noteExpiredMatched(matchedRules);
  const checks: CheckInfo[] = [
    ...(opts.pss ? pssCheckInfos(opts.pss).filter((c) => !opts.selection || pssIdSelected(opts.selection, c.id)) : []),
    ...(opts.selection?.checks ?? []).map((id) => checkInfo(findCheck(id)!)),
  ];
  return { findings, summary, errors, checks, warnings: [...engine.suppressor.warnings(), ...warnings] };
}
