/**
 * `palisade scan --format kubesec`: the front that reads inputs the way `kubesec scan` does and
 * prints what it prints.
 *
 * Input handling mirrors kubesec (`pkg/ruler/ruleset.go:Run`, `cmd/scan.go`):
 * - an input is read whole; if the whole text is valid JSON it is ONE document (a `kind: List`
 *   is not expanded, nor is a top-level array);
 * - otherwise it is split on the exact bytes "\n---\n" (so `--- # comment`, `---\r\n` and `...`
 *   do not separate documents; a piece holding several YAML documents yields its first one),
 *   each piece is trimmed, pieces that are empty or just `---` are skipped, and an input whose
 *   last piece is empty before any report was made is "Invalid input";
 * - a comment-only piece is a document too (an empty one: object `Unknown`, score 0);
 * - a YAML syntax error stops the input: kubesec prints no JSON for it at all;
 * - `fileName` is the argument as typed (`--absolute-path`: made absolute), `STDIN` for `-`
 *   and `/dev/stdin`; files found by walking a directory argument are `<arg>/<relative path>`.
 *
 * Inputs are found with Palisade's collectInputs and each document is parsed with the
 * loader's parseYamlChunk (YAML 1.2 core schema, depth and alias limits). They are read whole
 * rather than through readUnits, because kubesec's document boundaries differ from the
 * loader's: readUnits splits on every marker line and drops comment-only documents, both of
 * which change kubesec's output.
 */
import { readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import jsYaml from 'js-yaml';
import { parseDocument } from 'yaml';
import {
  collectInputs,
  describeFsError,
  hasContent,
  parseYamlChunk,
  splitYamlDocuments,
  type DocChunk,
  type InputError,
} from '../../model/index.js';
import { KUBESEC_RULES, KUBESEC_RULES_BY_ID, type KubesecRule } from './rules.js';
import { kubesecScore, type KubesecResult, type KubesecRuleRef } from './score.js';

export { KUBESEC_RULES, KUBESEC_RULES_BY_ID, type KubesecRule } from './rules.js';
export { kubesecScore, kubesecObjectName, compareRuleRefs, NOT_SUPPORTED, type KubesecResult, type KubesecRuleRef, type KubesecScoring } from './score.js';
export { schemaMessage, hasSchema } from './schema.js';

export interface KubesecScanOptions {
  cwd: string;
  stdin?: NodeJS.ReadableStream;
  /** kubesec's `--absolute-path`: report file names as absolute paths. */
  absolutePath?: boolean;
  /** kubesec's `--rules A,B`: only these rule ids (unknown ids are an error). */
  rules?: readonly string[];
}

export interface KubesecScan {
  results: KubesecResult[];
  errors: InputError[];
}

/** kubesec's default `--exit-code`. */
export const KUBESEC_FAILURE_EXIT_CODE = 2;

/** The name kubesec reports for standard input. */
export const STDIN_FILE_NAME = 'STDIN';

/** Go's unicode.IsSpace, which bytes.TrimSpace uses: U+0085 is space, U+FEFF is not. */
function isGoSpace(c: number): boolean {
  return (c >= 0x09 && c <= 0x0d) || c === 0x20 || c === 0x85 || c === 0xa0 || c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000;
}

/** Go's bytes.TrimSpace, plus how many characters it took from the front. */
function goTrimSpace(text: string): { text: string; lead: number } {
  let start = 0;
  let end = text.length;
  while (start < end && isGoSpace(text.charCodeAt(start))) start++;
  while (end > start && isGoSpace(text.charCodeAt(end - 1))) end--;
  return { text: text.slice(start, end), lead: start };
}

function countNewlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** A loader error that only says the document is not an object: kubesec reports those. */
const NOT_AN_OBJECT = [/^document is not a Kubernetes object\b/, /^items\[\d+\] of .* is not an object$/];

/** Documents that declare anchors go through `yaml` (alias limit), as in the loader. */
const ANCHOR = /(?:^|[\s,[{])&[^\s,[\]{}]/m;

/** Same reading as the loader's (parse.ts), keeping the top-level value as it is. */
function loadRaw(text: string): unknown {
  if (text.includes('&') && ANCHOR.test(text)) {
    const doc = parseDocument(text, { uniqueKeys: false, prettyErrors: false, merge: true });
    if (doc.errors.length === 0) return doc.toJS({ maxAliasCount: 100 });
  }
  return jsYaml.load(text, { json: true, schema: jsYaml.CORE_SCHEMA });
}

type Loaded = { value: unknown } | { error: InputError };

/**
 * The first YAML document of one kubesec piece, decoded: what kubesec's YAML-to-JSON step
 * gives (null for a piece with no content, e.g. only comments).
 */
function loadPiece(text: string, startLine: number, fileName: string, doc: number): Loaded {
  const first = splitYamlDocuments(text).find((c) => hasContent(c.text));
  if (first === undefined) return { value: null };
  const chunk: DocChunk = { text: first.text, startLine: startLine + first.startLine - 1 };
  const parsed = parseYamlChunk(chunk, fileName, doc);
  const fatal = parsed.errors.find((e) => !NOT_AN_OBJECT.some((re) => re.test(e.message)));
  if (fatal) return { error: fatal };
  // The loader expands `*List` documents into their items; kubesec keeps the document whole.
  if (parsed.errors.length === 0 && parsed.resources.length === 1 && !chunk.text.includes('items')) {
    return { value: parsed.resources[0].object };
  }
  try {
    const value = loadRaw(chunk.text);
    return { value: value === undefined ? null : value };
  } catch (err) {
    return { error: { file: fileName, line: chunk.startLine, message: `invalid YAML: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}` } };
  }
}

/**
 * Scores one whole input the way kubesec's Run does. On a YAML error kubesec prints nothing
 * for the input, so the results are dropped and the error returned.
 */
export function kubesecScanText(text: string, fileName: string, rules: readonly KubesecRule[] = KUBESEC_RULES): KubesecScan {
  const body = text.replace(/^\uFEFF/, '');
  let json: { value: unknown } | undefined;
  try {
    json = { value: JSON.parse(body) };
  } catch {
    json = undefined;
  }
  if (json) return { results: [kubesecScore(json.value, fileName, rules)], errors: [] };

  const results: KubesecResult[] = [];
  const pieces = body.split('\n---\n');
  let line = 1;
  for (let i = 0; i < pieces.length; i++) {
    const raw = pieces[i];
    const pieceLine = line;
    line += countNewlines(raw) + 2; // the separator is "\n---\n"
    const { text: piece, lead } = goTrimSpace(raw);
    if (piece === '' || piece === '---') {
      if (i === pieces.length - 1 && results.length === 0) {
        return { results: [], errors: [{ file: fileName, message: 'Invalid input' }] };
      }
      continue;
    }
    const startLine = pieceLine + countNewlines(raw.slice(0, lead));
    const loaded = loadPiece(piece, startLine, fileName, results.length);
    if ('error' in loaded) return { results: [], errors: [loaded.error] };
    results.push(kubesecScore(loaded.value, fileName, rules));
  }
  return { results, errors: [] };
}

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const parts: Buffer[] = [];
  for await (const piece of stream as AsyncIterable<string | Buffer>) {
    parts.push(typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece);
  }
  return Buffer.concat(parts).toString('utf8');
}

/** Resolves `--rules` ids; unknown ids give kubesec's error. */
export function selectKubesecRules(ids: readonly string[] | undefined): { rules: readonly KubesecRule[]; error?: string } {
  if (ids === undefined || ids.length === 0) return { rules: KUBESEC_RULES };
  const unknown = ids.filter((id) => !KUBESEC_RULES_BY_ID.has(id));
  if (unknown.length > 0) return { rules: [], error: `invalid rule IDs requested: ${unknown.join(', ')}` };
  const wanted = new Set(ids);
  return { rules: KUBESEC_RULES.filter((r) => wanted.has(r.id)) };
}

/** One input to read: standard input, or a file with the name kubesec would print. */
type Source = { kind: 'stdin' } | { kind: 'file'; path: string; fileName: string };

/**
 * `kubesec scan <paths…>`: every document of every input, in order. Directory arguments are
 * walked for .yaml/.yml/.json files (a Palisade extension; kubesec takes one file).
 */
export async function kubesecScan(
  paths: string[],
  opts: KubesecScanOptions,
): Promise<KubesecScan> {
  if (paths.length === 0) return { results: [], errors: [{ file: '', message: 'file path is required' }] };
  const selected = selectKubesecRules(opts.rules);
  if (selected.error !== undefined) return { results: [], errors: [{ file: '', message: selected.error }] };

  const results: KubesecResult[] = [];
  const errors: InputError[] = [];
  const sources: Source[] = [];
  let stdinRead = false;
  for (const arg of paths) {
    if (isStdinArg(arg)) {
      if (!stdinRead) sources.push({ kind: 'stdin' });
      stdinRead = true;
      continue;
    }
    const abs = resolve(opts.cwd, arg);
    const found = await collectInputs([abs], opts.cwd);
    for (const e of found.errors) {
      errors.push({ ...e, file: e.file === abs || e.file === arg ? arg : e.file });
    }
    for (const input of found.inputs) {
      if (input.kind !== 'file') continue;
      const rel = relative(abs, input.path);
      const typed = rel === '' ? arg : join(arg, rel);
      sources.push({ kind: 'file', path: input.path, fileName: opts.absolutePath ? resolve(opts.cwd, typed) : typed });
    }
  }

  for (const source of sources) {
    let text: string;
    let fileName: string;
    try {
      if (source.kind === 'stdin') {
        fileName = STDIN_FILE_NAME;
        text = await readStream(opts.stdin ?? process.stdin);
      } else {
        fileName = source.fileName;
        text = (await readFile(source.path)).toString('utf8');
      }
    } catch (err) {
      errors.push({ file: source.kind === 'stdin' ? STDIN_FILE_NAME : source.fileName, message: describeFsError(err) });
      continue;
    }
    const scanned = kubesecScanText(text, fileName, selected.rules);
    errors.push(...scanned.errors);
    if (scanned.errors.length === 0 && scanned.results.length === 0) {
      errors.push({ file: fileName, message: `invalid input ${fileName}` });
    }
    results.push(...scanned.results);
  }
  return { results, errors };
}

/**
 * kubesec's exit status: 0 when every report scores above 0; otherwise `exitCode` (kubesec's
 * `--exit-code`, 2 by default) — score 0, unsupported kinds and invalid documents included.
 * Input errors (missing file, YAML syntax, no documents) are 1, as kubesec's command errors.
 */
export function kubesecExitCode(
  results: readonly KubesecResult[],
  opts: { exitCode?: number; errors?: readonly InputError[] } = {},
): number {
  if ((opts.errors?.length ?? 0) > 0 || results.length === 0) return 1;
  return results.some((r) => r.score <= 0) ? opts.exitCode ?? KUBESEC_FAILURE_EXIT_CODE : 0;
}

function orderedRef(r: KubesecRuleRef): KubesecRuleRef {
  return { id: r.id, selector: r.selector, reason: r.reason, points: r.points };
}

/** A result with kubesec's field order and omissions, whatever order it was built in. */
function ordered(r: KubesecResult): KubesecResult {
  const out: KubesecResult = { object: r.object, valid: r.valid, fileName: r.fileName } as KubesecResult;
  if (r.message !== undefined && r.message !== '') out.message = r.message;
  out.score = r.score;
  out.scoring = {};
  for (const key of ['critical', 'passed', 'advise'] as const) {
    const list = r.scoring[key];
    if (list && list.length > 0) out.scoring[key] = list.map(orderedRef);
  }
  return out;
}

/** Go's encoding/json escapes these even inside strings (HTML safety, JS line separators). */
const GO_ESCAPES: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/**
 * kubesec's JSON output: Go's json.Marshal then json.Indent with two spaces, then Println's
 * newline. Empty objects and arrays stay `{}` / `[]`.
 */
export function renderKubesec(results: readonly KubesecResult[]): string {
  const text = JSON.stringify(results.map(ordered), null, 2);
  return `${text.replace(/[<>&\u2028\u2029]/g, (c) => GO_ESCAPES[c])}\n`;
}

/** Everything the CLI needs for `--format kubesec`: what to print where, and the exit status. */
export async function kubesecCli(
  paths: string[],
  opts: KubesecScanOptions & { exitCode?: number },
): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  const { results, errors } = await kubesecScan(paths, opts);
  if (errors.length > 0) {
    // kubesec stops on these and prints no report.
    const stderr = errors.map((e) => `Error: ${e.file ? `${e.file}${e.line ? `:${e.line}` : ''}: ` : ''}${e.message}\n`).join('');
    return { stdout: '', stderr, exitCode: 1 };
  }
  return { stdout: renderKubesec(results), stderr: '', exitCode: kubesecExitCode(results, { exitCode: opts.exitCode }) };
}

/** Whether a path argument names standard input for kubesec. */
export function isStdinArg(arg: string): boolean {
  return arg === '-' || arg === '/dev/stdin';
}
