/** Semantic versions as libsinsp's sinsp_version reads and compares them. */

export const ENGINE_VERSION = '0.63.0';

export interface SemVer {
  major: number;
  minor: number;
  patch: number;
}

export function parseSemver(text: string): SemVer | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(text.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) };
}

export function compareSemver(a: SemVer, b: SemVer): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/** Same major, and `have` at least `need`. */
export function compatibleWith(have: SemVer, need: SemVer): boolean {
  return have.major === need.major && compareSemver(have, need) >= 0;
}

export function semverString(v: SemVer): string {
  return `${v.major}.${v.minor}.${v.patch}`;
}
