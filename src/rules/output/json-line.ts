/**
 * JSON text as Falco's writers produce it: object keys in byte order (nlohmann::json and
 * jsoncpp keep objects in a std::map), no spaces, non-ASCII left as is, and 64-bit integers
 * (bigint) printed exactly.
 */

export type JsonLike = string | number | bigint | boolean | null | undefined | readonly JsonLike[] | { readonly [key: string]: JsonLike };

function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Serialises with sorted keys; `undefined` members are left out, like JSON.stringify. */
export function jsonSorted(value: JsonLike): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'bigint':
      return value.toString();
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
  }
  if (Array.isArray(value)) return `[${value.map((v) => jsonSorted(v)).join(',')}]`;
  const obj = value as { readonly [key: string]: JsonLike };
  const members: string[] = [];
  for (const key of Object.keys(obj).sort(byteOrder)) {
    const v = obj[key];
    if (v !== undefined) members.push(`${JSON.stringify(key)}:${jsonSorted(v)}`);
  }
  return `{${members.join(',')}}`;
}
