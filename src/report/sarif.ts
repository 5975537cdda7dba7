/**
 * SARIF 2.1.0 reporter, shaped for GitHub code scanning: rules carry
 * `security-severity`, results carry a repo-relative location under `%SRCROOT%` and a
 * stable `partialFingerprints` entry, suppressed findings carry `suppressions`, and input
 * errors become tool execution notifications.
 */

import { createHash } from 'node:crypto';
import type { CheckInfo, Finding, InputError, ResourceRef, ScanResult, Severity } from '../model/types.js';
import { isAbsolutePath, repoPath, resourceJson, resourceLabel, rulesWithFindings, strideName } from './common.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
export const INFORMATION_URI = 'https://github.com/palisade-dev/palisade';
export const FINGERPRINT_KEY = 'palisade/v1';

export type SarifLevel = 'error' | 'warning' | 'note';

export function sarifLevel(s: Severity): SarifLevel {
  switch (s) {
    case 'critical':
    case 'high':
      return 'error';
    case 'medium':
      return 'warning';
    case 'low':
    case 'info':
      return 'note';
  }
}

/** GitHub's `security-severity`: a number in a string, 0.0–10.0. */
export const SECURITY_SEVERITY: Readonly<Record<Severity, string>> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
  info: '1.0',
};

/** `privileged-container` → `PrivilegedContainer`. */
export function ruleName(id: string): string {
  const words = id.split(/[^A-Za-z0-9]+/).filter((w) => w !== '');
  const name = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
  return name || 'Rule';
}

/** Stable identity of a finding across runs: independent of file names and line numbers. */
export function fingerprint(f: Finding): string {
  const r = f.resource;
  const key = [f.check, r.kind, r.namespace ?? '', r.name, f.path].join('|');
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Percent-encode what may not appear raw in a URI path (spaces, `%`, `?`, `#`, …). */
function encodePath(p: string): string {
  return encodeURI(p).replace(/[?#]/g, (ch) => encodeURIComponent(ch));
}

/**
 * An artifact location. Relative paths (the normal case) are made relative to the
 * repository root `%SRCROOT%`; an absolute path outside `cwd` cannot be, so it becomes an
 * absolute `file:` URI without a base.
 */
export function artifactLocation(file: string, cwd?: string): { uri: string; uriBaseId?: string } {
  const p = repoPath(file, cwd);
  if (isAbsolutePath(p)) return { uri: `file://${p.startsWith('/') ? '' : '/'}${encodePath(p)}` };
  return { uri: encodePath(p), uriBaseId: '%SRCROOT%' };
}

function physicalLocation(file: string, line: number | undefined, cwd?: string): Record<string, unknown> {
  const loc: Record<string, unknown> = { artifactLocation: artifactLocation(file, cwd) };
  if (line !== undefined) loc.region = { startLine: Math.max(1, Math.trunc(line) || 1) };
  return loc;
}


function ruleJson(c: CheckInfo): Record<string, unknown> {
  const refs = c.refs ?? [];
  let text = `${c.description}\n\nRemediation: ${c.remediation}`;
  let markdown = `${c.description}\n\n**Remediation:** ${c.remediation}`;
  if (refs.length > 0) {
    text += `\n\nReferences:\n${refs.map((r) => `- ${r}`).join('\n')}`;
    markdown += `\n\n**References:**\n\n${refs.map((r) => (/^https?:\/\//.test(r) ? `- <${r}>` : `- ${r}`)).join('\n')}`;
  }
  const rule: Record<string, unknown> = {
    id: c.id,
    name: ruleName(c.id),
    shortDescription: { text: c.title },
    fullDescription: { text: c.description },
    help: { text, markdown },
    defaultConfiguration: { level: sarifLevel(c.severity) },
    properties: {
      tags: ['security', ...c.stride.map((s) => `STRIDE:${strideName(s)}`)],
      'security-severity': SECURITY_SEVERITY[c.severity],
    },
  };
  if (c.helpUri) rule.helpUri = c.helpUri;
  return rule;
}

function resultJson(f: Finding, ruleIndex: number, cwd?: string): Record<string, unknown> {
  const label = resourceLabel(f.resource);
  const r = f.resource;
  const out: Record<string, unknown> = {
    ruleId: f.check,
    ruleIndex,
    level: sarifLevel(f.severity),
    message: { text: f.message },
    locations: [
      {
        physicalLocation: physicalLocation(r.file, f.line, cwd),
        logicalLocations: [
          {
            name: label,
            kind: 'resource',
            fullyQualifiedName: r.apiVersion ? `${r.apiVersion}:${label}` : label,
          },
        ],
      },
    ],
    partialFingerprints: { [FINGERPRINT_KEY]: fingerprint(f) },
    properties: { path: f.path, resource: resourceJson(r), stride: [...f.stride] },
  };
  if (f.suppressed) {
    const s = f.suppression;
    out.suppressions = [
      {
        kind: s?.kind === 'config' ? 'external' : 'inSource',
        justification: s?.reason ?? '',
      },
    ];
  }
  return out;
}

function notificationJson(e: InputError, cwd?: string): Record<string, unknown> {
  return {
    level: 'error',
    message: { text: e.message },
    locations: [{ physicalLocation: physicalLocation(e.file, e.line, cwd) }],
  };
}

export function sarifReport(
  result: ScanResult,
  opts: { toolVersion: string; cwd?: string },
): Record<string, unknown> {
  const rules = rulesWithFindings(result);
  const index = new Map<string, number>(rules.map((r, i) => [r.id, i]));
  const invocation: Record<string, unknown> = { executionSuccessful: result.errors.length === 0 };
  if (result.errors.length > 0) {
    invocation.toolExecutionNotifications = result.errors.map((e) => notificationJson(e, opts.cwd));
  }
  if (result.warnings.length > 0) {
    invocation.toolConfigurationNotifications = result.warnings.map((w) => ({
      level: 'warning',
      message: { text: w },
    }));
  }
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'palisade',
            version: opts.toolVersion,
            informationUri: INFORMATION_URI,
            rules: rules.map(ruleJson),
          },
        },
        invocations: [invocation],
        results: result.findings.map((f) => resultJson(f, index.get(f.check)!, opts.cwd)),
      },
    ],
  };
}

export function renderSarif(result: ScanResult, opts: { toolVersion: string; cwd?: string }): string {
  return JSON.stringify(sarifReport(result, opts), null, 2) + '\n';
}
