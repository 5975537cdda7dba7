/**
 * Reads policies, bindings, parameter objects and resources from YAML or JSON files with the
 * project's loader (src/model: multi-document YAML, JSON, `kind: List`, positions kept), and
 * checks policies and bindings (structure and every CEL expression) so that each problem is
 * one line naming file:line.
 */
import { readFileSync } from 'node:fs';
import { collectInputs, describeFsError, parseJsonText, parseYamlText, type ParseResult, type Resource } from '../../model/index.js';
import { compiledPolicy } from './evaluate.js';
import { fieldString, type FieldError } from './field.js';
import { validateBindingObject, validatePolicyObject } from './validate.js';
import type { JsonObject, VapProblem } from './types.js';

export const POLICY_KIND = 'ValidatingAdmissionPolicy';
export const BINDING_KIND = 'ValidatingAdmissionPolicyBinding';
export const ADMISSIONREGISTRATION = 'admissionregistration.k8s.io';
const API_VERSIONS = ['v1', 'v1beta1', 'v1alpha1'].map((v) => `${ADMISSIONREGISTRATION}/${v}`);

export interface Loaded {
  resource: Resource;
  object: JsonObject;
}

export interface LoadResult {
  objects: Loaded[];
  errors: VapProblem[];
}

/** Reads one file ('-' is standard input) into objects; read and parse errors are problems. */
export function loadFile(path: string, readStdin: () => string = () => readFileSync(0, 'utf8'), shown?: string): LoadResult {
  const display = shown ?? (path === '-' ? '<stdin>' : path);
  let text: string;
  try {
    text = path === '-' ? readStdin() : readFileSync(path, 'utf8');
  } catch (err) {
    return { objects: [], errors: [{ file: display, message: describeFsError(err) }] };
  }
  text = text.replace(/^\uFEFF/, '');
  const first = /\S/.exec(text)?.[0];
  let parsed: ParseResult;
  try {
    parsed = first === '{' || first === '[' ? parseJsonText(text, display) : parseYamlText(text, display);
  } catch (err) {
    return { objects: [], errors: [{ file: display, message: `cannot parse: ${err instanceof Error ? err.message : String(err)}` }] };
  }
  return {
    objects: parsed.resources.map((r) => ({ resource: r, object: r.object as JsonObject })),
    errors: parsed.errors.map((e) => ({ file: e.file, line: e.line, message: e.message })),
  };
}

/**
 * Files, directories (walked for .yaml/.yml/.json, as `palisade scan` walks them) and '-':
 * the project's input collection, then each file read as loadFile does.
 */
export async function loadInputs(args: readonly string[], readStdin?: () => string): Promise<LoadResult> {
  const out: LoadResult = { objects: [], errors: [] };
  if (args.length === 0) return out;
  const collected = await collectInputs(args);
  out.errors.push(...collected.errors.map((e) => ({ file: e.file, line: e.line, message: e.message })));
  let stdinText: string | undefined;
  const stdin = (): string => (stdinText ??= (readStdin ?? (() => readFileSync(0, 'utf8')))());
  for (const input of collected.inputs) {
    const r = input.kind === 'stdin' ? loadFile('-', stdin) : loadFile(input.path, stdin, input.display);
    out.objects.push(...r.objects);
    out.errors.push(...r.errors);
  }
  return out;
}

export function loadFiles(paths: readonly string[], readStdin?: () => string): LoadResult {
  const out: LoadResult = { objects: [], errors: [] };
  for (const p of paths) {
    const r = loadFile(p, readStdin);
    out.objects.push(...r.objects);
    out.errors.push(...r.errors);
  }
  return out;
}

export const isPolicy = (o: JsonObject): boolean => o.kind === POLICY_KIND && typeof o.apiVersion === 'string' && o.apiVersion.startsWith(`${ADMISSIONREGISTRATION}/`);
export const isBinding = (o: JsonObject): boolean => o.kind === BINDING_KIND && typeof o.apiVersion === 'string' && o.apiVersion.startsWith(`${ADMISSIONREGISTRATION}/`);

/** `kind/name` for messages. */
export function describe(l: Loaded): string {
  return `${l.resource.kind || '<no kind>'}/${l.resource.name || '<no name>'}`;
}

function problem(l: Loaded, e: FieldError): VapProblem {
  return { file: l.resource.file, line: l.resource.lineOf([...e.path]), object: describe(l), field: fieldString(e.path), message: e.message };
}

export interface CheckResult {
  errors: VapProblem[];
  warnings: VapProblem[];
}

function versionWarning(l: Loaded): VapProblem[] {
  const av = l.object.apiVersion;
  if (typeof av === 'string' && !API_VERSIONS.includes(av)) {
    return [{ file: l.resource.file, line: l.resource.line, object: describe(l), field: 'apiVersion', message: `unknown version ${JSON.stringify(av)}; read as admissionregistration.k8s.io/v1` }];
  }
  return [];
}

/** Validation and compilation of a policy, as problems at file:line. */
export function checkPolicy(l: Loaded): CheckResult {
  const v = validatePolicyObject(l.object);
  const compiled = compiledPolicy(l.object);
  const seen = new Set(v.errors.map((e) => fieldString(e.path)));
  // Expressions the structural check already reported (empty ones) are not compiled twice.
  const compileErrors = compiled.errors.filter((e) => !seen.has(fieldString(e.path)));
  return {
    errors: [...v.errors, ...compileErrors].map((e) => problem(l, e)),
    warnings: [...versionWarning(l), ...v.warnings.map((e) => problem(l, e))],
  };
}

export function checkBinding(l: Loaded): CheckResult {
  const v = validateBindingObject(l.object);
  return { errors: v.errors.map((e) => problem(l, e)), warnings: [...versionWarning(l), ...v.warnings.map((e) => problem(l, e))] };
}
