/**
 * cel-go's ext.Strings, version 2 as Kubernetes enables it since 1.29 (charAt, indexOf,
 * lastIndexOf, lowerAscii, upperAscii, replace, split, substring, trim, join, format,
 * strings.quote), implemented by @bufbuild/cel's `strings` extension through the bridge.
 */
import { importBuf } from '../bridge.js';
import type { Registry } from '../registry.js';

const NAMES = [
  'charAt', 'indexOf', 'lastIndexOf', 'lowerAscii', 'upperAscii', 'replace', 'split', 'substring', 'trim', 'join',
  'format', 'strings.quote',
];

export function registerStrings(reg: Registry): void {
  for (const name of NAMES) importBuf(reg, name);
}
