/** Strings the rules engine compares with or looks up per event, prepared once at compile time. */

/**
 * The parser's literals and field names are slices of the rules file's text (V8 sliced
 * strings, which also keep the whole file alive): V8 compares and hashes a sliced string on
 * its slow path, so `=`, `in`, `startswith`… against one cost several times more than against
 * a flat string, and a property read with a key that is not internalized looks the key up in
 * V8's string table first, on every read. `internalize` makes them flat and internalized
 * (internalized strings are equal by identity).
 */
export { internalize } from '../model/own.js';
