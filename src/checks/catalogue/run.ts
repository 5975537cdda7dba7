/**
 * Running catalogue checks: per resource (anywhere, including worker threads) and, for
 * cross-resource checks, once over the facts collected from the whole input.
 */
import { formatPath, NO_ITEMS, RecentMessages, ownStrings, type CheckInfo, type Finding, type JsonPath, type Resource, type ResourceRef, type Severity } from '../../model/index.js';
import type { AnnotationIgnore } from '../../policy/index.js';
import { CATALOGUE } from './registry.js';
import { isPodFact } from './inventory.js';
import { ALL_AREAS } from '../screen.js';
import { refStrings } from './refs.js';
export { refStrings };
import type { CheckDef, CheckParams, CollectContext, Fact, FactSubject, InventoryCheck, ResourceCheck, ResourceContext } from './types.js';

/** A fact collected for cross-resource checks, as they evaluate it. */
export interface FactRecord {
  /**
   * The checks the fact is for: one, or every check that keeps a workload's shared PodFact (a
   * record per check would be several objects per workload, kept to the end of the scan).
   */
  checks: readonly string[];
  subject: FactSubject;
  fact: Fact;
  /** The subject's ignore annotations, for suppressing what evaluate() finds. */
  ignores: readonly AnnotationIgnore[];
}

/**
 * Fact records as a scan keeps them until the whole input is read (and posts them from a
 * worker): the four fields of each FactRecord in a row of one flat list (checks, subject,
 * fact, ignores), not an object per record. A 10,000-resource scan keeps ~8,800 records;
 * as objects they were that many more for each young-generation collection to copy, twice,
 * before they settled. The records are made only for evaluate() (factRecords).
 */
export type FactRows = unknown[];

/** Slots per record in FactRows. */
const ROW = 4;

/**
 * Cross-resource checks a bit mask can name (bit k: check k; 31 bits stay positive). The whole
 * catalogue has fewer (a test keeps it so), and the runner refuses more (see its constructor),
 * so fact rows and evaluate() use masks with no fallback for checks past the last bit.
 */
export const MASK_CHECKS = 31;

/** Appends a record to `rows`; returns where its row starts. */
export function addFactRow(rows: FactRows, checks: readonly string[], subject: FactSubject, fact: Fact, ignores: readonly AnnotationIgnore[]): number {
  const at = rows.length;
  rows.push(checks, subject, fact, ignores);
  return at;
}

/** The record whose row starts at `at`. */
function recordAt(rows: FactRows, at: number): FactRecord {
  return { checks: rows[at] as readonly string[], subject: rows[at + 1] as FactSubject, fact: rows[at + 2] as Fact, ignores: rows[at + 3] as readonly AnnotationIgnore[] };
}

/** The records of `rows`, in order. */
export function factRecords(rows: FactRows): FactRecord[] {
  const out: FactRecord[] = new Array(rows.length / ROW);
  for (let at = 0, n = 0; at < rows.length; at += ROW) out[n++] = recordAt(rows, at);
  return out;
}

export function checkInfo(def: CheckDef): CheckInfo {
  const links = def.refs.links ?? [];
  return {
    id: def.id,
    title: def.title,
    severity: def.severity,
    description: def.description,
    remediation: `${def.remediation}\n\n${def.example.trimEnd()}`,
    stride: def.stride,
    refs: refStrings(def.refs),
    ...(links.length > 0 ? { helpUri: links[0] } : {}),
  };
}

/** Checks by the kind they look at (computed once per kind), so a resource meets only its own. */
class KindIndex<T extends { kinds: readonly string[] | 'workload' }> {
  /** By kind: the checks for resources of that kind with a pod spec, and without one. */
  private readonly cache = new Map<string, { withPod?: readonly T[]; withoutPod?: readonly T[] }>();

  constructor(private readonly checks: readonly T[]) {}

