/** An input the user can fix (a bad flag value, an unwritable directory): one line, no stack trace. */
export class InstallError extends Error {
  override name = 'InstallError';
}

/** `ENOENT`-style code of a file-system error, or its message. */
export function fsReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e?.code ?? (err instanceof Error ? err.message : String(err));
}
