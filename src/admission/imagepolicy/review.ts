/**
 * The ImagePolicyWebhook backend's decision: an `imagepolicy.k8s.io/v1alpha1` ImageReview in,
 * the same object with `status: {allowed, reason, auditAnnotations}` out. The API server sends
 * the pod's images (containers, then init containers; ephemeral containers for that
 * subresource), the pod's annotations whose key contains `.image-policy.k8s.io/`, and the
 * namespace. It caches answers by the JSON of `spec`, so a decision must depend on nothing else.
 */
import { imageMatches, parseImage, type ImageRef } from '../../model/index.js';

export interface ImageRules {
  /** Registries or repository prefixes images may come from (empty: any). `*.example.com` allowed. */
  allowedRegistries?: string[];
  /** Registries or prefixes never allowed (checked first). */
  deniedRegistries?: string[];
  /** Deny images without a tag or digest (default true). */
  requireTag?: boolean;
  /** Deny the `latest` tag unless pinned by digest (default true). */
  denyLatest?: boolean;
  /** Deny images not pinned by digest (default false). */
  requireDigest?: boolean;
}

export interface ImagePolicy extends ImageRules {
  /** Rules for a namespace, replacing the fields they set. */
  namespaces?: Record<string, ImageRules>;
  /**
   * An annotation key (it must contain `.image-policy.k8s.io/`, or the API server never sends
   * it) whose presence admits any image and records the value it carries (default
   * `break-glass.image-policy.k8s.io/reason`; empty string turns break-glass off).
   */
  breakGlassAnnotation?: string;
}

export interface ImageReviewStatus {
  allowed: boolean;
  reason?: string;
  auditAnnotations?: Record<string, string>;
}

export const DEFAULT_BREAK_GLASS = 'break-glass.image-policy.k8s.io/reason';

function obj(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** Why one image is refused under the rules, or undefined when it is allowed. */
export function imageProblem(image: string, rules: ImageRules): string | undefined {
  const ref: ImageRef | undefined = parseImage(image);
  if (!ref) return `${JSON.stringify(image)} is not an image reference`;
  const denied = (rules.deniedRegistries ?? []).find((e) => imageMatches(ref, e));
  if (denied) return `${image}: registry ${denied} is denied`;
  const allowed = rules.allowedRegistries ?? [];
  if (allowed.length > 0 && !allowed.some((e) => imageMatches(ref, e))) return `${image}: ${ref.registry} is not an allowed registry (${allowed.join(', ')})`;
  if (rules.requireDigest === true && !ref.digest) return `${image}: not pinned by digest (@sha256:…)`;
  if ((rules.requireTag ?? true) && !ref.tag && !ref.digest) return `${image}: no tag (it means :latest, which moves)`;
  if ((rules.denyLatest ?? true) && ref.tag === 'latest' && !ref.digest) return `${image}: the :latest tag moves; use a version tag or a digest`;
  return undefined;
}

function rulesFor(policy: ImagePolicy, namespace: string): ImageRules {
  const own = policy.namespaces?.[namespace];
  return own ? { ...policy, ...own } : policy;
}

/** Decides an ImageReview; returns the review to send back, or an error for a malformed one. */
export function reviewImages(review: unknown, policy: ImagePolicy): { review: Record<string, unknown> } | { error: string } {
  const r = obj(review);
  if (!r) return { error: 'expected an ImageReview object' };
  if (r.kind !== 'ImageReview') return { error: `expected kind ImageReview, got ${r.kind === undefined ? 'no kind' : JSON.stringify(r.kind)}` };
  if (r.apiVersion !== 'imagepolicy.k8s.io/v1alpha1') return { error: `unsupported apiVersion ${JSON.stringify(r.apiVersion)} (expected imagepolicy.k8s.io/v1alpha1)` };
  const spec = obj(r.spec);
  if (!spec) return { error: 'ImageReview has no spec' };
  const containers = spec.containers ?? [];
  if (!Array.isArray(containers)) return { error: 'spec.containers is not a list' };
  const namespace = typeof spec.namespace === 'string' ? spec.namespace : '';
  const annotations = obj(spec.annotations) ?? {};
  const images = containers.map((c) => obj(c)?.image);
  const status = decide(images, namespace, annotations, policy);
  return { review: { apiVersion: r.apiVersion, kind: 'ImageReview', spec, status } };
}

function decide(images: unknown[], namespace: string, annotations: Record<string, unknown>, policy: ImagePolicy): ImageReviewStatus {
  const problems: string[] = [];
  images.forEach((image, i) => {
    if (typeof image !== 'string' || image === '') problems.push(`spec.containers[${i}] has no image`);
    else {
      const p = imageProblem(image, rulesFor(policy, namespace));
      if (p) problems.push(p);
    }
  });
  if (problems.length === 0) return { allowed: true };
  const key = policy.breakGlassAnnotation ?? DEFAULT_BREAK_GLASS;
  const glass = key !== '' ? annotations[key] : undefined;
  if (typeof glass === 'string') {
    // Admitted and recorded: the API server publishes these as imagepolicywebhook.image-policy.k8s.io/<key>.
    return { allowed: true, auditAnnotations: { 'break-glass': glass === '' ? 'true' : glass, 'break-glass-overrode': problems.join('; ') } };
  }
  return { allowed: false, reason: problems.join('; ') };
}
