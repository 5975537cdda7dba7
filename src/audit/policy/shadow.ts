/**
 * Which rules can never match, because every request they match is matched by earlier rules
 * (first match wins). Decided by reasoning on the rules, not by sampling requests.
 *
 * A rule matches a union of "cells": products of one constraint per request attribute
 * (authenticated or not, user name, one of the user's groups, verb, resource or non-resource
 * request, namespace, API group, resource, subresource, name, path). Each constraint is a
 * finite set of values, "any value", or (paths only) a prefix. A later rule's cell is covered by
 * the earlier rules' cells exactly when, for every choice of values from its finite sets, one
 * earlier cell contains those values and contains the whole of its infinite constraints: a
 * value no rule mentions can only be matched by a cell that takes any value there, and such a
 * cell then takes every value there. So the test is exact for unions, with the real world's
 * shape assumed: paths start with "/", resource and subresource names have no "/".
 *
 * Groups: a request matches `userGroups` when one of its groups is listed, and adding groups
 * never stops a rule from matching; so it is enough to look at requests with one group (or
 * none), and the group is one more single-valued attribute.
 */
import type { Attributes } from './evaluate.js';
import type { PolicyRule } from './types.js';

type Val = { readonly any: true } | { readonly set: readonly string[] } | { readonly prefix: string };

const ANY: Val = { any: true };
const set = (values: readonly string[]): Val => ({ set: [...new Set(values)] });

const DIMS = ['kind', 'auth', 'user', 'group', 'verb', 'ns', 'apiGroup', 'resource', 'sub', 'name', 'path'] as const;
type Cell = Val[];
const D = Object.fromEntries(DIMS.map((d, i) => [d, i])) as Record<(typeof DIMS)[number], number>;

function cell(values: Partial<Record<(typeof DIMS)[number], Val>>): Cell {
  return DIMS.map((d) => values[d] ?? ANY);
}

/** The (resource, subresource) pairs one `resources` entry matches, as constraints. */
function resourcePatternCells(res: string): Array<{ resource: Val; sub: Val }> {
  if (res === '*') return [{ resource: ANY, sub: ANY }];
  const out: Array<{ resource: Val; sub: Val }> = [];
  const parts = res.split('/');
  if (parts.length === 1 && res !== '') out.push({ resource: set([res]), sub: set(['']) });
  if (parts.length === 2 && parts[0] !== '' && parts[1] !== '') out.push({ resource: set([parts[0]]), sub: set([parts[1]]) });
  // "*/x": subresource x of anything. "x/*": x and all its subresources.
  if (parts.length === 2 && parts[0] === '*' && parts[1] !== '') out.push({ resource: ANY, sub: set([parts[1]]) });
  if (parts.length === 2 && parts[1] === '*' && parts[0] !== '') out.push({ resource: set([parts[0]]), sub: ANY });
  return out;
}

function pathVal(url: string): Val | undefined {
  if (url === '*') return ANY;
  if (!url.startsWith('/')) return undefined; // matches no real path
  if (url.endsWith('*')) {
    const p = url.replace(/\*+$/, '');
    return p === '/' ? ANY : { prefix: p };
  }
  return set([url]);
}

/** Every request a rule matches, as a union of cells (checker.go's logic, turned into sets). */
export function ruleCells(r: PolicyRule): Cell[] {
  const anyone = r.users.length === 0 && r.userGroups.length === 0;
  const who = {
    auth: set(anyone ? ['none', 'user'] : ['user']),
    user: r.users.length > 0 ? set(r.users) : ANY,
    group: r.userGroups.length > 0 ? set(r.userGroups) : ANY,
    verb: r.verbs.length > 0 ? set(r.verbs) : ANY,
  };
  if (r.namespaces.length > 0 || r.resources.length > 0) {
    const base = { ...who, kind: set(['resource']), ns: r.namespaces.length > 0 ? set(r.namespaces) : ANY };
    if (r.resources.length === 0) return [cell(base)];
    const out: Cell[] = [];
    for (const gr of r.resources) {
      const apiGroup = gr.group === '*' ? ANY : set([gr.group]);
      if (gr.resources.length === 0) {
        out.push(cell({ ...base, apiGroup }));
        continue;
      }
      const name = gr.resourceNames.length > 0 ? set(gr.resourceNames) : ANY;
      for (const res of gr.resources) {
        for (const rs of resourcePatternCells(res)) out.push(cell({ ...base, apiGroup, resource: rs.resource, sub: rs.sub, name }));
      }
    }
    return out;
  }
  if (r.nonResourceURLs.length > 0) {
    const out: Cell[] = [];
    for (const url of r.nonResourceURLs) {
      const path = pathVal(url);
      if (path) out.push(cell({ ...who, kind: set(['nonResource']), path }));
    }
    return out;
  }
  return [cell({ ...who, kind: set(['resource', 'nonResource']) })];
}

