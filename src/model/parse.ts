/**
 * Turns document text into Resources. YAML goes through js-yaml (fast, no positions);
 * documents that declare anchors go through `yaml` instead, whose alias limit stops
 * "billion laughs" expansion. Positions are resolved later, only when needed (locate.ts).
 */
import jsYaml from 'js-yaml';
import { parseDocument } from 'yaml';
import { JsonFileLocator, YamlLocator, type Locator } from './locate.js';
import { lineOfOffset } from './lines.js';
import { Resource, type Origin } from './resource.js';
import { hasContent, splitYamlDocuments, type DocChunk } from './split.js';
import type { InputError, JsonPath, KubeObject } from './types.js';

/** Deeper than any real manifest; deep enough to refuse hostile input before walkers recurse. */
export const MAX_DEPTH = 256;

export interface ParseResult {
  resources: Resource[];
  errors: InputError[];
}

/**
 * Kubernetes decodes YAML into JSON values: no timestamps, no binary, so the core schema
 * (null, bool, int, float, str) is the faithful one, and the cheaper one.
 */
const K8S_SCHEMA = jsYaml.CORE_SCHEMA;

const ANCHOR = /(?:^|[\s,[{])&[^\s,[\]{}]/m;
const HELM_SOURCE = /^# Source: (\S.*?)\s*$/m;

/** Parses one YAML document chunk of `file`. `doc` is the document's index in the file. */
export function parseYamlChunk(chunk: DocChunk, file: string, doc: number): ParseResult {
  const { text, startLine, source } = chunk;
  let value: unknown;
  const anchored = text.includes('&') && ANCHOR.test(text);
  try {
    value = anchored ? parseWithAliasLimit(text) : jsYaml.load(text, { json: true, maxDepth: MAX_DEPTH, schema: K8S_SCHEMA } as jsYaml.LoadOptions);
  } catch (err) {
    return { resources: [], errors: [yamlError(err, file, startLine)] };
  }
  const origin: Origin = { file, doc };
  const helm = text.includes('# Source: ') ? HELM_SOURCE.exec(text) : null;
  if (helm && helm.index < firstContentIndex(text)) {
    origin.helm = { template: helm[1], commentLine: startLine + lineOfOffset(text, helm.index) - 1 };
  }
  // js-yaml enforces the depth limit while parsing; alias expansion (yaml) is checked after.
  const rootLine = startLine + leadingLines(text);
  return toResources(value, origin, (base) => new YamlLocator(text, startLine, base, rootLine, source), rootLine, anchored ? 'shared' : 'none');
}

/**
 * Parses a whole JSON text (a file, or all of stdin), or one List item cut out of a file
 * (then `firstLine` is where the item starts in that file).
 */
export function parseJsonText(text: string, file: string, firstLine = 1): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    if (looksLikeYamlFlow(text)) return parseYamlText(text, file);
    const msg = err instanceof Error ? err.message : String(err);
    const pos = /position (\d+)/.exec(msg);
    const line = pos ? lineOfOffset(text, Number(pos[1])) + firstLine - 1 : undefined;
    return { resources: [], errors: [{ file, line, message: `invalid JSON: ${msg.replace(/ in JSON at position \d+.*$/, '')}` }] };
  }
  const locator = new JsonFileLocator(text, value, firstLine);
  return toResources(value, { file, doc: 0 }, (base) => locator.at(base), firstLine, 'tree');
}