  /** The checks for a resource of `kind` (with a pod spec or not), in definition order. */
  for(kind: string, hasPod: boolean): readonly T[] {
    let entry = this.cache.get(kind);
    if (!entry) this.cache.set(kind, (entry = {}));
    const cached = hasPod ? entry.withPod : entry.withoutPod;
    if (cached) return cached;
    const list = this.checks.filter((c) => (c.kinds === 'workload' ? hasPod : c.kinds.includes(kind) || c.kinds.includes('*')));
    if (hasPod) entry.withPod = list;
    else entry.withoutPod = list;
    return list;
  }
}

/**
 * The check-id lists of fact records, shared by every record with the same list (records are
 * kept to the end of a scan; their lists need not be one array each).
 */
class CheckLists {
  private readonly singles = new Map<string, readonly string[]>();
  private readonly subsets = new WeakMap<readonly InventoryCheck<unknown>[], Map<number, readonly string[]>>();

  single(id: string): readonly string[] {
    let list = this.singles.get(id);
    if (!list) this.singles.set(id, (list = Object.freeze([id])));
    return list;
  }

  /** The ids of the checks in `checks` whose bit is set in `mask` (bit k: checks[k]), in order. */
  subset(checks: readonly InventoryCheck<unknown>[], mask: number): readonly string[] {
    let byMask = this.subsets.get(checks);
    if (!byMask) this.subsets.set(checks, (byMask = new Map()));
    let list = byMask.get(mask);
    if (!list) byMask.set(mask, (list = Object.freeze(checks.filter((_, k) => (mask & (1 << k)) !== 0).map((c) => c.id))));
    return list;
  }
}

export interface ResourceRun {
  findings: readonly Finding[];
  /** Checks that failed on this resource (a bug in Palisade, not the user's input). */
  warnings: readonly string[];
}

/** The active checks, resolved once per engine from their ids. */
export class CatalogueRunner {
  private readonly resourceChecks: ResourceCheck[];
  readonly inventoryChecks: InventoryCheck<unknown>[];
  private readonly resourceIndex: KindIndex<ResourceCheck>;
  private readonly inventoryIndex: KindIndex<InventoryCheck<unknown>>;
  /** Whether some active check skips pods by their screen (see run()). */
  readonly screensPods: boolean;
  private readonly checkLists = new CheckLists();

  /**
   * Whether cross-resource checks may keep a document's lines (Resource.linesForLater, which
   * holds its text) and look them up only when they report (CollectContext.linesForLater). Only
   * where facts stay in this thread: a fact sent from a worker is copied, text and all.
   */
  keepLines = false;

  /**
   * Whether facts other than PodFacts (which copy their own few strings), kept to the end of the
   * scan, are copied (ownStrings) so as not to keep their document's text alive: js-yaml parses a
   * copy of each document (its text with a NUL added), and a long string it returns is a view
   * into that copy. Kept lines (keepLines) hold the block the document was read from, not that
   * copy, so this is needed even then (without it, 13 MB more were copied by the garbage
   * collector per 10,000-resource scan). Not needed in a worker thread, whose facts are copied
   * when posted to the main thread, nor where nothing outlives the input (admission reviews).
   */
  copyStrings = true;

  /** The check that is running, and the findings of the resource being checked. */
  private current?: ResourceCheck;
  private findings?: Finding[];
  private readonly ctx: ResourceContext & CollectContext;

  constructor(ids: readonly string[], private readonly params: CheckParams) {
    const wanted = new Set(ids);
    const active = CATALOGUE.filter((c) => wanted.has(c.id));
    this.resourceChecks = active.filter((c): c is ResourceCheck => c.scope === 'resource');
    this.inventoryChecks = active.filter((c): c is InventoryCheck<unknown> => c.scope === 'inventory');
    if (this.inventoryChecks.length > MASK_CHECKS) throw new Error(`more than ${MASK_CHECKS} cross-resource checks: the fact masks cannot name them`);
    this.resourceIndex = new KindIndex(this.resourceChecks);
    this.screensPods = this.resourceChecks.some((c) => c.areas !== undefined);
    this.inventoryIndex = new KindIndex(this.inventoryChecks);
    const report = (path: JsonPath, message: string, severity?: Severity) => {
      const resource = this.ctx.resource;
      const finding = findingOf(this.current!, resource.ref(), path, resource.lineOf(path), message, severity);
      this.findings = withItem(this.findings, finding);
    };
    this.ctx = {
      resource: undefined as never,
      object: undefined as never,
      kind: '',
      pod: undefined,
      containers: [],
      params,
      report,
      lineOf: (path: JsonPath) => this.ctx.resource.lineOf(path),
      linesForLater: () => (this.keepLines ? this.ctx.resource.linesForLater() : undefined),
    };
  }

