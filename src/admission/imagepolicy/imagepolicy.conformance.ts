/** The every-field ImageReview fixture from Kubernetes' API test data, answered. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { dataSet, report } from '../../conformance/data.js';
import { reviewImages } from './review.js';

test('api-testdata ImageReview (JSON and YAML) is decoded and answered', () => {
  const dir = dataSet('admission');
  if (!dir) return;
  let passed = 0;
  let failed = 0;
  for (const name of ['json', 'yaml'] as const) {
    const text: string = readFileSync(join(dir, 'api-testdata', `imagepolicy.k8s.io.v1alpha1.ImageReview.${name}`), 'utf8');
    const fixture: { spec?: unknown } = name === 'json' ? JSON.parse(text) : parse(text);
    const r = reviewImages(fixture, { allowedRegistries: ['registry.example.com'] });
    try {
      assert.ok('review' in r, JSON.stringify(r));
      assert.equal(r.review.kind, 'ImageReview');
      assert.equal(r.review.apiVersion, 'imagepolicy.k8s.io/v1alpha1');
      assert.deepEqual(r.review.spec, fixture.spec);
      // "imageValue" is a Docker Hub image without a tag: not from the allowed registry.
      assert.deepEqual(r.review.status, { allowed: false, reason: 'imageValue: docker.io is not an allowed registry (registry.example.com)' });
      passed++;
    } catch (e) {
      failed++;
      console.log(`imagepolicy ${name}: ${(e as Error).message}`);
    }
  }
  report('imagepolicy api-testdata', passed, failed);
  assert.equal(failed, 0);
});
