/**
 * Shapes of ValidatingAdmissionPolicy evaluation: the request (an AdmissionReview v1
 * `request`, so the admission server passes `review.request` as is), the inputs, the result.
 * Policy and binding objects stay plain JSON as kube-apiserver stores them
 * (admissionregistration.k8s.io/v1); compile.ts reads them.
 */
import type { AuthzDecide } from '../cel/index.js';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface GroupVersionResource {
  group: string;
  version: string;
  resource: string;
}

export interface UserInfo {
  username?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

/** The fields of an AdmissionReview v1 `request` that policies can see. */
export interface AdmissionRequestLike {
  uid?: string;
  kind?: GroupVersionKind;
  resource: GroupVersionResource;
  subResource?: string;
  requestKind?: GroupVersionKind;
  requestResource?: GroupVersionResource;
  requestSubResource?: string;
  name?: string;
  namespace?: string;
  operation: Operation | string;
  userInfo?: UserInfo;
  object?: unknown;
  oldObject?: unknown;
  dryRun?: boolean;
  options?: unknown;
}

export type JsonObject = Record<string, unknown>;

export interface VapInput {
  /** ValidatingAdmissionPolicy objects (compiled once per object and cached). */
  policies: readonly JsonObject[];
  /** ValidatingAdmissionPolicyBinding objects. */
  bindings: readonly JsonObject[];
  /** Parameter objects that paramRefs may select (any kind; matched by apiVersion and kind). */
  params?: readonly JsonObject[];
  /**
   * Namespace objects by name (or a lookup), for namespaceSelector and `namespaceObject`.
   * A namespace that is needed but unknown is "not found", as in kube-apiserver.
   */
  namespaces?: Readonly<Record<string, JsonObject>> | ((name: string) => JsonObject | undefined);
  /**
   * Whether a paramKind is namespaced (key `group/version, Kind=Kind` as in `apiVersion/kind`:
   * `rules.example.com/v1/ReplicaLimit`). Without an entry: namespaced when any parameter
   * object of that kind has a namespace or a binding names one (see docs/vap.md).
   */
  paramScopes?: Readonly<Record<string, 'Namespaced' | 'Cluster'>>;
  /** Decides `authorizer` checks; default: the documented "no opinion" stub. */
  authorizer?: AuthzDecide;
}

export type StatusReason = 'Unauthorized' | 'Forbidden' | 'Invalid' | 'RequestEntityTooLarge' | 'NotFound' | string;

export interface VapDenial {
  policy: string;
  /** null for a policy-level configuration error, which has no binding. */
  binding: string | null;
  /** The message clients see: `ValidatingAdmissionPolicy '<p>' with binding '<b>' denied request: <detail>`. */
  message: string;
  /** The policy's own message (messageExpression, message, or `failed expression: …`), or the error. */
  detail: string;
  reason: StatusReason;
  code: number;
  /** Index of the validation that failed, when one did. */
  validation?: number;
  /** `deny`: a validation was false; `error`: evaluation or configuration failed under failurePolicy Fail. */
  kind: 'deny' | 'error';
}

export interface VapResult {
  allowed: boolean;
  /** Every denial, in evaluation order (policies and bindings by name). */
  denials: VapDenial[];
  /** HTTP warnings (validationActions Warn). */
  warnings: string[];
  /** Audit annotations as kube-apiserver records them (`<policy>/<key>`, validation_failure). */
  auditAnnotations: Record<string, string>;
  /** The (policy, binding) pairs that matched the request and were evaluated. */
  evaluated: { policy: string; binding: string }[];
  /** When denied: the status kube-apiserver returns (the first denial decides, as upstream). */
  status?: { code: number; reason: StatusReason; message: string };
}

/** A problem with a policy, binding or parameter object, where it is. */
export interface VapProblem {
  file?: string;
  line?: number;
  /** `ValidatingAdmissionPolicy/name` etc., when known. */
  object?: string;
  /** Field path as kube-apiserver prints it: `spec.validations[0].expression`. */
  field?: string;
  message: string;
}

export function formatProblem(p: VapProblem): string {
  const where = p.file !== undefined ? `${p.file}${p.line !== undefined ? `:${p.line}` : ''}: ` : '';
  const what = p.object !== undefined ? `${p.object}: ` : '';
  return `${where}${what}${p.field !== undefined ? `${p.field}: ` : ''}${p.message}`;
}
