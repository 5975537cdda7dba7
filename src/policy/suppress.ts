/**
 * Marks findings the user chose to accept, from the `palisade.dev/ignore` annotation or
 * from `ignore:` entries in the config file. Suppressed findings are kept (reporters show
 * or count them); only their `suppressed` flag and `suppression` change.
 */
import picomatch from 'picomatch';
import { NO_ITEMS, type Finding, type ObjectMeta, type Resource } from '../model/index.js';
import type { IgnoreRule, PalisadeConfig } from './config.js';

export const IGNORE_ANNOTATION = 'palisade.dev/ignore';
export const IGNORE_REASON_ANNOTATION = 'palisade.dev/ignore-reason';
export const DEFAULT_ANNOTATION_REASON = 'suppressed by palisade.dev/ignore annotation';

type Matcher = (s: string) => boolean;

const checkMatchers = new Map<string, Matcher>();
const MAX_CACHED = 1000;

/**
 * True when `pattern` selects check `id`: `*` and `all` select every check; otherwise an
 * exact id or a glob in which `*` may also cross `/` (`pss/*` selects
 * `pss/restricted/runAsNonRoot`), with `?`, `[...]` and `{a,b}`. Case-sensitive.
 */
export function matchesCheck(pattern: string, id: string): boolean {
  const p = pattern.trim();
  if (p === '*' || p === '**' || p.toLowerCase() === 'all') return true;
  if (p === id) return true;
  if (!/[*?[\]{}]/.test(p)) return false;
  let m = checkMatchers.get(p);
  if (!m) {
    m = compile(p, { bash: true });
    if (checkMatchers.size >= MAX_CACHED) checkMatchers.clear();
    checkMatchers.set(p, m);
  }
  return m(id);
}

function compile(pattern: string, extra: picomatch.PicomatchOptions = {}): Matcher {
  try {
    return picomatch(pattern, { dot: true, ...extra });
  } catch {
    return (s) => s === pattern; // a pattern picomatch refuses only matches itself
  }
}

/** The check patterns in an ignore annotation value: comma- (or space-) separated. */
export function parseIgnoreAnnotation(value: string): string[] {
  return value.split(/[\s,]+/).filter((p) => p !== '');
}

/** Whether `rule` has expired at `now` (a rule without `expires` never does). */
export function isExpired(rule: IgnoreRule, now: Date): boolean {
  return rule.expires !== undefined && now.getTime() > rule.expires.getTime();
}

/** Resource files compared with `file:` globs: forward slashes, no leading `./`. */
function normalizeFile(path: string): string {
  return path.replace(/\\/g, '/').replace(/^(?:\.\/)+/, '');
}

interface CompiledRule {
  rule: IgnoreRule;
  namespace?: Matcher;
  name?: Matcher;
  file?: Matcher;
  /** Expired rules do not suppress; they are kept to be warned about. */
  expired: boolean;
  reason: string;
}

function compileRule(rule: IgnoreRule, now: Date): CompiledRule {
  const c: CompiledRule = { rule, expired: isExpired(rule, now), reason: rule.reason?.trim() || defaultRuleReason(rule) };
  if (rule.namespace !== undefined) c.namespace = compile(rule.namespace);
  if (rule.name !== undefined) c.name = compile(rule.name);
  if (rule.file !== undefined) c.file = compile(normalizeFile(rule.file));
  return c;
}

function defaultRuleReason(rule: IgnoreRule): string {
  return rule.source ? `suppressed by ${rule.source.file}:${rule.source.line}` : 'suppressed by config';
}

/** Whether the rule's filters select this finding (ignoring expiry); all it needs is the finding's resource. */
function ruleSelects(c: CompiledRule, finding: Finding): boolean {
  const resource = finding.resource;
  if (!matchesCheck(c.rule.check, finding.check)) return false;
  if (c.rule.kind !== undefined && c.rule.kind !== resource.kind) return false;
  if (c.namespace) {
    const ns = resource.namespace;
    if (ns === undefined || !c.namespace(ns)) return false;
  }
  if (c.name && !c.name(resource.name)) return false;
  if (c.file && !c.file(normalizeFile(resource.file))) return false;
  return true;
}

/** One metadata's ignore annotation, parsed (plain data: it may cross to another thread). */
export interface AnnotationIgnore {
  patterns: string[];
  reason?: string;
}

