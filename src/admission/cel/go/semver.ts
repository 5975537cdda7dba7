/**
 * github.com/blang/semver/v4 Parse and Compare (with its error messages), and Kubernetes'
 * normalizeAndParse for `semver(s, true)` (k8s.io/apiserver/pkg/cel/library/semverlib.go).
 */

export class SemverError extends Error {}

export interface PRVersion {
  readonly num?: bigint;
  readonly str?: string;
}

export interface Version {
  readonly major: bigint;
  readonly minor: bigint;
  readonly patch: bigint;
  readonly pre: readonly PRVersion[];
  readonly build: readonly string[];
}

const NUMBERS = /^[0-9]*$/;
const ALPHANUM = /^[0-9A-Za-z-]*$/;
const UINT64_MAX = 2n ** 64n - 1n;

const hasLeadingZeroes = (s: string): boolean => s.length > 1 && s[0] === '0';

function parseUint(s: string): bigint {
  if (s === '' || !/^\d+$/.test(s)) throw new SemverError(`strconv.ParseUint: parsing ${JSON.stringify(s)}: invalid syntax`);
  const v = BigInt(s);
  if (v > UINT64_MAX) throw new SemverError(`strconv.ParseUint: parsing ${JSON.stringify(s)}: value out of range`);
  return v;
}

function parsePR(s: string): PRVersion {
  if (s.length === 0) throw new SemverError('Prerelease is empty');
  if (NUMBERS.test(s)) {
    if (hasLeadingZeroes(s)) throw new SemverError(`Numeric PreRelease version must not contain leading zeroes ${JSON.stringify(s)}`);
    return { num: parseUint(s) };
  }
  if (ALPHANUM.test(s)) return { str: s };
  throw new SemverError(`Invalid character(s) found in prerelease ${JSON.stringify(s)}`);
}

export function parseSemver(s: string): Version {
  if (s.length === 0) throw new SemverError('Version string empty');
  const parts = splitN(s, '.', 3);
  if (parts.length !== 3) throw new SemverError('No Major.Minor.Patch elements found');
  const [maj, min] = parts;
  if (!NUMBERS.test(maj)) throw new SemverError(`Invalid character(s) found in major number ${JSON.stringify(maj)}`);
  if (hasLeadingZeroes(maj)) throw new SemverError(`Major number must not contain leading zeroes ${JSON.stringify(maj)}`);
  const major = parseUint(maj);
  if (!NUMBERS.test(min)) throw new SemverError(`Invalid character(s) found in minor number ${JSON.stringify(min)}`);
  if (hasLeadingZeroes(min)) throw new SemverError(`Minor number must not contain leading zeroes ${JSON.stringify(min)}`);
  const minor = parseUint(min);
  let patchStr = parts[2];
  let build: string[] = [];
  let pre: string[] = [];
  const b = patchStr.indexOf('+');
  if (b !== -1) {
    build = patchStr.slice(b + 1).split('.');
    patchStr = patchStr.slice(0, b);
  }
  const p = patchStr.indexOf('-');
  if (p !== -1) {
    pre = patchStr.slice(p + 1).split('.');
    patchStr = patchStr.slice(0, p);
  }
  if (!NUMBERS.test(patchStr)) throw new SemverError(`Invalid character(s) found in patch number ${JSON.stringify(patchStr)}`);
  if (hasLeadingZeroes(patchStr)) throw new SemverError(`Patch number must not contain leading zeroes ${JSON.stringify(patchStr)}`);
  const patch = parseUint(patchStr);
  const prs = pre.map(parsePR);
  for (const x of build) {
    if (x.length === 0) throw new SemverError('Build meta data is empty');
    if (!ALPHANUM.test(x)) throw new SemverError(`Invalid character(s) found in build meta data ${JSON.stringify(x)}`);
  }
  return { major, minor, patch, pre: prs, build };
}

/** Go's strings.SplitN. */
function splitN(s: string, sep: string, n: number): string[] {
  const out: string[] = [];
  let rest = s;
  while (out.length < n - 1) {
    const i = rest.indexOf(sep);
    if (i === -1) break;
    out.push(rest.slice(0, i));
    rest = rest.slice(i + sep.length);
  }
  out.push(rest);
  return out;
}

/** Kubernetes' normalizeAndParse: drop a leading v, pad to major.minor.patch, strip leading zeros. */
export function normalizeAndParse(input: string): Version {
  const s = input.startsWith('v') ? input.slice(1) : input;
  const parts = splitN(s, '.', 3).map((p) => {
    if (p.length <= 1) return p;
    let t = p.replace(/^0+/, '');
    if (t.length === 0 || !/[0-9]/.test(t[0])) t = `0${t}`;
    return t;
  });
  if (parts.length < 3) {
    if (/[+-]/.test(parts[parts.length - 1])) throw new SemverError('short version cannot contain PreRelease/Build meta data');
    while (parts.length < 3) parts.push('0');
  }
  return parseSemver(parts.join('.'));
}

function cmpBig(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function comparePR(a: PRVersion, b: PRVersion): number {
  if (a.num !== undefined && b.num !== undefined) return cmpBig(a.num, b.num);
  if (a.num !== undefined) return -1;
  if (b.num !== undefined) return 1;
  return (a.str ?? '') < (b.str ?? '') ? -1 : (a.str ?? '') > (b.str ?? '') ? 1 : 0;
}

/** blang/semver Compare: build metadata is ignored; a pre-release sorts before its release. */
export function compareSemver(a: Version, b: Version): number {
  const c = cmpBig(a.major, b.major) || cmpBig(a.minor, b.minor) || cmpBig(a.patch, b.patch);
  if (c !== 0) return c;
  if (a.pre.length === 0 && b.pre.length === 0) return 0;
  if (a.pre.length === 0) return 1;
  if (b.pre.length === 0) return -1;
  for (let i = 0; i < a.pre.length && i < b.pre.length; i++) {
    const d = comparePR(a.pre[i], b.pre[i]);
    if (d !== 0) return d;
  }
  return a.pre.length === b.pre.length ? 0 : a.pre.length < b.pre.length ? -1 : 1;
}

export function semverString(v: Version): string {
  let s = `${v.major}.${v.minor}.${v.patch}`;
  if (v.pre.length > 0) s += `-${v.pre.map((p) => (p.num !== undefined ? String(p.num) : p.str)).join('.')}`;
  if (v.build.length > 0) s += `+${v.build.join('.')}`;
  return s;
}
