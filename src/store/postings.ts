/**
 * The SQLite layout's indexes: posting lists. `postings` has one row per (field value, block)
 * — "block B holds events with user 17" — keyed (key, t_min, block), so the blocks holding a
 * value are read in time order. A query reads the blocks of its most selective filter's
 * values and checks every filter on each event of them (see scan.ts): a posting only says a
 * block may hold matches, never that an event matches, so a key may stand for more than one
 * value (object keys are hashes).
 *
 * key = value * FIELDS + field: values are dictionary or set ids, codes, or object hashes.
 */
import { objectHash, F_CODE, U_API_GROUP, U_AGENT, U_GROUPS, U_IPS, U_NAME, U_NAMESPACE, U_RESOURCE, U_SUBRESOURCE, U_USER, U_VERB, U_DECISION, type Columns } from './block.js';
import { isDenied, WRITE_VERB_IDS } from './schema.js';

export const FIELDS = 16;
export const P_USER = 0;
export const P_VERB = 1;
export const P_RESOURCE = 2;
export const P_SUBRESOURCE = 3;
export const P_API_GROUP = 4;
export const P_NAMESPACE = 5;
export const P_NAME = 6;
export const P_AGENT = 7;
export const P_CODE = 8;
/** Denied requests (decision forbid, or code 401/403): one key. */
export const P_DENIED = 9;
export const P_GROUPS = 10;
export const P_IPS = 11;
/** Writes (WRITE_VERBS) to one object (resource, namespace, name): who-touched's list. */
export const P_OBJECT_WRITE = 12;

export function postingKey(field: number, value: number): number {
  return value * FIELDS + field;
}

/** Codes with a posting list (any other number is still stored and found, by a scan). */
export function postedCode(code: number): boolean {
  return Number.isInteger(code) && code >= 0 && code < 2 ** 31;
}

const WRITE = new Set(WRITE_VERB_IDS);

/** Adds the posting keys of event i of a block to `into`. */
function addEventKeys(c: Columns, i: number, into: Set<number>): void {
  const verb = c.u[U_VERB][i];
  const code = c.f[F_CODE][i];
  into.add(postingKey(P_USER, c.u[U_USER][i]));
  into.add(postingKey(P_VERB, verb));
  into.add(postingKey(P_RESOURCE, c.u[U_RESOURCE][i]));
  into.add(postingKey(P_SUBRESOURCE, c.u[U_SUBRESOURCE][i]));
  into.add(postingKey(P_API_GROUP, c.u[U_API_GROUP][i]));
  into.add(postingKey(P_NAMESPACE, c.u[U_NAMESPACE][i]));
  into.add(postingKey(P_NAME, c.u[U_NAME][i]));
  into.add(postingKey(P_AGENT, c.u[U_AGENT][i]));
  into.add(postingKey(P_GROUPS, c.u[U_GROUPS][i]));
  into.add(postingKey(P_IPS, c.u[U_IPS][i]));
  if (postedCode(code)) into.add(postingKey(P_CODE, code));
  if (isDenied(c.u[U_DECISION][i], code)) into.add(postingKey(P_DENIED, 0));
  if (WRITE.has(verb)) {
    into.add(postingKey(P_OBJECT_WRITE, objectHash(c.u[U_RESOURCE][i], c.u[U_NAMESPACE][i], c.u[U_NAME][i])));
  }
}

/** The posting keys of a whole block. */
export function blockKeys(c: Columns): Set<number> {
  const keys = new Set<number>();
  for (let i = 0; i < c.n; i++) addEventKeys(c, i, keys);
  return keys;
}
