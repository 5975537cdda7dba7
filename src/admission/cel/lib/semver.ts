/**
 * Kubernetes' semver library, version 1 (k8s.io/apiserver/pkg/cel/library/semverlib.go):
 * `semver(s[, normalize])`, `isSemver(s[, normalize])`, major/minor/patch, isLessThan,
 * isGreaterThan, compareTo. Equality ignores build metadata, as blang/semver's Compare does.
 */
import { compareSemver, normalizeAndParse, parseSemver, semverString, type Version } from '../go/semver.js';
import type { Registry } from '../registry.js';
import { T } from '../types.js';
import { Opaque, fail } from '../values.js';

export class SemverValue extends Opaque {
  readonly typeName = 'kubernetes.Semver';
  constructor(readonly v: Version) {
    super();
  }
  equalTo(o: Opaque): boolean {
    return o instanceof SemverValue && compareSemver(this.v, o.v) === 0;
  }
  override toString(): string {
    return semverString(this.v);
  }
}

const S = T.opaque('kubernetes.Semver');

function parse(s: string, normalize: boolean): SemverValue {
  try {
    return new SemverValue(normalize ? normalizeAndParse(s) : parseSemver(s));
  } catch (e) {
    return fail((e as Error).message);
  }
}

function valid(s: string, normalize: boolean): boolean {
  try {
    if (normalize) normalizeAndParse(s);
    else parseSemver(s);
    return true;
  } catch {
    return false;
  }
}

export function registerSemver(reg: Registry): void {
  reg.fn('semver', [T.string], S, (s: string) => parse(s, false));
  reg.fn('semver', [T.string, T.bool], S, parse);
  reg.fn('isSemver', [T.string], T.bool, (s: string) => valid(s, false));
  reg.fn('isSemver', [T.string, T.bool], T.bool, valid);
  reg.method('major', S, [], T.int, (a: SemverValue) => a.v.major);
  reg.method('minor', S, [], T.int, (a: SemverValue) => a.v.minor);
  reg.method('patch', S, [], T.int, (a: SemverValue) => a.v.patch);
  reg.method('isGreaterThan', S, [S], T.bool, (a: SemverValue, b: SemverValue) => compareSemver(a.v, b.v) === 1);
  reg.method('isLessThan', S, [S], T.bool, (a: SemverValue, b: SemverValue) => compareSemver(a.v, b.v) === -1);
  reg.method('compareTo', S, [S], T.int, (a: SemverValue, b: SemverValue) => BigInt(compareSemver(a.v, b.v)));
}
