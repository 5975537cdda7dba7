/** An input the user can fix (a bad flag value, an unwritable directory): one line, no stack trace. */
export class InstallError extends Error {
  override name = 'InstallError';
}
