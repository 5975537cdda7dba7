/**
 * The ruleset at run time: compiled rules indexed by source and event type, so that an
 * event is only tested against the rules that can match it (Falco's evttype index).
 */
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

/** Rules of one source: those bound to event types, and those that can match any type. */
class SourceIndex<P extends RuleProgram<never>> {
  private readonly anyType: P[] = [];
  private readonly byType = new Map<string, P[]>();
  /** Per event type: its own rules merged with the any-type ones, in load order (built on first use). */
  private readonly merged = new Map<string, P[]>();

  add(program: P): void {
    const types = program.rule.eventTypes;
    if (!types) {
      this.anyType.push(program);
      return;
    }
    for (const t of types) {
      let list = this.byType.get(t);
      if (!list) this.byType.set(t, (list = []));
      list.push(program);
    }
  }

  /** The rules to try for an event of `type` (undefined: the source has one event type). */
  candidates(type: string | undefined): readonly P[] {
    if (type === undefined) return this.anyType;
    let list = this.merged.get(type);
    if (!list) {
      const own = this.byType.get(type) ?? [];
      list = own.length === 0 ? this.anyType : [...own, ...this.anyType].sort((a, b) => a.order - b.order);
      // Event types come from the input: bound the cache so hostile input cannot grow it forever.
      if (this.merged.size < 4096) this.merged.set(type, list);
    }
    return list;
  }

  get size(): number {
    const seen = new Set<P>(this.anyType);
    for (const list of this.byType.values()) list.forEach((p) => seen.add(p));
    return seen.size;
  }
}

export class Ruleset<E = unknown, P extends RuleProgram<E> = RuleProgram<E>> {
  private readonly sources = new Map<string, SourceIndex<P>>();

  constructor(programs: readonly P[], private readonly matching: RuleMatching = 'all') {
    for (const p of [...programs].sort((a, b) => a.order - b.order)) {
      if (!p.rule.enabled) continue;
      let index = this.sources.get(p.rule.source);
      if (!index) this.sources.set(p.rule.source, (index = new SourceIndex()));
      index.add(p);
    }
  }

  /** Number of enabled rules for a source. */
  count(source: string): number {
    return this.sources.get(source)?.size ?? 0;
  }

  /** The rules that match an event, in load order (only the first with rule_matching `first`). */
  match(source: string, type: string | undefined, event: E): readonly P[] {
    const index = this.sources.get(source);
    if (!index) return NONE;
    let out: P[] | undefined;
    for (const p of index.candidates(type)) {
      if (!p.matches(event)) continue;
      if (this.matching === 'first') return [p];
      (out ??= []).push(p);
    }
    return out ?? NONE;
  }
}

const NONE: readonly never[] = [];
