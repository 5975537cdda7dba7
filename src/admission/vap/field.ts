/**
 * Field errors spelled as k8s.io/apimachinery's field.Error prints them, so a policy that
 * Palisade rejects reads like kube-apiserver's rejection of it:
 *   spec.validations[0].reason: Unsupported value: "Nope": supported values: "Forbidden", …
 */

export type FieldPath = readonly (string | number)[];

export interface FieldError {
  path: FieldPath;
  message: string;
}

export function fieldString(path: FieldPath): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? p : `.${p}`;
  }
  return out;
}

/** Go's %#v / %q rendering of the values these errors quote. */
export function goValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return `[]string{${v.map((x) => JSON.stringify(x)).join(', ')}}`;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v);
}

export const required = (path: FieldPath, detail = ''): FieldError => ({ path, message: detail ? `Required value: ${detail}` : 'Required value' });
export const invalid = (path: FieldPath, value: unknown, detail: string): FieldError => ({ path, message: `Invalid value: ${goValue(value)}: ${detail}` });
export const notSupported = (path: FieldPath, value: unknown, supported: readonly string[]): FieldError => ({
  path, message: `Unsupported value: ${goValue(value)}: supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}`,
});
export const duplicate = (path: FieldPath, value: unknown): FieldError => ({ path, message: `Duplicate value: ${goValue(value)}` });
export const forbidden = (path: FieldPath, detail: string): FieldError => ({ path, message: `Forbidden: ${detail}` });
export const tooMany = (path: FieldPath, actual: number, max: number): FieldError => ({ path, message: `Too many: ${actual}: must have at most ${max} items` });
export const wrongType = (path: FieldPath, value: unknown, want: string): FieldError => ({ path, message: `Invalid value: ${goValue(value)}: must be ${want}` });
