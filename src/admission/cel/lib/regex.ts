/**
 * Kubernetes' regex library (k8s.io/apiserver/pkg/cel/library/regex.go): `s.find(re)` and
 * `s.findAll(re[, limit])`, with Go's RE2 semantics (see ../regex.ts).
 */
import { compileRe2, findAll, findFirst } from '../regex.js';
import type { Registry } from '../registry.js';
import { T } from '../types.js';

export function registerRegex(reg: Registry): void {
  reg.method('find', T.string, [T.string], T.string, (s: string, re: string) => findFirst(compileRe2(re), s));
  reg.method('findAll', T.string, [T.string], T.list(T.string), (s: string, re: string) => findAll(compileRe2(re), s, -1));
  reg.method('findAll', T.string, [T.string, T.int], T.list(T.string), (s: string, re: string, n: bigint) =>
    findAll(compileRe2(re), s, n < 0n ? -1 : Number(n > 1_000_000n ? 1_000_000n : n)));
}
