/**
 * Runs every analyzer over one resource and applies suppressions. This is the unit of
 * work a scan repeats (inline or in a worker thread), so it takes only plain data.
 */
import { NO_ITEMS, parseUnit, readUnits, unitLength, type Finding, type InputError, type ParseResult, type Resource, type Unit } from '../model/index.js';
import { Suppressor, annotationIgnores, type PalisadeConfig } from '../policy/index.js';
import { pssFindings, type PssPolicy } from './pss/index.js';
import { screenOf } from './screen.js';
import type { Task } from './pool.js';
import { CatalogueRunner, defaultParams, filtersPssIds, pssIdSelected, type CheckParams, type FactRows, type Selection } from './catalogue/index.js';

export interface EngineOptions {
  /** Pod Security Standards level and version; undefined evaluates no PSS control. */
  pss?: PssPolicy;
  /** Catalogue checks and --checks/--skip-checks filters (default: PSS only). */
  selection?: Selection;
  /** Check parameters (default: defaultParams()). */
  params?: CheckParams;
  config: PalisadeConfig;
  /** Milliseconds since the epoch: the "now" that ignore expiry dates are compared to. */
  now: number;
  /**
   * Skip checks on pods whose screen shows nothing they could report (default true). Off, every
   * check runs on every pod: the reference the screen is tested against.
   */
  screen?: boolean;
  /**
   * Characters of input (counted from the start) whose documents cross-resource checks may keep,
   * to look lines up only for what they report (CatalogueRunner.keepLines). Only for an engine
   * whose facts stay in its own thread. Default 0: lines are looked up at collect time.
   */
  keepLinesFor?: number;
  /**
   * The engine's results are posted to another thread (a worker's), which copies them: they
   * never keep this thread's documents alive, so facts need not copy strings out of them.
   */
  postsResults?: boolean;
}

/**
 * The scan's budget for keepLinesFor: documents read from a file in pure ASCII keep no text (their
 * lines are read again from the file if ever asked for, see DocChunk.source), the others do, up
 * to this many characters. A kept document holds the block of input it was read in
 * (1 MB), so what is kept stays below the input read so far plus one block; past the budget,
 * lines are looked up while the document is at hand. 32 M characters cover the inputs people
 * scan (a 10,000-resource file is 12 M) and bound the extra memory of a huge one: with 128 M,
 * a 100,000-resource file (120 M) kept all its text and the scan's peak RSS grew by 164 MB.
 */
export const KEPT_TEXT_BUDGET = 32 << 20;

/** Units parsed before they are checked, with checks on (see Engine.runUnits). */
export const CHECK_BATCH = 32;
/** …and at most this many characters of them (a batch of a 10,000-resource corpus holds ~40 K). */
const CHECK_BATCH_TEXT = 128 << 10;

/**
 * What running the engine over units gives: the resources counted, and their findings (each
 * unit's sorted by location), errors, facts and warnings, in unit order. One result for a whole
 * run of units (runUnits), not one per unit: results are kept until the whole input is read,
 * and a result object with its own lists for each of 10,000 documents was ~1.1 MB more for the
 * garbage collector to move (a heap snapshot at the end of reading the 10,000-resource benchmark).
 */
export interface UnitResult {
  resources: number;
  findings: Finding[];
  errors: InputError[];
  /** Facts for cross-resource checks, judged once the whole input is read. */
  facts: FactRows;
  /** Checks that failed (bugs, reported but never fatal). */
  warnings: string[];
}

/** A result with nothing in it yet (runUnits adds to it). */
export function emptyResult(): UnitResult {
  return { resources: 0, findings: [], errors: [], facts: [], warnings: [] };
}

/** Findings of one unit in the order users read them: by resource, then line, then check. */
export function byLocation(a: Finding, b: Finding): number {
  return a.resource.line - b.resource.line || a.line - b.line || (a.check < b.check ? -1 : a.check > b.check ? 1 : 0);
}

export class Engine {
  readonly suppressor: Suppressor;
  readonly catalogue: CatalogueRunner;

  /** Characters of input text this engine has read (for keepLinesFor). */
  private textRead = 0;
  /** Whether cross-resource checks may look lines up later at all (keepLinesFor > 0). */
  private readonly keepsLines: boolean;

  readonly opts: EngineOptions;

  /** The selection, when it can drop PSS findings by id (decided once, not per resource). */
  private readonly pssIdFilter: Selection | undefined;

  constructor(opts: EngineOptions) {
    // Copied into one literal: the hot code reads these options for every resource, and an
    // options object made by a spread ({ ...o, keepLinesFor }) had a new hidden class in every
    // scan, so the code V8 had optimized for the last one was thrown away and compiled again.
    // Typed with every key required, so that an option added later cannot be left out here.
    const copy: { [K in keyof Required<EngineOptions>]: EngineOptions[K] } = {
      pss: opts.pss, selection: opts.selection, params: opts.params, config: opts.config, now: opts.now,
      screen: opts.screen, keepLinesFor: opts.keepLinesFor, postsResults: opts.postsResults,
    };
    this.opts = copy;
    this.pssIdFilter = opts.selection && filtersPssIds(opts.selection) ? opts.selection : undefined;
    this.suppressor = new Suppressor(opts.config, new Date(opts.now));
    this.catalogue = new CatalogueRunner(opts.selection?.checks ?? [], opts.params ?? defaultParams());
    this.keepsLines = (opts.keepLinesFor ?? 0) > 0;
    this.catalogue.keepLines = this.keepsLines;
    this.catalogue.copyStrings = !opts.postsResults;
  }

