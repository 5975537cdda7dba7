/** Strings the rules engine compares with or looks up per event, prepared once at compile time. */

/**
 * The same text as an internalized string. The parser's literals and field names are slices
 * of the rules file's text (V8 sliced strings, which also keep the whole file alive): V8
 * compares and hashes a sliced string on its slow path, so `=`, `in`, `startswith`… against
 * one cost several times more than against a flat string, and a property read with a key that
 * is not internalized looks the key up in V8's string table first, on every read. A property
 * name is flattened and internalized (and internalized strings are equal by identity).
 */
export function internalize(s: string): string {
  const holder: Record<string, true> = Object.create(null) as Record<string, true>;
  holder[s] = true;
  for (const key in holder) return key;
  return s;
}
