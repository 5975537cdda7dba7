/** Helpers shared by the reporters. Nothing here is imported outside src/report/. */

import type { CheckInfo, Finding, ResourceRef, ScanResult, Stride } from '../model/types.js';

export const STRIDE_NAMES: Readonly<Record<Stride, string>> = {
  S: 'Spoofing',
  T: 'Tampering',
  R: 'Repudiation',
  I: 'Information disclosure',
  D: 'Denial of service',
  E: 'Elevation of privilege',
};

export function strideName(s: Stride): string {
  return STRIDE_NAMES[s] ?? String(s);
}

/** `Kind/namespace/name`, or `Kind/name` for cluster-scoped resources. */
export function resourceLabel(r: ResourceRef): string {
  const kind = r.kind || 'Unknown';
  const name = r.name || '(unnamed)';
  return r.namespace ? `${kind}/${r.namespace}/${name}` : `${kind}/${name}`;
}

/** `namespace/name`, or just `name` for cluster-scoped resources. */
export function qualifiedName(r: ResourceRef): string {
  const name = r.name || '(unnamed)';
  return r.namespace ? `${r.namespace}/${name}` : name;
}

/** `file:line`, or just `file` when the line is unknown. */
export function fileLine(file: string, line: number | undefined): string {
  return line !== undefined && line > 0 ? `${file}:${line}` : file;
}

export function isAbsolutePath(p: string): boolean {
  return p.startsWith('/') || /^[A-Za-z]:\//.test(p);
}

/**
 * A file name as reporters for machines (SARIF, JUnit) show it: forward slashes, no
 * leading `./`, and relative to `cwd` when it is an absolute path under `cwd`.
 */
export function repoPath(file: string, cwd?: string): string {
  let p = file.replace(/\\/g, '/');
  if (cwd && isAbsolutePath(p)) {
    const base = cwd.replace(/\\/g, '/').replace(/\/+$/, '');
    // Windows drive paths compare case-insensitively; POSIX paths do not.
    const windows = /^[A-Za-z]:/.test(base);
    const hay = windows ? p.toLowerCase() : p;
    const needle = (windows ? base.toLowerCase() : base) + '/';
    if (hay.startsWith(needle)) p = p.slice(needle.length);
  }
  while (p.startsWith('./')) p = p.slice(2);
  return p;
}

/**
 * The rules a reporter describes: every check in `result.checks` with at least one
 * finding (suppressed or not), in that order, then checks seen only in findings (in order
 * of first appearance), described from their first finding.
 */
export function rulesWithFindings(result: ScanResult): CheckInfo[] {
  const firstFinding = new Map<string, Finding>();
  for (const f of result.findings) if (!firstFinding.has(f.check)) firstFinding.set(f.check, f);
  const out: CheckInfo[] = [];
  const seen = new Set<string>();
  for (const c of result.checks) {
    if (seen.has(c.id) || !firstFinding.has(c.id)) continue;
    seen.add(c.id);
    out.push(c);
  }
  for (const [id, f] of firstFinding) {
    if (seen.has(id)) continue;
    seen.add(id);
    out.push({
      id,
      title: f.title,
      severity: f.severity,
      description: f.title,
      remediation: f.remediation,
      stride: [...f.stride],
      ...(f.refs ? { refs: [...f.refs] } : {}),
    });
  }
  return out;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** A ResourceRef with the contract's key order (namespace only when there is one). */
export function resourceJson(r: ResourceRef): Record<string, unknown> {
  const out: Record<string, unknown> = { apiVersion: r.apiVersion, kind: r.kind };
  if (r.namespace !== undefined) out.namespace = r.namespace;
  out.name = r.name;
  out.file = r.file;
  out.line = r.line;
  return out;
}