/** Does constraint `a` hold for the single value `v`? */
function holdsFor(a: Val, v: string): boolean {
  if ('any' in a) return true;
  if ('set' in a) return a.set.includes(v);
  return v.startsWith(a.prefix);
}

/** Does constraint `a` hold for every value of the infinite constraint `b`? */
function holdsForAll(a: Val, b: Val): boolean {
  if ('any' in a) return true;
  if ('any' in b || 'set' in a) return false;
  return 'prefix' in b && b.prefix.startsWith(a.prefix);
}

function intersects(a: Val, b: Val): boolean {
  if ('any' in a || 'any' in b) return true;
  if ('set' in b) return b.set.some((v) => holdsFor(a, v));
  if ('set' in a) return a.set.some((v) => holdsFor(b, v));
  return a.prefix.startsWith(b.prefix) || b.prefix.startsWith(a.prefix);
}

interface Candidate {
  rule: number;
  cell: Cell;
}

/** Above this many value combinations in one cell, only single earlier cells are tried. */
const MAX_COMBINATIONS = 200_000;

/**
 * The earlier rules that together match every request of `b`, or undefined when some request
 * of `b` escapes them all. First-match order: each combination is credited to the first rule.
 */
function coverCell(b: Cell, earlier: readonly Candidate[]): Set<number> | undefined {
  const finite: number[] = [];
  for (let d = 0; d < DIMS.length; d++) if ('set' in b[d]) finite.push(d);
  // Only cells that take the whole of b's infinite constraints, and meet its finite ones, can help.
  const useful = earlier.filter((c) => b.every((bv, d) => ('set' in bv ? intersects(c.cell[d], bv) : holdsForAll(c.cell[d], bv))));
  if (useful.length === 0) return undefined;
  let combinations = 1;
  for (const d of finite) combinations *= (b[d] as { set: readonly string[] }).set.length;
  if (combinations === 0) return new Set(); // matches nothing
  if (combinations > MAX_COMBINATIONS) {
    const whole = useful.find((c) => finite.every((d) => (b[d] as { set: readonly string[] }).set.every((v) => holdsFor(c.cell[d], v))));
    return whole ? new Set([whole.rule]) : undefined;
  }
  const used = new Set<number>();
  const walk = (k: number, pool: readonly Candidate[]): boolean => {
    if (k === finite.length) {
      used.add(pool[0].rule);
      return true;
    }
    const d = finite[k];
    for (const v of (b[d] as { set: readonly string[] }).set) {
      const next = pool.filter((c) => holdsFor(c.cell[d], v));
      if (next.length === 0 || !walk(k + 1, next)) return false;
    }
    return true;
  };
  return walk(0, useful) ? used : undefined;
}

export interface Shadowing {
  /** The rule that never matches. */
  rule: number;
  /** Earlier rules that match every request it would match (empty: it matches no request at all). */
  by: number[];
}

/** Every rule of `rules` that can never match, with the earlier rules responsible. */
export function findShadowedRules(rules: readonly PolicyRule[]): Shadowing[] {
  const out: Shadowing[] = [];
  const earlier: Candidate[] = [];
  for (const r of rules) {
    const cells = ruleCells(r);
    const by = new Set<number>();
    let covered = true;
    for (const c of cells) {
      const used = coverCell(c, earlier);
      if (!used) {
        covered = false;
        break;
      }
      for (const i of used) by.add(i);
    }
    if (covered) out.push({ rule: r.index, by: [...by].sort((a, b) => a - b) });
    for (const c of cells) earlier.push({ rule: r.index, cell: c });
  }
  return out;
}

/** A value no rule mentions, for the "any value" and prefix constraints of example requests. */
const FRESH = 'zz-unlisted';

/**
 * Requests the rule matches, one per combination of its listed values, with an unlisted value
 * wherever it takes any value. If a rule is not shadowed, one of these reaches it (see above).
 */
export function exampleRequests(rule: PolicyRule, limit = 1000): Attributes[] {
  const out: Attributes[] = [];
  for (const c of ruleCells(rule)) {
    const choices = c.map((v) => ('set' in v ? v.set : 'prefix' in v ? [v.prefix + FRESH] : [null]));
    const pick = (d: number, v: string | null): string => v ?? (DIMS[d] === 'path' ? `/${FRESH}` : FRESH);
    const walk = (d: number, values: Array<string | null>): void => {
      if (out.length >= limit) return;
      if (d === DIMS.length) {
        const at = (k: (typeof DIMS)[number]) => pick(D[k], values[D[k]]);
        const attrs: Attributes = {
          verb: at('verb'), resourceRequest: at('kind') === 'resource', apiGroup: at('apiGroup'), resource: at('resource'),
          subresource: at('sub'), namespace: at('ns'), name: at('name'), path: at('path'),
        };
        if (at('auth') === 'user') attrs.user = { name: at('user'), groups: values[D.group] === null ? [] : [at('group')] };
        out.push(attrs);
        return;
      }
      for (const v of choices[d]) walk(d + 1, [...values, v]);
    };
    walk(0, []);
  }
  return out;
}