/** Text that starts with `{` or `[` but is really YAML (flow style, or several documents). */
function looksLikeYamlFlow(text: string): boolean {
  return /\n---\s*\n/.test(text) || /^\s*[{[][^"]*?[A-Za-z_]+\s*:/.test(text.slice(0, 200));
}

/** Parses a whole YAML text held in memory (small inputs, tests). */
export function parseYamlText(text: string, file: string): ParseResult {
  const out: ParseResult = { resources: [], errors: [] };
  let doc = 0;
  for (const chunk of splitYamlDocuments(text)) {
    if (!hasContent(chunk.text)) continue;
    const r = parseYamlChunk(chunk, file, doc++);
    out.resources.push(...r.resources);
    out.errors.push(...r.errors);
  }
  return out;
}

function parseWithAliasLimit(text: string): unknown {
  const doc = parseDocument(text, { uniqueKeys: false, prettyErrors: false, merge: true });
  if (doc.errors.length > 0) throw doc.errors[0];
  return doc.toJS({ maxAliasCount: 100 });
}

function toResources(
  value: unknown,
  origin: Origin,
  locatorAt: (base: JsonPath) => Locator,
  firstLine: number,
  /** 'none': the parser enforced the depth already; 'tree': plain JSON; 'shared': aliases may share objects. */
  depthCheck: 'none' | 'tree' | 'shared',
): ParseResult {
  if (value === null || value === undefined) return { resources: [], errors: [] };
  if (depthCheck !== 'none' && value !== null && typeof value === 'object' && depthExceeds(value, MAX_DEPTH, depthCheck === 'shared')) {
    return { resources: [], errors: [{ file: origin.file, line: firstLine, message: `document nests deeper than ${MAX_DEPTH} levels; refusing to scan it` }] };
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    return { resources: [], errors: [{ file: origin.file, line: firstLine, message: `document is not a Kubernetes object (found ${Array.isArray(value) ? 'a list' : typeof value})` }] };
  }
  const obj = value as KubeObject;
  if (isList(obj)) {
    const resources: Resource[] = [];
    const errors: InputError[] = [];
    (obj.items as unknown[]).forEach((item, i) => {
      if (item && typeof item === 'object' && !Array.isArray(item)) {
        resources.push(new Resource(item as KubeObject, origin, locatorAt(['items', i])));
      } else {
        errors.push({ file: origin.file, line: locatorAt(['items', i]).lineOf([]), message: `items[${i}] of ${String(obj.kind)} is not an object` });
      }
    });
    return { resources, errors };
  }
  return { resources: [new Resource(obj, origin, locatorAt([]))], errors: [] };
}

/** `kind: List` and every `*List` kind with an items array (PodList, DeploymentList…). */
function isList(obj: KubeObject): boolean {
  return typeof obj.kind === 'string' && obj.kind.endsWith('List') && Array.isArray(obj.items);
}

/**
 * Iterative, so that hostile nesting cannot overflow the stack here. Values built by
 * `yaml` may share objects through aliases (visit each once); JSON.parse never shares.
 */
function depthExceeds(value: unknown, max: number, shared: boolean): boolean {
  const values: unknown[] = [value];
  const depths: number[] = [1];
  const seen = shared ? new Set<object>() : undefined;
  while (values.length > 0) {
    const v = values.pop() as object;
    const d = depths.pop()!;
    if (d > max) return true;
    if (seen) {
      if (seen.has(v)) continue;
      seen.add(v);
    }
    if (Array.isArray(v)) {
      for (const child of v) if (child !== null && typeof child === 'object') { values.push(child); depths.push(d + 1); }
    } else {
      for (const key in v) {
        const child = (v as Record<string, unknown>)[key];
        if (child !== null && typeof child === 'object') { values.push(child); depths.push(d + 1); }
      }
    }
  }
  return false;
}

function yamlError(err: unknown, file: string, startLine: number): InputError {
  if (err instanceof RangeError) {
    return { file, line: startLine, message: `document nests too deeply to parse; refusing to scan it` };
  }
  // js-yaml: err.mark.line (0-based) and err.reason; yaml: err.linePos[0].line (1-based)
  const e = err as { mark?: { line: number }; reason?: string; linePos?: Array<{ line: number }>; code?: string; message?: string };
  if (e.mark && typeof e.mark.line === 'number') {
    if (e.reason?.startsWith('nesting exceeded maxDepth')) {
      return { file, line: startLine + e.mark.line, message: `document nests deeper than ${MAX_DEPTH} levels; refusing to scan it` };
    }
    return { file, line: startLine + e.mark.line, message: `invalid YAML: ${e.reason ?? 'syntax error'}` };
  }
  if (e.linePos && e.linePos[0]) {
    const reason = (e.message ?? 'syntax error').split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    return { file, line: startLine + e.linePos[0].line - 1, message: `invalid YAML: ${reason}` };
  }
  const message = (e.message ?? String(err)).split('\n')[0];
  return { file, line: startLine, message: `invalid YAML: ${message}` };
}

function firstContentIndex(text: string): number {
  const m = /^(?!\s*#|\s*$|---\s*$)/m.exec(text);
  return m ? m.index : text.length;
}

function leadingLines(text: string): number {
  return lineOfOffset(text, firstContentIndex(text)) - 1;
}

