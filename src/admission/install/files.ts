/**
 * Writing a set of generated files into one directory, all or nothing: existing files are
 * refused unless `force`, private keys are created 0600 (never chmod-ed after the fact), and
 * a failure part-way removes what was written.
 */
import { lstatSync, mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { errorCode } from '../../model/index.js';
import { InstallError } from './errors.js';

export interface OutputFile {
  name: string;
  content: string;
  /** 0o600 for keys, 0o644 otherwise. */
  mode: number;
}

export interface WrittenFile {
  path: string;
  mode: number;
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** Writes `files` into `dir` (created 0700 when missing). `flag` names the option in errors (`--out`). */
export function writeFiles(dir: string, files: readonly OutputFile[], opts: { force: boolean; flag: string }): WrittenFile[] {
  const abs = resolve(dir);
  try {
    mkdirSync(abs, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new InstallError(`${opts.flag} ${dir}: cannot create the directory (${errorCode(err)})`);
  }
  let present: string[];
  try {
    present = files.filter((f) => exists(join(abs, f.name))).map((f) => f.name);
  } catch (err) {
    throw new InstallError(`${opts.flag} ${dir}: cannot look into the directory (${errorCode(err)})`);
  }
  if (present.length > 0 && !opts.force) {
    throw new InstallError(`${opts.flag} ${dir}: ${present.join(', ')} already exist${present.length === 1 ? 's' : ''} (use --force to overwrite)`);
  }
  const written: WrittenFile[] = [];
  let current = '';
  try {
    for (const f of files) {
      current = f.name;
      const path = join(abs, f.name);
      // Replaced, not rewritten: the new file gets its own mode, and a symlink is not followed.
      if (present.includes(f.name)) unlinkSync(path);
      writeFileSync(path, f.content, { mode: f.mode, flag: 'wx' });
      written.push({ path, mode: f.mode });
    }
  } catch (err) {
    for (const w of written) {
      try {
        unlinkSync(w.path);
      } catch {
        // best effort: the error below is what the user needs
      }
    }
    throw new InstallError(`${opts.flag} ${dir}: cannot write ${current} (${errorCode(err)})`);
  }
  return written;
}
