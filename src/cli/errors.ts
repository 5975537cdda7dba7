/** A wrong flag value: one line on stderr, exit 2. */
export class UsageError extends Error {}

/** A failure the user can act on (cannot open the database, cannot listen): one line, exit 2. */
export class FatalError extends Error {}
