/** A wrong flag value: one line on stderr, exit 2. */
export class UsageError extends Error {}
