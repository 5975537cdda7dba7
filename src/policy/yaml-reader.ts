/**
 * Walking a YAML document (`yaml` package, positions kept) with every problem reported as a
 * file:line InputError instead of thrown: shared by the config file readers.
 */
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node, type YAMLMap } from 'yaml';
import type { InputError } from '../model/index.js';

/** What the walkers need: the document, lines, and the error list. */
export class YamlCtx {
  constructor(
    readonly doc: Document,
    readonly text: string,
    readonly file: string,
    readonly lines: LineCounter,
    readonly errors: InputError[],
  ) {}

  /** Follows an alias to the node it names. */
  deref(node: unknown): Node | null {
    if (isAlias(node)) return (node.resolve(this.doc) as Node | undefined) ?? null;
    return (node as Node | null | undefined) ?? null;
  }

  lineOf(node: Node | null | undefined): number {
    const start = node?.range?.[0];
    return start === undefined ? 1 : this.lines.linePos(start).line;
  }

  error(node: Node | null | undefined, message: string): void {
    this.errors.push({ file: this.file, line: this.lineOf(node), message });
  }

  source(node: Node | null): string {
    const r = node?.range;
    return r ? this.text.slice(r[0], r[1]) : '';
  }

  scalarValue(node: Node | null): unknown {
    if (node === null) return null;
    return isScalar(node) ? node.value : node; // collections come back as nodes: never a string
  }

  describe(node: Node | null): string {
    if (node === null) return 'nothing';
    if (isMap(node)) return 'a mapping';
    if (isSeq(node)) return 'a list';
    if (isScalar(node)) {
      const v = node.value;
      if (v === null || v === undefined) return 'null';
      if (typeof v === 'string') return JSON.stringify(v);
      if (v instanceof Date) return `the timestamp ${this.source(node)}`;
      return `the ${typeof v} ${String(v)}`;
    }
    return 'an unsupported value';
  }

  enumValue<T extends string>(node: Node | null, label: string, allowed: readonly T[]): T | undefined {
    const v = this.scalarValue(node);
    if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
    this.error(node, `${label}: expected one of ${allowed.join(', ')} (got ${this.describe(node)})`);
    return undefined;
  }

  /**
   * The entries of a mapping whose keys are in `known`; reports the others (with a
   * did-you-mean for a case slip). Values are dereferenced.
   */
  *entries<K extends string>(
    map: YAMLMap,
    known: readonly K[],
    /** Where the mapping is, for messages: '' for the top level, 'pss', 'ignore[2]'. */
    where: string,
    suffix = '',
  ): Generator<{ key: K; keyNode: Node; value: Node | null }> {
    for (const pair of map.items) {
      const keyNode = this.deref(pair.key);
      const key = isScalar(keyNode) ? String(keyNode.value) : undefined;
      if (key === undefined || !(known as readonly string[]).includes(key)) {
        const shown = key !== undefined ? JSON.stringify(key) : this.describe(keyNode);
        const near = key !== undefined ? closest(key, known) : undefined;
        const hint = near ? `(did you mean "${near}"?)` : `(expected one of ${known.join(', ')})`;
        const head = where === '' ? `unknown top-level key ${shown}` : `${where}: unknown key ${shown}`;
        this.error(keyNode ?? (pair.value as Node | null), `${head} ${hint}${suffix}`);
        continue;
      }
      yield { key: key as K, keyNode: keyNode!, value: this.deref(pair.value) };
    }
  }
}

/** The known key a misspelt one was probably meant to be (case slips, up to 2 edits). */
function closest(key: string, known: readonly string[]): string | undefined {
  const k = key.toLowerCase();
  let best: string | undefined;
  let bestDist = 3;
  for (const cand of known) {
    const d = editDistance(k, cand.toLowerCase());
    if (d < bestDist && d < cand.length) {
      best = cand;
      bestDist = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/**
 * A list of strings (a single string is accepted as a list of one). `problem`, when given, is
 * asked about each string: what it answers is reported at that string's own line, as
 * `label: answer`, and the string is left out.
 */
export function readStringList(ctx: YamlCtx, node: Node | null, label: string, problem?: (value: string) => string | undefined): string[] | undefined {
  const single = ctx.scalarValue(node);
  if (typeof single === 'string') return accepted(ctx, node, label, single, problem) ? [single] : [];
  if (!isSeq(node)) {
    ctx.error(node, `${label}: expected a list of strings (got ${ctx.describe(node)})`);
    return undefined;
  }
  const out: string[] = [];
  node.items.forEach((item, i) => {
    const v = ctx.scalarValue(ctx.deref(item as Node | null));
    if (typeof v !== 'string' || v.trim() === '') ctx.error(item as Node, `${label}[${i}]: expected a non-empty string (got ${ctx.describe(item as Node | null)}); skipped`);
    else if (accepted(ctx, item as Node, label, v.trim(), problem)) out.push(v.trim());
  });
  return out;
}

function accepted(ctx: YamlCtx, at: Node | null, label: string, value: string, problem?: (value: string) => string | undefined): boolean {
  const found = problem?.(value);
  if (found !== undefined) ctx.error(at, `${label}: ${found}`);
  return found === undefined;
}
