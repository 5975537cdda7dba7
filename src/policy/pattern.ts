/**
 * Regular expressions users write in the config (credential name patterns): RE2 syntax,
 * matched case-insensitively anywhere in the text, in linear time (re2js), so that a pattern
 * such as `(a+)+$` cannot stall a scan on a long name.
 */
import { RE2JS } from 're2js';

export interface UserPattern {
  test(text: string): boolean;
}

/** The compiled pattern, or the reason it is not valid RE2. */
export function compileUserPattern(pattern: string): UserPattern | { error: string } {
  try {
    return RE2JS.compile(pattern, RE2JS.CASE_INSENSITIVE);
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}
