/**
 * The shape of a catalogue check. A check is one small definition — metadata plus a `run`
 * of a few lines on top of the shared helpers — in the file of its topic.
 */
import type { ContainerRef, JsonPath, KubeObject, Locator, PodSpecRef, Resource, ResourceRef, Severity, Stride } from '../../model/index.js';

/** Equivalent ids in the standards and in the tools users already run. */
export interface CheckRefs {
  /** Pod Security Standards controls, e.g. `baseline/privileged`. */
  pss?: string[];
  /** CIS Kubernetes Benchmark sections, e.g. `5.2.2`. */
  cis?: string[];
  kubesec?: string[];
  polaris?: string[];
  /** Trivy / defsec ids, e.g. `KSV-0017`. */
  trivy?: string[];
  /** Kubescape controls, e.g. `C-0057`. */
  kubescape?: string[];
  kubeLinter?: string[];
  kubeScore?: string[];
  /** Links (documentation, CVEs). */
  links?: string[];
}

/** Tunables from `.palisade.yaml` (`params:`), with defaults in params.ts. */
export interface CheckParams {
  /** Registry/repository prefixes images must come from (empty: not enforced). */
  allowedRegistries: string[];
  /** Registry/repository prefixes images must not come from. */
  deniedRegistries: string[];
  /** Namespaces whose pods are untrusted and must run in a sandbox runtime class. */
  untrustedNamespaces: string[];
  /** Label selectors (`key=value`, `key`) marking untrusted pods or namespaces. */
  untrustedSelectors: string[];
  /** RuntimeClass names that are sandboxes (gVisor, Kata). */
  sandboxRuntimeClasses: string[];
  /** RuntimeClass handlers that are sandboxes. */
  sandboxHandlers: string[];
  /** hostPath prefixes that give control of the node. */
  sensitiveHostPaths: string[];
  /** Extra regular expressions (RE2 syntax subset) for credential-looking names. */
  credentialNamePatterns: string[];
  /** Minimum replicas for the availability checks. */
  minReplicas: number;
}

/** One problem a check found. `path` is inside the resource; the line follows from it. */
export interface Report {
  path: JsonPath;
  message: string;
  /** Overrides the check's severity for this finding (e.g. a wildcard on everything). */
  severity?: Severity;
}

/** What a per-resource check sees. Pod specs and containers are extracted once, for all checks. */
export interface ResourceContext {
  resource: Resource;
  object: KubeObject;
  kind: string;
  /** The pod spec, for workload kinds. */
  pod?: PodSpecRef;
  /** Init, regular and ephemeral containers of `pod` (empty for other kinds). */
  containers: readonly ContainerRef[];
  params: CheckParams;
  report(path: JsonPath, message: string, severity?: Severity): void;
}

interface CheckMeta {
  /** Stable id, `topic/name`, used in findings, suppressions and --checks. */
  id: string;
  title: string;
  severity: Severity;
  /** Part of the default `cks` profile; off-by-default checks run with `--profile all` or `--checks`. */
  defaultOn: boolean;
  stride: Stride[];
  /** What the check looks at and why it matters (Markdown allowed). */
  description: string;
  /** What to change, in a sentence. */
  remediation: string;
  /** A corrected YAML snippet. */
  example: string;
  refs: CheckRefs;
  /**
   * When the check differs from the usual tools on purpose, why (shown in the docs).
   */
  rationale?: string;
}

/** Looks at one resource at a time (runs in worker threads on large inputs). */
export interface ResourceCheck extends CheckMeta {
  scope: 'resource';
  /** Kinds the check applies to; 'workload' = every kind with a pod spec. */
  kinds: readonly string[] | 'workload';
  /**
   * For workload checks: the areas of a pod (checks/screen.ts) the check can report in. A pod
   * where none is marked is skipped without running the check. Unset: the check always runs.
   */
  areas?: number;
  run(ctx: ResourceContext): void;
}

/** A fact a cross-resource check keeps about one resource: plain data, any shape. */
export type Fact = unknown;

/** A finding of a cross-resource check, about the resource a fact was collected from. */
export interface InventoryReport {
  /** The resource the finding is about (from its fact). */
  subject: FactSubject;
  path: JsonPath;
  /** The line of `path`, resolved when the fact was collected. */
  line: number;
  message: string;
  severity?: Severity;
}

/**
 * The resource a fact is about: its ref, one object per resource shared by all its facts and
 * findings (evaluate() tells resources apart by it; facts are kept by the thousand, so no
 * wrapper object per resource).
 */
export type FactSubject = ResourceRef;

export interface CollectContext extends Omit<ResourceContext, 'report'> {
  /** 1-based line of a path in the resource (for the findings evaluate() will make). */
  lineOf(path: JsonPath): number;
  /**
   * The resource's lines for after the whole input is read, when the scan keeps them (the main
   * thread, within its memory budget, YAML documents: Resource.linesForLater);
   * undefined when lines must be looked up now.
   */
  linesForLater(): Locator | undefined;
}

/** Looks at the whole input: collects small facts per resource, then judges them together. */
export interface InventoryCheck<F = Fact> extends CheckMeta {
  scope: 'inventory';
  /** Kinds to collect facts from ('workload' = every kind with a pod spec; '*' in the list = every kind). */
  kinds: readonly string[] | 'workload';
  /** Runs per resource (possibly in a worker): the fact to keep, or undefined. */
  collect(ctx: CollectContext): F | undefined;
  /** Runs once with every fact, in input order. */
  evaluate(facts: ReadonlyArray<{ subject: FactSubject; fact: F }>, params: CheckParams): InventoryReport[];
}

export type CheckDef = ResourceCheck | InventoryCheck<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