function annotationString(meta: ObjectMeta | undefined, key: string): string | undefined {
  const ann = meta?.annotations;
  if (!ann || typeof ann !== 'object' || Array.isArray(ann)) return undefined;
  const v: unknown = (ann as Record<string, unknown>)[key];
  if (typeof v === 'string') return v;
  // Unquoted YAML scalars (`true`, `1`) are not valid annotations, but the intent is clear.
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** The ignore annotations on the object itself, then on its pod template (callers must not modify the list). */
export function annotationIgnores(resource: Resource): readonly AnnotationIgnore[] {
  const pod = resource.pod;
  const podMeta = pod && pod.meta !== resource.metadata ? pod.meta : undefined;
  // The common case, no ignore annotation anywhere: one shared empty list (every resource with a
  // finding or a fact keeps its list to the end of a scan).
  if (annotationString(resource.metadata, IGNORE_ANNOTATION) === undefined && annotationString(podMeta, IGNORE_ANNOTATION) === undefined) return NO_ITEMS;
  const metas: ObjectMeta[] = podMeta ? [resource.metadata, podMeta] : [resource.metadata];
  const reasons = metas.map((m) => annotationString(m, IGNORE_REASON_ANNOTATION)?.trim() || undefined);
  const out: AnnotationIgnore[] = [];
  metas.forEach((m, i) => {
    const value = annotationString(m, IGNORE_ANNOTATION);
    if (value === undefined) return;
    const patterns = parseIgnoreAnnotation(value);
    if (patterns.length === 0) return;
    // The reason next to the ignore wins; else the reason written on the other metadata.
    const reason = reasons[i] ?? reasons.find((r) => r !== undefined);
    out.push(reason !== undefined ? { patterns, reason } : { patterns });
  });
  return out;
}

function expiredMessage(rule: IgnoreRule, reportedAgain: boolean): string {
  const where = rule.source ? `${rule.source.file}:${rule.source.line}: ` : '';
  const when = rule.expiresText ?? rule.expires?.toISOString() ?? '';
  return reportedAgain
    ? `${where}ignore for ${rule.check} expired on ${when}; findings are reported again`
    : `${where}ignore for ${rule.check} expired on ${when} and no longer applies`;
}

/**
 * Applies one config (at one point in time) to every resource of a scan. Expired entries
 * are warned about once each, however many resources they would have matched.
 */
export class Suppressor {
  private readonly rules: CompiledRule[];
  /** Expired rules that matched a finding nothing else suppressed. */
  private readonly reportedAgain = new Set<IgnoreRule>();

  constructor(
    readonly config: PalisadeConfig,
    readonly now: Date = new Date(),
  ) {
    this.rules = config.ignore.map((r) => compileRule(r, now));
  }

  /** The findings of `resource`, each marked suppressed or not. Never drops a finding. */
  apply(findings: readonly Finding[], resource: Resource): readonly Finding[] {
    if (findings.length === 0) return [];
    return this.applyWith(findings, annotationIgnores(resource));
  }

  /** The same, with the resource's ignore annotations already read (see annotationIgnores). */
  applyWith(findings: readonly Finding[], annotations: readonly AnnotationIgnore[]): readonly Finding[] {
    // Nothing to apply (no config entries, no annotations, nothing already suppressed): the same list.
    if (this.rules.length === 0 && annotations.length === 0 && findings.every((f) => f.suppressed === false)) return findings;
    return findings.map((f) => this.applyOne(f, annotations));
  }

  /** One line per expired ignore entry, in config order. */
  warnings(): string[] {
    return this.rules.filter((c) => c.expired).map((c) => expiredMessage(c.rule, this.reportedAgain.has(c.rule)));
  }

  /** Expired entries that matched findings which are therefore reported again. */
  expiredMatched(): IgnoreRule[] {
    return this.rules.filter((c) => this.reportedAgain.has(c.rule)).map((c) => c.rule);
  }

  /**
   * Records that these expired rules (the same objects as in this Suppressor's config)
   * matched findings elsewhere, e.g. in another Suppressor in a worker thread, so that
   * warnings() says their findings are reported again. Other rules are ignored.
   */
  noteExpiredMatched(rules: Iterable<IgnoreRule>): void {
    const expired = new Set(this.rules.filter((c) => c.expired).map((c) => c.rule));
    for (const r of rules) if (expired.has(r)) this.reportedAgain.add(r);
  }

  private applyOne(f: Finding, annotations: readonly AnnotationIgnore[]): Finding {
    if (f.suppressed) return f;
    for (const a of annotations) {
      if (a.patterns.some((p) => matchesCheck(p, f.check))) {
        return { ...f, suppressed: true, suppression: { kind: 'annotation', reason: a.reason ?? DEFAULT_ANNOTATION_REASON } };
      }
    }
    let expiredHits: IgnoreRule[] | undefined;
    for (const c of this.rules) {
      if (!ruleSelects(c, f)) continue;
      if (c.expired) {
        (expiredHits ??= []).push(c.rule);
        continue;
      }
      return { ...f, suppressed: true, suppression: { kind: 'config', reason: c.reason } };
    }
    if (expiredHits) for (const r of expiredHits) this.reportedAgain.add(r);
    return f.suppressed === false ? f : { ...f, suppressed: false };
  }
}

/**
 * One-shot form of Suppressor for a single resource. Its warnings name the expired entries
 * that matched these findings; across a scan, use one Suppressor to warn once per entry.
 */
export function applySuppressions(
  findings: readonly Finding[],
  resource: Resource,
  config: PalisadeConfig,
  now: Date,
): { findings: readonly Finding[]; warnings: string[] } {
  const s = new Suppressor(config, now);
  const out = s.apply(findings, resource);
  return { findings: out, warnings: s.expiredMatched().map((r) => expiredMessage(r, true)) };
}
