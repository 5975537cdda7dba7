/**
 * Finds the input files: named files, directories walked recursively for .yaml/.yml/.json,
 * and `-` for standard input. Problems (missing, unreadable, loops) become InputErrors.
 */
import { opendir, realpath, stat } from 'node:fs/promises';
import { join, relative, isAbsolute } from 'node:path';
import type { InputError } from './types.js';

export type InputSource = { kind: 'file'; path: string; display: string } | { kind: 'stdin'; display: string };

const MANIFEST_EXT = /\.(ya?ml|json)$/i;

export interface CollectResult {
  inputs: InputSource[];
  errors: InputError[];
  /** Things skipped on purpose (a symlink loop is walked once, not forever). */
  warnings: string[];
}

export async function collectInputs(args: readonly string[], cwd = process.cwd()): Promise<CollectResult> {
  const inputs: InputSource[] = [];
  const errors: InputError[] = [];
  const warnings: string[] = [];
  const seenFiles = new Set<string>();
  for (const arg of args) {
    if (arg === '-') {
      inputs.push({ kind: 'stdin', display: '<stdin>' });
      continue;
    }
    let st;
    try {
      st = await stat(arg);
    } catch (err) {
      errors.push({ file: arg, message: describeFsError(err) });
      continue;
    }
    if (st.isDirectory()) {
      await walk(arg, new Set(), inputs, { errors, warnings }, seenFiles, cwd);
    } else {
      await addFile(arg, inputs, seenFiles, cwd);
    }
  }
  return { inputs, errors, warnings };
}

async function addFile(path: string, inputs: InputSource[], seen: Set<string>, cwd: string): Promise<void> {
  let real = path;
  try { real = await realpath(path); } catch { /* reported when read */ }
  if (seen.has(real)) return;
  seen.add(real);
  inputs.push({ kind: 'file', path, display: displayPath(path, cwd) });
}

async function walk(
  dir: string,
  ancestors: Set<string>,
  inputs: InputSource[],
  problems: { errors: InputError[]; warnings: string[] },
  seenFiles: Set<string>,
  cwd: string,
): Promise<void> {
  const { errors } = problems;
  let real: string;
  try {
    real = await realpath(dir);
  } catch (err) {
    errors.push({ file: displayPath(dir, cwd), message: describeFsError(err) });
    return;
  }
  if (ancestors.has(real)) {
    problems.warnings.push(`${displayPath(dir, cwd)}: directory loop through a symbolic link; not followed again`);
    return;
  }
  const here = new Set(ancestors).add(real);
  let entries: string[] = [];
  try {
    const d = await opendir(dir);
    for await (const e of d) entries.push(e.name);
  } catch (err) {
    errors.push({ file: displayPath(dir, cwd), message: describeFsError(err) });
    return;
  }
  entries = entries.filter((n) => !n.startsWith('.') && n !== 'node_modules').sort();
  for (const name of entries) {
    const path = join(dir, name);
    let st;
    try {
      st = await stat(path);
    } catch (err) {
      errors.push({ file: displayPath(path, cwd), message: describeFsError(err) });
      continue;
    }
    if (st.isDirectory()) await walk(path, here, inputs, problems, seenFiles, cwd);
    else if (st.isFile() && MANIFEST_EXT.test(name)) await addFile(path, inputs, seenFiles, cwd);
  }
}

export function displayPath(path: string, cwd: string): string {
  if (!isAbsolute(path)) return path.replace(/\\/g, '/');
  const rel = relative(cwd, path);
  return rel.startsWith('..') ? path : rel.replace(/\\/g, '/');
}

/** The error's code (`ENOENT`, `EADDRINUSE`…), or its message when it has none: short, for one-line errors. */
export function errorCode(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code ?? (err instanceof Error ? err.message : String(err));
}

export function describeFsError(err: unknown): string {
  const code = (err as { code?: string }).code;
  switch (code) {
    case 'ENOENT': return 'no such file or directory';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'EISDIR': return 'is a directory';
    case 'ELOOP': return 'too many levels of symbolic links';
    case 'ENOTDIR': return 'not a directory';
    default: return err instanceof Error ? err.message : String(err);
  }
}