  /** Whether any check is active. */
  get active(): boolean {
    return this.resourceChecks.length > 0 || this.inventoryChecks.length > 0;
  }

  /** Whether any active check looks at this kind by name (checks for every kind do not count). */
  handles(kind: string): boolean {
    const named = (c: { kinds: readonly string[] | 'workload' }) => c.kinds !== 'workload' && c.kinds.includes(kind);
    return this.resourceChecks.some(named) || this.inventoryChecks.some(named);
  }

  /**
   * Runs the checks for one resource. `areas` is its pod's screen (checks/screen.ts): workload
   * checks whose areas are all unmarked are skipped. The default runs every check. The facts
   * of cross-resource checks are added to `facts`; without it, those checks do not run.
   */
  run(resource: Resource, ignores: () => readonly AnnotationIgnore[], areas: number = ALL_AREAS, facts?: FactRows): ResourceRun {
    if (!this.active) return EMPTY_RUN;
    const pod = resource.pod;
    const resourceChecks = this.resourceIndex.for(resource.kind, pod !== undefined);
    const inventoryChecks = facts ? this.inventoryIndex.for(resource.kind, pod !== undefined) : NO_ITEMS;
    if (resourceChecks.length === 0 && inventoryChecks.length === 0) return EMPTY_RUN;
    // One context object per runner, pointed at each resource in turn: this runs for every
    // resource, and checks use the context only while they run.
    const ctx = this.ctx;
    ctx.resource = resource;
    ctx.object = resource.object;
    ctx.kind = resource.kind;
    ctx.pod = pod;
    ctx.containers = resource.containers;
    this.findings = undefined;
    let warnings: string[] | undefined;
    for (const def of resourceChecks) {
      if (def.areas !== undefined && (def.areas & areas) === 0) continue;
      this.current = def;
      try {
        def.run(ctx);
      } catch (err) {
        (warnings ??= []).push(`check ${def.id} failed on ${resource.id} (${resource.file}): ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    const findings = this.findings ?? NO_ITEMS;
    this.findings = undefined;
    let subject: FactSubject | undefined;
    let ignoreList: readonly AnnotationIgnore[] | undefined;
    /** Parts of this resource's facts already copied (facts of one resource may share parts). */
    let owned: Map<object, unknown> | undefined;
    /** The workload's shared PodFact, where its row starts, and which of inventoryChecks keep it (bit k: check k). */
    let shared: Fact | undefined;
    let sharedAt = -1;
    let sharedBy = 0;
    for (let k = 0; k < inventoryChecks.length; k++) {
      const def = inventoryChecks[k];
      let fact: Fact | undefined;
      try {
        fact = def.collect(ctx);
      } catch (err) {
        (warnings ??= []).push(`check ${def.id} failed on ${resource.id} (${resource.file}): ${err instanceof Error ? err.message : String(err)}`);
      }
      if (fact === undefined) continue;
      subject ??= resource.ref();
      ignoreList ??= ignores();
      // One record for every check that keeps the resource's PodFact (any other fact: one record
      // per check). The PodFact makes its strings its own.
      const isPod = isPodFact(fact);
      if (isPod && (shared === undefined || shared === fact)) {
        if (shared === undefined) sharedAt = addFactRow(facts!, NO_ITEMS, subject, (shared = fact), ignoreList);
        sharedBy |= 1 << k;
        continue;
      }
      // Facts live until the whole input is read: they must not keep documents' text alive.
      const own = isPod || !this.copyStrings ? fact : ownStrings(fact, (owned ??= new Map()));
      addFactRow(facts!, this.checkLists.single(def.id), subject, own, ignoreList);
    }
    if (sharedAt >= 0) facts![sharedAt] = this.checkLists.subset(inventoryChecks, sharedBy);
    // Let the document go once its checks are done.
    ctx.resource = ctx.object = ctx.pod = undefined as never;
    ctx.containers = NO_ITEMS;
    return { findings, warnings: warnings ?? NO_ITEMS };
  }

  /** Runs the cross-resource checks over every fact (in input order). */
  evaluate(facts: FactRows, warnings: string[] = []): Array<{ finding: Finding; ignores: readonly AnnotationIgnore[] }> {
    const out: Array<{ finding: Finding; ignores: readonly AnnotationIgnore[] }> = [];
    // One record per row, shared by every check the row is for (a workload's PodFact row serves
    // several): a record per check and row was ~3 times as many objects. All records are alive
    // while the checks judge them: ~88,000 small objects for a 100,000-resource scan, a few MB.
    const records = factRecords(facts);
    // Which checks a record is for, as a bit mask per distinct list of ids: records share their
    // lists (CheckLists), so a scan meets a handful, and picking a check's records is a bit test
    // per record instead of a search of its list (~1.5 ms less per 10,000 resources).
    const checks = this.inventoryChecks;
    const bit = new Map(checks.map((c, k) => [c.id, 1 << k]));
    const maskOf = new Map<readonly string[], number>();
    const masks = new Int32Array(records.length);
    for (let n = 0; n < records.length; n++) {
      const ids = records[n].checks;
      let mask = maskOf.get(ids);
      if (mask === undefined) {
        mask = 0;
        for (const id of ids) mask |= bit.get(id) ?? 0;
        maskOf.set(ids, mask);
      }
      masks[n] = mask;
    }
    for (let k = 0; k < checks.length; k++) {
      const def = checks[k];
      const mine: FactRecord[] = [];
      const b = 1 << k;
      for (let n = 0; n < records.length; n++) if ((masks[n] & b) !== 0) mine.push(records[n]);
      // Ignore annotations are rare: the map from subjects to theirs is built only when one has some.
      // By subject: the records of one resource share their subject object (also after a structured clone from a worker, which keeps shared references within one message).
      const ignoresOf = mine.some((f) => f.ignores.length > 0) ? new Map<FactSubject, readonly AnnotationIgnore[]>(mine.map((f) => [f.subject, f.ignores])) : undefined;
      let reports;
      try {
        // The records themselves: each has the subject and the fact the check asks for.
        reports = def.evaluate(mine, this.params);
      } catch (err) {
        // Like a failing per-resource check: a warning, and the rest of the scan goes on.
        warnings.push(`check ${def.id} failed: ${err instanceof Error ? err.message : String(err)}`);
        continue;
      }
      for (const r of reports) {
        out.push({ finding: findingOf(def, r.subject, r.path, r.line, r.message, r.severity), ignores: ignoresOf?.get(r.subject) ?? NO_ITEMS });
      }
    }
    return out;
  }
}

/**
 * `list` with `item` added; a new list starts at its exact length. A resource's findings are
 * kept to the end of a scan and are usually one or two: a list grown by push from empty would
 * reserve room for 16 more.
 */
function withItem<T>(list: T[] | undefined, item: T): T[] {
  if (list === undefined) return [item];
  list.push(item);
  return list;
}

const EMPTY_RUN: ResourceRun = { findings: NO_ITEMS, warnings: NO_ITEMS };

/** What every finding of a check shares: its reference strings, and its recent messages. */
const perCheck = new WeakMap<CheckDef, { refs: string[]; messages: RecentMessages }>();

function findingOf(def: CheckDef, ref: ResourceRef, path: JsonPath, line: number, message: string, severity?: Severity): Finding {
  let shared = perCheck.get(def);
  if (!shared) perCheck.set(def, (shared = { refs: refStrings(def.refs), messages: new RecentMessages() }));
  return {
    check: def.id,
    severity: severity ?? def.severity,
    title: def.title,
    message: shared.messages.intern(message),
    resource: ref,
    path: formatPath(path),
    line,
    remediation: def.remediation,
    stride: def.stride,
    refs: shared.refs,
    suppressed: false,
  };
}
