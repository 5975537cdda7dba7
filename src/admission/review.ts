/**
 * AdmissionReview v1 on the wire: reading what kube-apiserver sends and writing the answer it
 * accepts (VerifyAdmissionResponse: exact apiVersion/kind, the request's uid echoed, a patch
 * only from a mutating webhook, base64 JSONPatch with patchType).
 */
import type { AdmissionRequestLike, GroupVersionKind, GroupVersionResource, UserInfo } from './vap/index.js';

export type AdmissionUser = UserInfo;

/** A decoded AdmissionReview v1 `request`: the shape policies see, with what the API server always sends made required. */
export interface AdmissionRequest extends AdmissionRequestLike {
  uid: string;
  kind: GroupVersionKind;
  /** CREATE, UPDATE, DELETE or CONNECT; anything else is kept as sent and never evaluated. */
  operation: string;
  userInfo: AdmissionUser;
}

export interface JsonPatchOperation {
  op: 'add' | 'replace' | 'remove' | 'test' | 'move' | 'copy';
  path: string;
  value?: unknown;
}

/** What a handler decides; turned into the wire form by reviewResponse. */
export interface AdmissionDecision {
  allowed: boolean;
  /** For denials: the HTTP code (403 by default) and the message the user sees. */
  status?: { code: number; message: string; reason?: string };
  warnings?: string[];
  auditAnnotations?: Record<string, string>;
  /** Mutating webhooks only. */
  patch?: JsonPatchOperation[];
}

export type ParsedReview =
  | { ok: true; request: AdmissionRequest }
  | { ok: false; reason: string; uid?: string };

export const OPERATIONS: ReadonlySet<string> = new Set(['CREATE', 'UPDATE', 'DELETE', 'CONNECT']);

function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function gvk(v: unknown): GroupVersionKind | undefined {
  if (!isObj(v) || typeof v.kind !== 'string' || typeof v.version !== 'string') return undefined;
  return { group: typeof v.group === 'string' ? v.group : '', version: v.version, kind: v.kind };
}

function gvr(v: unknown): GroupVersionResource | undefined {
  if (!isObj(v) || typeof v.resource !== 'string' || typeof v.version !== 'string') return undefined;
  return { group: typeof v.group === 'string' ? v.group : '', version: v.version, resource: v.resource };
}

/** Reads a request body; every way it can be wrong has its own reason (the 400's body). */
export function parseAdmissionReview(body: unknown): ParsedReview {
  if (!isObj(body)) return { ok: false, reason: `expected an AdmissionReview object, got ${body === null ? 'null' : Array.isArray(body) ? 'an array' : typeof body}` };
  if (body.kind !== 'AdmissionReview') return { ok: false, reason: `expected kind AdmissionReview, got ${JSON.stringify(body.kind ?? null)}` };
  if (body.apiVersion !== 'admission.k8s.io/v1') {
    return { ok: false, reason: `expected apiVersion admission.k8s.io/v1, got ${JSON.stringify(body.apiVersion ?? null)} (set admissionReviewVersions: ["v1"] in the webhook configuration)` };
  }
  const r = body.request;
  if (!isObj(r)) return { ok: false, reason: 'the AdmissionReview has no request' };
  if (typeof r.uid !== 'string' || r.uid === '') return { ok: false, reason: 'request.uid is missing' };
  const uid = r.uid;
  const kind = gvk(r.kind);
  if (!kind) return { ok: false, uid, reason: 'request.kind must be {group, version, kind}' };
  const resource = gvr(r.resource);
  if (!resource) return { ok: false, uid, reason: 'request.resource must be {group, version, resource}' };
  if (typeof r.operation !== 'string' || r.operation === '') {
    return { ok: false, uid, reason: `request.operation must be CREATE, UPDATE, DELETE or CONNECT, got ${JSON.stringify(r.operation ?? null)}` };
  }
  const op = r.operation;
  if ((op === 'CREATE' || op === 'UPDATE') && !isObj(r.object)) return { ok: false, uid, reason: `request.object is missing or not an object for ${op}` };
  if (op === 'UPDATE' && r.oldObject !== undefined && r.oldObject !== null && !isObj(r.oldObject)) return { ok: false, uid, reason: 'request.oldObject is not an object' };
  const userInfo: AdmissionUser = isObj(r.userInfo) ? (r.userInfo as AdmissionUser) : {};
  const request: AdmissionRequest = { uid, kind, resource, operation: op, userInfo };
  if (typeof r.subResource === 'string' && r.subResource !== '') request.subResource = r.subResource;
  if (typeof r.name === 'string') request.name = r.name;
  if (typeof r.namespace === 'string' && r.namespace !== '') request.namespace = r.namespace;
  if (r.object !== undefined && r.object !== null) request.object = r.object;
  if (r.oldObject !== undefined && r.oldObject !== null) request.oldObject = r.oldObject;
  if (r.dryRun === true) request.dryRun = true;
  if (r.options !== undefined) request.options = r.options;
  const rk = gvk(r.requestKind);
  if (rk) request.requestKind = rk;
  const rr = gvr(r.requestResource);
  if (rr) request.requestResource = rr;
  if (typeof r.requestSubResource === 'string' && r.requestSubResource !== '') request.requestSubResource = r.requestSubResource;
  return { ok: true, request };
}

/** How many warnings one answer carries; the API server turns each into a Warning header. */
export const MAX_WARNINGS = 25;

/** The AdmissionReview kube-apiserver accepts as the answer. */
export function reviewResponse(uid: string, d: AdmissionDecision): Record<string, unknown> {
  const response: Record<string, unknown> = { uid, allowed: d.allowed };
  if (!d.allowed) {
    const s = d.status ?? { code: 403, message: 'denied by Palisade' };
    response.status = { metadata: {}, status: 'Failure', message: s.message, reason: s.reason ?? 'Forbidden', code: s.code >= 400 ? s.code : 403 };
  }
  if (d.patch && d.patch.length > 0) {
    response.patch = Buffer.from(JSON.stringify(d.patch)).toString('base64');
    response.patchType = 'JSONPatch';
  }
  if (d.warnings && d.warnings.length > 0) {
    response.warnings = d.warnings.length > MAX_WARNINGS
      ? [...d.warnings.slice(0, MAX_WARNINGS - 1), `... and ${d.warnings.length - MAX_WARNINGS + 1} more`]
      : d.warnings;
  }
  if (d.auditAnnotations && Object.keys(d.auditAnnotations).length > 0) response.auditAnnotations = d.auditAnnotations;
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response };
}
