/** Shapes shared by every analyzer and reporter (see ARCHITECTURE.md). */
import { ownString } from './own.js';

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';

/** Highest first; the index is the rank used for --fail-on comparisons. */
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

/** STRIDE threat categories. */
export type Stride = 'S' | 'T' | 'R' | 'I' | 'D' | 'E';

/** A path inside a Kubernetes object: keys and array indexes. */
export type PathSegment = string | number;
export type JsonPath = readonly PathSegment[];

/** Where a resource came from. `file` is the template path for Helm-rendered input. */
export interface SourceRef {
  /** File name as the user gave it (or the Helm `# Source:` template path). */
  file: string;
  /** 0-based index of the YAML document in the file (or the item index in a List). */
  doc: number;
  /** 1-based line of the resource's first line. */
  line: number;
  /** Set when a Helm `# Source:` comment renamed the file: where the text really was. */
  renderedIn?: { file: string; line: number };
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [key: string]: unknown;
}

/** A user-visible reference to a resource, as it appears in findings. */
export interface ResourceRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  file: string;
  line: number;
}

/** Problems the user can cause: bad YAML, unreadable files. Never a stack trace. */
export interface InputError {
  file: string;
  line?: number;
  message: string;
}

export interface Finding {
  check: string;
  severity: Severity;
  title: string;
  message: string;
  resource: ResourceRef;
  /** Dotted JSON path inside the resource, e.g. spec.containers[0].securityContext.privileged */
  path: string;
  line: number;
  remediation: string;
  stride: Stride[];
  refs?: string[];
  suppressed: boolean;
  /** Why it was suppressed (annotation reason or config entry), when suppressed. */
  suppression?: { kind: 'annotation' | 'config'; reason: string };
}

/**
 * The one shared empty list, for results that are usually empty and kept to the end of a scan
 * (frozen: whoever holds it replaces it, never pushes to it).
 */
export const NO_ITEMS: readonly never[] = Object.freeze([]);

export function formatPath(path: JsonPath): string {
  // Findings keep their path to the end of a scan, and the same few paths come back finding
  // after finding (22 distinct among the 6,142 findings of the 10,000-resource benchmark): the
  // texts are remembered in a tree by segment, so a path already seen is one lookup per segment
  // and every finding at it shares one string, instead of a copy that the garbage collector moves.
  let node = pathTree;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    let next = node.next?.get(seg);
    if (next === undefined) {
      if (pathTreeSize >= MAX_PATH_NODES) {
        // Paths come from users' documents (keys of labels, data, annotations): bounded.
        pathTree.next = undefined;
        pathTreeSize = 0;
        return joinPath(path);
      }
      // A node's text is its parent's and one piece more. Key and text are the tree's own
      // copies: a key is often a view into its whole document (and so is a one-piece text).
      const parts = pathParts;
      parts.length = 0;
      parts.push(node.text);
      pushPiece(parts, seg, i === 0);
      next = { text: ownString(parts.join('')), next: undefined };
      parts.length = 0;
      (node.next ??= new Map()).set(typeof seg === 'string' ? ownString(seg) : seg, next);
      pathTreeSize++;
    }
    node = next;
  }
  return node.text;
}

interface PathNode {
  /** The formatted path down to this node. */
  readonly text: string;
  next: Map<PathSegment, PathNode> | undefined;
}

const pathTree: PathNode = { text: '', next: undefined };
let pathTreeSize = 0;
const MAX_PATH_NODES = 8192;

/** `path` formatted, as one flat string. */
function joinPath(path: JsonPath): string {
  // Joined, not concatenated: a string built with += is a tree of one object per piece (V8
  // cons strings) until something flattens it. The pieces go in one reused list.
  const parts = pathParts;
  parts.length = 0;
  for (let i = 0; i < path.length; i++) pushPiece(parts, path[i], i === 0);
  const out = parts.join('');
  parts.length = 0;
  return out;
}

/** How a segment is written after the ones before it: `.key`, `key` first, `[3]`, `["a b"]`. */
function pushPiece(parts: string[], seg: PathSegment, first: boolean): void {
  if (typeof seg === 'number') parts.push(indexPiece(seg));
  else if (isIdentifier(seg)) {
    if (!first) parts.push('.');
    parts.push(seg);
  } else parts.push(`[${JSON.stringify(seg)}]`);
}

const pathParts: string[] = [];
const indexPieces: string[] = [];

function indexPiece(n: number): string {
  if (!(Number.isInteger(n) && n >= 0 && n < 256)) return `[${n}]`;
  return (indexPieces[n] ??= `[${n}]`);
}

/** `/^[A-Za-z_][A-Za-z0-9_-]*$/`, without a regular expression: keys written as `.key`. */
function isIdentifier(key: string): boolean {
  const n = key.length;
  if (n === 0) return false;
  for (let i = 0; i < n; i++) {
    const c = key.charCodeAt(i);
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95) continue;
    if (i > 0 && ((c >= 48 && c <= 57) || c === 45)) continue;
    return false;
  }
  return true;
}

/** What a reporter needs to know about a check (SARIF rules, docs, tables). */
export interface CheckInfo {
  id: string;
  title: string;
  severity: Severity;
  description: string;
  remediation: string;
  stride: Stride[];
  refs?: string[];
  /** Documentation link, when there is one. */
  helpUri?: string;
}

export interface ScanSummary {
  resources: number;
  findings: number;
  suppressed: number;
  bySeverity: Record<Severity, number>;
}

/** Everything a scan produced; the JSON reporter prints exactly this (plus `version`). */
export interface ScanResult {
  findings: Finding[];
  summary: ScanSummary;
  errors: InputError[];
  /** The checks that ran, for reporters that describe rules (SARIF, JUnit). */
  checks: CheckInfo[];
  /** Expired config ignores and other notices the user should see. */
  warnings: string[];
}

export function emptySummary(): ScanSummary {
  return { resources: 0, findings: 0, suppressed: 0, bySeverity: { critical: 0, high: 0, medium: 0, low: 0, info: 0 } };
}

/** The summary of a finished list of findings: suppressed ones counted apart, the rest by severity. */
export function summarize(findings: readonly Finding[], resources: number): ScanSummary {
  const summary = emptySummary();
  summary.resources = resources;
  for (const f of findings) {
    if (f.suppressed) summary.suppressed++;
    else {
      summary.findings++;
      summary.bySeverity[f.severity]++;
    }
  }
  return summary;
}
