/**
 * The audit Policy as kube-apiserver reads it (`audit.k8s.io/v1`, kind `Policy`), with the line
 * of every rule so that explanations and findings can say `policy.yaml:42`.
 */

/** Audit levels, lowest first: the index is the order (`None` < `Metadata` < …). */
export const LEVELS = ['None', 'Metadata', 'Request', 'RequestResponse'] as const;
export type Level = (typeof LEVELS)[number];

/** Stages in the order a request goes through them. */
export const STAGES = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'] as const;
export type Stage = (typeof STAGES)[number];

export function isLevel(s: unknown): s is Level {
  return typeof s === 'string' && (LEVELS as readonly string[]).includes(s);
}

export function isStage(s: unknown): s is Stage {
  return typeof s === 'string' && (STAGES as readonly string[]).includes(s);
}

export function levelRank(level: Level): number {
  return LEVELS.indexOf(level);
}

export interface GroupResources {
  /** API group without version; "" is the core group, "*" every group. */
  group: string;
  /** Empty: every resource of the group. */
  resources: string[];
  /** Empty: every name. Only meaningful with `resources`. */
  resourceNames: string[];
  /** 1-based line of the entry, when it came from a file. */
  line?: number;
}

export interface PolicyRule {
  /** 0-based position in `rules` (what `rules[N]` in messages refers to). */
  index: number;
  /** 1-based line of the rule in its file. */
  line: number;
  level: Level;
  users: string[];
  userGroups: string[];
  verbs: string[];
  resources: GroupResources[];
  namespaces: string[];
  nonResourceURLs: string[];
  /** As written in the rule (the evaluator adds the policy's own). */
  omitStages: Stage[];
  /** Unset: the policy's value applies. */
  omitManagedFields?: boolean;
}

export interface Policy {
  /** The file name as the user gave it. */
  file: string;
  /** 1-based line of the `rules` key (where a catch-all rule would go), or of the document. */
  rulesLine: number;
  /** 1-based line where the Policy object starts. */
  line: number;
  omitStages: Stage[];
  omitManagedFields: boolean;
  rules: PolicyRule[];
}

/** A problem with a policy file: one line of text, never a stack trace. */
export interface PolicyProblem {
  file: string;
  /** 1-based; absent when the file could not be read at all. */
  line?: number;
  message: string;
}

/** `file:line: message` (or `file: message` without a line). */
export function formatProblem(p: PolicyProblem): string {
  return `${p.file}${p.line !== undefined ? `:${p.line}` : ''}: ${p.message}`;
}
