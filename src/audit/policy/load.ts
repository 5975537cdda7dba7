/**
 * Loading a policy file as kube-apiserver does (`LoadPolicyFromFile`): YAML or JSON, the first
 * document only, apiVersion audit.k8s.io/v1 and kind Policy, then validation. Every rule keeps
 * its line. Problems are values (file, line, one sentence); nothing here throws.
 */
import { readFileSync } from 'node:fs';
import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from 'yaml';
import { describeFsError, yamlOffset } from '../../model/index.js';
import { decodePolicy, pathText, type LineOf, type PathSeg } from './decode.js';
import { validatePolicy } from './validate.js';
import type { Policy, PolicyProblem } from './types.js';

export interface LoadResult {
  /** Set only when there are no errors: the policy kube-apiserver would run. */
  policy?: Policy;
  /** Set when the file decodes but fails validation (lint still wants its rules and lines). */
  decoded?: Policy;
  errors: PolicyProblem[];
  /** Unknown or duplicate fields, extra documents: the apiserver loads the policy anyway. */
  warnings: PolicyProblem[];
}

/** Largest policy file read (real ones are a few KiB). */
const MAX_POLICY_BYTES = 16 * 1024 * 1024;

export function loadPolicyFile(path: string, displayName = path): LoadResult {
  let text: string;
  try {
    const buf = readFileSync(path);
    if (buf.length > MAX_POLICY_BYTES) return fail(displayName, `file is larger than ${MAX_POLICY_BYTES >> 20} MiB; not an audit policy`);
    text = buf.toString('utf8');
  } catch (err) {
    return fail(displayName, `cannot read policy: ${describeFsError(err)}`);
  }
  return parsePolicyText(text, displayName);
}

function fail(file: string, message: string, line?: number): LoadResult {
  return { errors: [{ file, ...(line !== undefined ? { line } : {}), message }], warnings: [] };
}

/** Parses and validates policy text; `file` names it in problems. */
export function parsePolicyText(text: string, file: string): LoadResult {
  const lineCounter = new LineCounter();
  let docs: ReturnType<typeof parseAllDocuments>;
  try {
    docs = parseAllDocuments(text, {
      // YAML 1.1 like the apiserver's YAML decoder (go-yaml v2): `yes`/`on` are booleans, but
      // timestamps stay strings (go-yaml v2 keeps them so for untyped values).
      version: '1.1',
      customTags: (tags) => tags.filter((t) => typeof t === 'string' || t.tag !== 'tag:yaml.org,2002:timestamp'),
      uniqueKeys: false,
      lineCounter,
      prettyErrors: false,
    });
  } catch (err) {
    return fail(file, `invalid YAML: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}`, 1);
  }
  const list = (Array.isArray(docs) ? docs : []) as Document[];
  if (list.length === 0 || (list.length === 1 && isEmpty(list[0]) && list[0].errors.length === 0)) {
    return fail(file, 'empty file: expected an audit.k8s.io/v1 Policy', 1);
  }
  const doc = list[0];
  const line = (offset: number | undefined) => lineCounter.linePos(offset ?? 0).line;
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    return fail(file, `invalid YAML: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`, e.linePos?.[0]?.line ?? line(e.pos?.[0]));
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    return fail(file, `invalid YAML: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}`, line(doc.contents?.range?.[0]));
  }
  const lineOf: LineOf = (path) => line(yamlOffset(doc, path));
  const warnings: PolicyProblem[] = [];
  duplicateKeys(doc.contents, [], (path, offset) => {
    warnings.push({ file, line: line(offset), message: `duplicate field "${pathText(path)}": kube-apiserver keeps the last one` });
  });
  const extra = list.slice(1).find((d) => !isEmpty(d));
  if (extra) warnings.push({ file, line: line(extra.contents?.range?.[0]), message: 'only the first YAML document is read (kube-apiserver ignores the others)' });

  const decoded = decodePolicy(value, file, lineOf);
  warnings.push(...decoded.warnings);
  warnings.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  if (!decoded.policy) return { errors: decoded.errors, warnings };
  // A field of the wrong type is reported once, not again by validation (e.g. as a missing level).
  const bad = decoded.badPaths;
  const invalid = validatePolicy(decoded.policy, lineOf).filter((e) => !bad.some((p) => e.message.startsWith(`${p}:`) || e.message.startsWith(`${p}[`) || e.message.startsWith(`${p}.`)));
  const errors = [...decoded.errors, ...invalid].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  if (errors.length > 0) return { decoded: decoded.policy, errors, warnings };
  return { policy: decoded.policy, decoded: decoded.policy, errors, warnings };
}

/** A document with nothing in it (`---` alone, comments only). */
function isEmpty(doc: Document): boolean {
  const c = doc.contents;
  return c === null || (isScalar(c) && c.value === null && (c.source ?? '') === '');
}

function keyText(key: unknown): string | undefined {
  return isScalar(key) ? String(key.value) : undefined;
}

function duplicateKeys(node: unknown, path: PathSeg[], report: (path: PathSeg[], offset: number) => void, depth = 0): void {
  if (depth > 64) return;
  if (isMap(node)) {
    const seen = new Set<string>();
    for (const pair of node.items) {
      const key = keyText(pair.key);
      if (key === undefined) continue;
      if (seen.has(key)) report([...path, key], (pair.key as Node).range?.[0] ?? 0);
      seen.add(key);
      duplicateKeys(pair.value, [...path, key], report, depth + 1);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => duplicateKeys(item, [...path, i], report, depth + 1));
  }
}