  /** Checks one resource; the facts of cross-resource checks are added to `facts`. */
  runResource(resource: Resource, facts: FactRows = []): { findings: readonly Finding[]; warnings: readonly string[] } {
    const areas = this.areasOf(resource);
    let findings: readonly Finding[] = this.opts.pss ? pssFindings(resource, this.opts.pss, areas) : NO_ITEMS;
    const filter = this.pssIdFilter;
    if (filter && findings.length > 0) findings = findings.filter((f) => pssIdSelected(filter, f.check));
    let ignores: ReturnType<typeof annotationIgnores> | undefined;
    const ignoresOf = () => (ignores ??= annotationIgnores(resource));
    const run = this.catalogue.run(resource, ignoresOf, areas, facts);
    if (findings.length === 0) findings = run.findings;
    else if (run.findings.length > 0) findings = findings.concat(run.findings);
    return {
      findings: findings.length > 0 ? this.suppressor.applyWith(findings, ignoresOf()) : findings,
      warnings: run.warnings,
    };
  }

  /** The screen of a workload's pod (checks/screen.ts); every area with screening off. */
  private areasOf(resource: Resource): number {
    return screenOf(resource, this.opts.screen !== false && (this.opts.pss !== undefined || this.catalogue.screensPods));
  }

  /** runUnits for one unit. */
  runUnit(unit: Unit): UnitResult {
    return this.runUnits([unit]);
  }

  /**
   * The units' results, in order, as one UnitResult. With checks on, a few units (CHECK_BATCH)
   * are parsed, then those are checked: the parser's code and the checks' code each run for a
   * while instead of taking turns document by document, so each stays in the processor's caches
   * (valgrind's cache simulation of a 10,000-resource scan: 13 % fewer instruction-cache misses
   * with 32 documents per batch). Parsed documents wait only for the rest of their batch; the
   * price is that the young-generation collections find a batch of them alive.
   */
  runUnits(units: readonly Unit[]): UnitResult {
    const out = emptyResult();
    if (!this.hasChecks) {
      // Nothing to check: units are only parsed and counted, without a run per resource.
      for (const unit of units) {
        const parsed = parseUnit(unit);
        out.resources += parsed.resources.length;
        for (const e of parsed.errors) out.errors.push(e);
      }
      return out;
    }
    const parsed: ParseResult[] = [];
    for (let start = 0; start < units.length;) {
      // A batch is bounded in text too: large documents are checked as soon as they are parsed.
      let end = start;
      let text = 0;
      while (end < units.length && end - start < CHECK_BATCH && text < CHECK_BATCH_TEXT) {
        text += unitLength(units[end]);
        parsed.push(parseUnit(units[end++]));
      }
      for (let i = start; i < end; i++) this.checkUnit(units[i], parsed[i - start], out);
      parsed.length = 0;
      start = end;
    }
    return out;
  }

  /** Whether any PSS control or catalogue check is on (without, a unit is only parsed). */
  private get hasChecks(): boolean {
    return this.opts.pss !== undefined || this.catalogue.active;
  }

  /** Adds the results of a parsed unit (an error unit parses to its error) to `out`. */
  private checkUnit(unit: Unit, parsed: ParseResult, out: UnitResult): void {
    if (this.keepsLines) {
      // A document that can be read again from its file keeps no text (DocChunk.source): only
      // the others count against the budget, and once it is spent only they are looked up now.
      if (unit.type === 'yaml' && unit.chunk.source !== undefined) this.catalogue.keepLines = true;
      else {
        this.textRead += unitLength(unit);
        this.catalogue.keepLines = this.textRead <= this.opts.keepLinesFor!;
      }
    }
    out.resources += parsed.resources.length;
    for (const e of parsed.errors) out.errors.push(e);
    // The lists of each resource are short-lived: their items go into the run's lists.
    const first = out.findings.length;
    for (const resource of parsed.resources) {
      try {
        const r = this.runResource(resource, out.facts);
        for (const f of r.findings) out.findings.push(f);
        for (const w of r.warnings) out.warnings.push(w);
      } catch (err) {
        // A check must never take the scan down; say which resource it choked on.
        out.warnings.push(`internal error checking ${resource.id} (${resource.file}): ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    if (out.findings.length - first > 1) sortFrom(out.findings, first);
  }
}

/** Sorts `list` from index `first` on by location (the findings of one unit). */
function sortFrom(list: Finding[], first: number): void {
  const mine = list.slice(first).sort(byLocation);
  for (let i = 0; i < mine.length; i++) list[first + i] = mine[i];
}

/** A task of the scan (units, or a whole file to read) run by `engine`, on whichever thread has it. */
export async function runTask(engine: Engine, task: Task): Promise<UnitResult> {
  if (task.kind === 'units') return engine.runUnits(task.units);
  // A file task is a small file (the scan splits large ones): its units are views of text
  // already read, and runUnits batches them.
  const units: Unit[] = [];
  for await (const unit of readUnits(task.input)) units.push(unit);
  return engine.runUnits(units);
}
