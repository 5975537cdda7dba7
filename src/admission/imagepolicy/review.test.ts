import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imageProblem, reviewImages, type ImagePolicy } from './review.js';

const review = (images: string[], extra: { namespace?: string; annotations?: Record<string, string> } = {}) => ({
  apiVersion: 'imagepolicy.k8s.io/v1alpha1',
  kind: 'ImageReview',
  spec: { containers: images.map((image) => ({ image })), annotations: extra.annotations ?? {}, namespace: extra.namespace ?? 'shop' },
});

const policy: ImagePolicy = {
  allowedRegistries: ['registry.example.com', '*.acme.io'],
  deniedRegistries: ['registry.example.com/legacy'],
  namespaces: { 'payments': { requireDigest: true } },
};

function status(images: string[], extra?: Parameters<typeof review>[1], p = policy) {
  const r = reviewImages(review(images, extra), p);
  assert.ok('review' in r, JSON.stringify(r));
  return r.review.status;
}

test('allowed registries, denied prefixes, tags and latest', () => {
  assert.deepEqual(status(['registry.example.com/shop/api:1.4.2', 'eu.acme.io/tools/jq:1.7']), { allowed: true });
  assert.deepEqual(status(['docker.io/library/nginx:1.27']), { allowed: false, reason: 'docker.io/library/nginx:1.27: docker.io is not an allowed registry (registry.example.com, *.acme.io)' });
  assert.deepEqual(status(['registry.example.com/legacy/app:2']), { allowed: false, reason: 'registry.example.com/legacy/app:2: registry registry.example.com/legacy is denied' });
  assert.deepEqual(status(['registry.example.com/shop/api']), { allowed: false, reason: 'registry.example.com/shop/api: no tag (it means :latest, which moves)' });
  assert.deepEqual(status(['registry.example.com/shop/api:latest', 'registry.example.com/shop/web:1']), { allowed: false, reason: 'registry.example.com/shop/api:latest: the :latest tag moves; use a version tag or a digest' });
  const digest = 'registry.example.com/shop/api:latest@sha256:' + 'a'.repeat(64);
  assert.deepEqual(status([digest]), { allowed: true });
});

test('per-namespace rules replace the fields they set', () => {
  assert.deepEqual(status(['registry.example.com/pay/api:3.1'], { namespace: 'payments' }), { allowed: false, reason: 'registry.example.com/pay/api:3.1: not pinned by digest (@sha256:…)' });
  assert.deepEqual(status([`registry.example.com/pay/api@sha256:${'b'.repeat(64)}`], { namespace: 'payments' }), { allowed: true });
});

test('the break-glass annotation admits and records what it overrode; it can be turned off', () => {
  const s = status(['docker.io/library/nginx:latest'], { annotations: { 'break-glass.image-policy.k8s.io/reason': 'INC-4711' } });
  assert.deepEqual(s, { allowed: true, auditAnnotations: { 'break-glass': 'INC-4711', 'break-glass-overrode': 'docker.io/library/nginx:latest: docker.io is not an allowed registry (registry.example.com, *.acme.io)' } });
  const off = status(['docker.io/library/nginx:latest'], { annotations: { 'break-glass.image-policy.k8s.io/reason': 'x' } }, { ...policy, breakGlassAnnotation: '' });
  assert.equal((off as { allowed: boolean }).allowed, false);
});

test('malformed reviews are errors with a reason; a pod without images is allowed', () => {
  assert.deepEqual(reviewImages({ kind: 'AdmissionReview' }, policy), { error: 'expected kind ImageReview, got "AdmissionReview"' });
  assert.deepEqual(reviewImages({ kind: 'ImageReview', apiVersion: 'v1' }, policy), { error: 'unsupported apiVersion "v1" (expected imagepolicy.k8s.io/v1alpha1)' });
  assert.deepEqual(reviewImages({ kind: 'ImageReview', apiVersion: 'imagepolicy.k8s.io/v1alpha1' }, policy), { error: 'ImageReview has no spec' });
  assert.deepEqual(reviewImages({ kind: 'ImageReview', apiVersion: 'imagepolicy.k8s.io/v1alpha1', spec: { containers: {} } }, policy), { error: 'spec.containers is not a list' });
  assert.deepEqual(status([]), { allowed: true });
  assert.deepEqual(status(['not an image']), { allowed: false, reason: '"not an image" is not an image reference' });
  assert.equal(imageProblem('nginx:1.27', {}), undefined);
});
