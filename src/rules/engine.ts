/**
 * The ruleset at run time: compiled rules indexed by source and by the values of a few
 * fields every event has (`evt.type` for syscalls, like Falco's evttype index; verb and
 * resource for audit events, an index Falco does not have), so that an event is only tested
 * against the rules that can match it.
 */
import type { EventTypeSet } from './lang/index.js';
import type { LoadedRule } from './types.js';

/** A rule ready to run: its compiled condition. */
export interface RuleProgram<E = unknown> {
  rule: LoadedRule;
  /** Position in load order (rules are tried in first-definition order, as Falco does). */
  order: number;
  matches(event: E): boolean;
}

/** Falco's `rule_matching`: stop at the first matching rule, or report every one. */
export type RuleMatching = 'first' | 'all';

/**
 * Values of one field a rule can match: the named ones (`include`) or all but them
 * (`exclude`, which admits a missing value too) — the sets lang's analysis computes.
 */
export type ValueSet = EventTypeSet;

/** How the rules of one source are indexed. */
export interface IndexSpec<E = unknown> {
  /** For each index field, its value in an event (undefined: missing). */
  keys: ReadonlyArray<(event: E) => string | undefined>;
  /** For each index field, the values a rule can match. */
  sets(rule: LoadedRule): readonly ValueSet[];
}

function admits(set: ValueSet, value: string | undefined): boolean {
  if (value === undefined) return set.kind === 'exclude';
  return set.names.has(value) === (set.kind === 'include');
}

/** Key values → the rules to try, bounded: the values come from the input. */
const MAX_CACHED_KEYS = 4096;

type Level = Map<string | undefined, unknown>;

class SourceIndex<P extends RuleProgram<never>> {
  private readonly programs: Array<{ program: P; sets: readonly ValueSet[] }> = [];
  private readonly cache: Level = new Map();
  private cached = 0;
  private readonly keys: ReadonlyArray<(event: unknown) => string | undefined>;
  /** The first two index fields apart: no array of key values per event. */
  private readonly key0: ((event: unknown) => string | undefined) | undefined;
  private readonly key1: ((event: unknown) => string | undefined) | undefined;
  /** Every rule, when there is no index. */
  private readonly all: P[] = [];

  constructor(private readonly spec: IndexSpec<never> | undefined) {
    this.keys = (spec?.keys ?? []) as ReadonlyArray<(event: unknown) => string | undefined>;
    this.key0 = this.keys[0];
    this.key1 = this.keys[1];
  }

  add(program: P): void {
    this.programs.push({ program, sets: this.spec ? this.spec.sets(program.rule) : [] });
    this.all.push(program);
  }

  get size(): number {
    return this.programs.length;
  }

  /** The rules to try for an event, in load order. */
  candidates(event: unknown): readonly P[] {
    // Nested maps, one level per index field: no key string to build for every event.
    switch (this.keys.length) {
      case 0:
        return this.all;
      case 1: {
        const k0 = this.key0!(event);
        return (this.cache.get(k0) as P[] | undefined) ?? this.miss(event, this.cache, k0);
      }
      case 2: {
        const k0 = this.key0!(event);
        const level = this.cache.get(k0) as Level | undefined;
        if (level === undefined) return this.slow(event);
        const k1 = this.key1!(event);
        return (level.get(k1) as P[] | undefined) ?? this.miss(event, level, k1);
      }
      default:
        return this.slow(event);
    }
  }

  /** Any number of index fields; creates the levels on the way. */
  private slow(event: unknown): P[] {
    const keys = this.keys;
    let level = this.cache;
    for (let i = 0; i < keys.length - 1; i++) {
      const k = keys[i]!(event);
      let next = level.get(k) as Level | undefined;
      if (!next) {
        if (this.cached >= MAX_CACHED_KEYS) return this.compute(event);
        level.set(k, (next = new Map()));
      }
      level = next;
    }
    const last = keys[keys.length - 1]!(event);
    return (level.get(last) as P[] | undefined) ?? this.miss(event, level, last);
  }

  /** An event whose last key value is not in `level` yet. */
  private miss(event: unknown, level: Level, last: string | undefined): P[] {
    const list = this.compute(event);
    if (this.cached < MAX_CACHED_KEYS) {
      level.set(last, list);
      this.cached++;
    }
    return list;
  }

  private compute(event: unknown): P[] {
    const key = this.keys.map((k) => k(event));
    const list: P[] = [];
    for (const { program, sets } of this.programs) {
      let ok = true;
      for (let i = 0; i < sets.length && ok; i++) ok = admits(sets[i]!, key[i]);
      if (ok) list.push(program);
    }
    return list;
  }
}

export class Ruleset<E = unknown, P extends RuleProgram<E> = RuleProgram<E>> {
  private readonly sources = new Map<string, SourceIndex<P>>();

  constructor(programs: readonly P[], private readonly matching: RuleMatching = 'all', indexes: Readonly<Record<string, IndexSpec<E>>> = {}) {
    for (const p of [...programs].sort((a, b) => a.order - b.order)) {
      if (!p.rule.enabled) continue;
      let index = this.sources.get(p.rule.source);
      if (!index) this.sources.set(p.rule.source, (index = new SourceIndex(indexes[p.rule.source] as IndexSpec<never> | undefined)));
      index.add(p);
    }
  }

  /** Number of enabled rules for a source. */
  count(source: string): number {
    return this.sources.get(source)?.size ?? 0;
  }

  /** The rules that match an event, in load order (only the first with rule_matching `first`). */
  match(source: string, event: E): readonly P[] {
    const index = this.sources.get(source);
    if (!index) return NONE;
    let out: P[] | undefined;
    for (const p of index.candidates(event)) {
      if (!p.matches(event)) continue;
      if (this.matching === 'first') return [p];
      (out ??= []).push(p);
    }
    return out ?? NONE;
  }
}

const NONE: readonly never[] = [];
