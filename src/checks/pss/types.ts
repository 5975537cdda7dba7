import type { ContainerRef, JsonPath, Obj, PodSpecRef, Severity, Stride } from '../../model/index.js';

export type PssLevel = 'baseline' | 'restricted';

/** Everything a control needs about one pod, computed once. */
export interface PodContext {
  pod: PodSpecRef;
  spec: Obj;
  /** Annotations of the pod (or of the template), for the pre-field annotation forms. */
  annotations: Record<string, unknown>;
  containers: readonly ContainerRef[];
  /** spec.hostUsers === false: user namespaces relax some controls (relaxPolicyForUserNamespacePod). */
  userNamespace: boolean;
  /** spec.os.name === "windows". */
  windows: boolean;
  /** Minor version of the policy being applied (v1.N → N). */
  minor: number;
}

/** One offending field: where it is and the admission plugin's detail text for it. */
export interface Violation {
  path: JsonPath;
  detail: string;
}

export interface PssControl {
  /** The pod-security-admission check ID (e.g. `allowPrivilegeEscalation`). */
  id: string;
  level: PssLevel;
  /** First policy minor version with this control. */
  since: number;
  /** Baseline controls this one replaces at restricted level (from `since` on). */
  overrides?: readonly string[];
  title: string;
  /** The admission plugin's ForbiddenReason. */
  reason: string;
  severity: Severity;
  stride: Stride[];
  description: string;
  remediation: string;
  /** Equivalent ids in other tools and standards (shown by `palisade checks list`). */
  refs?: import('../catalogue/types.js').CheckRefs;
  /** A corrected YAML snippet. */
  example?: string;
  /**
   * The areas of a pod (screen.ts) this control can find something in: a pod where none is
   * marked is not evaluated. Unset: always evaluated.
   */
  areas?: number;
  /** How the admission plugin joins several details of this control (default "; "). */
  joiner?: string;
  evaluate(ctx: PodContext): Violation[];
}
