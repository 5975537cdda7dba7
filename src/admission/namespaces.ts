/**
 * What the admission server knows of namespaces: their labels, learned from the Namespace
 * objects it is given (at start-up from files, and from Namespace create/update requests it
 * reviews). Pod Security Admission reads its levels from these labels.
 */
export type Labels = Record<string, string>;

export const PSS_LABEL_PREFIX = 'pod-security.kubernetes.io/';
const MODES = ['enforce', 'warn', 'audit'] as const;
const LEVELS = new Set(['privileged', 'baseline', 'restricted']);
const VERSION = /^(latest|v1\.(0|[1-9]\d{0,3}))$/;

function labelsOf(obj: unknown): Labels | undefined {
  if (obj === null || typeof obj !== 'object') return undefined;
  const meta = (obj as { metadata?: unknown }).metadata;
  if (meta === null || typeof meta !== 'object') return undefined;
  const labels = (meta as { labels?: unknown }).labels;
  const out: Labels = {};
  if (labels !== null && typeof labels === 'object' && !Array.isArray(labels)) {
    for (const [k, v] of Object.entries(labels)) if (typeof v === 'string') out[k] = v;
  }
  return out;
}

export class NamespaceRegistry {
  private readonly labels = new Map<string, Labels>();

  /** Remembers a Namespace object's labels (others are ignored). */
  observe(obj: unknown): boolean {
    if (obj === null || typeof obj !== 'object' || (obj as { kind?: unknown }).kind !== 'Namespace') return false;
    const name = (obj as { metadata?: { name?: unknown } }).metadata?.name;
    const labels = labelsOf(obj);
    if (typeof name !== 'string' || name === '' || !labels) return false;
    this.labels.set(name, labels);
    return true;
  }

  forget(name: string): void {
    this.labels.delete(name);
  }

  get(name: string): Labels | undefined {
    return this.labels.get(name);
  }

  get size(): number {
    return this.labels.size;
  }
}

/**
 * The problems Pod Security Admission reports for a Namespace's own labels, in its words
 * (`pod-security.kubernetes.io/enforce: Invalid value: "strict": must be one of privileged, baseline, restricted`).
 */
export function invalidPssLabels(obj: unknown): string[] {
  const labels = labelsOf(obj) ?? {};
  const out: string[] = [];
  for (const mode of MODES) {
    const level = labels[`${PSS_LABEL_PREFIX}${mode}`];
    if (level !== undefined && !LEVELS.has(level)) out.push(`${PSS_LABEL_PREFIX}${mode}: Invalid value: ${JSON.stringify(level)}: must be one of privileged, baseline, restricted`);
    const version = labels[`${PSS_LABEL_PREFIX}${mode}-version`];
    if (version !== undefined && !VERSION.test(version)) out.push(`${PSS_LABEL_PREFIX}${mode}-version: Invalid value: ${JSON.stringify(version)}: must be "latest" or "v1.x"`);
  }
  return out;
}

/** Valid PSS level and version labels of a namespace, by mode. */
export function pssLabels(labels: Labels | undefined): { level: Partial<Record<(typeof MODES)[number], string>>; version: Partial<Record<(typeof MODES)[number], string>> } {
  const level: Partial<Record<(typeof MODES)[number], string>> = {};
  const version: Partial<Record<(typeof MODES)[number], string>> = {};
  if (!labels) return { level, version };
  for (const mode of MODES) {
    const l = labels[`${PSS_LABEL_PREFIX}${mode}`];
    if (l !== undefined && LEVELS.has(l)) level[mode] = l;
    const v = labels[`${PSS_LABEL_PREFIX}${mode}-version`];
    if (v !== undefined && VERSION.test(v)) version[mode] = v;
  }
  return { level, version };
}
