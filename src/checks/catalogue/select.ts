/**
 * Which checks run: a profile, then `--checks` (only these; ids or globs) and
 * `--skip-checks` (not these). PSS controls take part under their `pss/...` ids.
 */
import { matchesCheck } from '../../policy/index.js';
import type { PssLevel } from '../pss/index.js';
import { CATALOGUE } from './registry.js';

export type Profile = 'baseline' | 'restricted' | 'cks' | 'all';
export const PROFILES: readonly Profile[] = ['baseline', 'restricted', 'cks', 'all'];

export interface Selection {
  /** PSS level to evaluate, or undefined for none. */
  pssLevel?: PssLevel;
  /** Catalogue check ids to run. */
  checks: string[];
  /** Filter for PSS finding ids (`pss/<level>/<control>`). */
  include?: string[];
  exclude: string[];
}

export interface SelectOptions {
  profile: Profile;
  /** Overrides the PSS level the profile implies. */
  pssLevel?: PssLevel;
  include?: string[];
  exclude?: string[];
}

export function selectChecks(opts: SelectOptions): { selection: Selection; unmatched: string[] } {
  const pssLevel: PssLevel = opts.pssLevel ?? (opts.profile === 'baseline' ? 'baseline' : 'restricted');
  const include = opts.include && opts.include.length > 0 ? opts.include : undefined;
  const exclude = opts.exclude ?? [];
  let checks = CATALOGUE.filter((c) => {
    if (include) return include.some((p) => matchesCheck(p, c.id));
    return opts.profile === 'all' || (opts.profile === 'cks' && c.defaultOn);
  }).map((c) => c.id);
  checks = checks.filter((id) => !exclude.some((p) => matchesCheck(p, id)));
  const known = (p: string) => p.startsWith('pss/') || p === '*' || p === 'all' || CATALOGUE.some((c) => matchesCheck(p, c.id));
  const unmatched = [...(include ?? []), ...exclude].filter((p) => !known(p));
  const pssWanted = !include || include.some((p) => p.startsWith('pss') || p === '*' || p === 'all');
  return { selection: { pssLevel: pssWanted ? pssLevel : undefined, checks, include, exclude }, unmatched };
}

/** Whether --checks / --skip-checks may drop PSS findings at all (profiles choose the level, not ids). */
export function filtersPssIds(selection: Selection): boolean {
  return selection.include !== undefined || selection.exclude.length > 0;
}

/** Whether a PSS finding id survives --checks / --skip-checks. */
export function pssIdSelected(selection: Selection, id: string): boolean {
  if (selection.include && !selection.include.some((p) => matchesCheck(p, id))) return false;
  return !selection.exclude.some((p) => matchesCheck(p, id));
}
