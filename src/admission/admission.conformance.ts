/**
 * The every-field AdmissionReview fixture from Kubernetes' API test data: every request field
 * decoded, and the answers of /validate and /mutate in the shape kube-apiserver verifies
 * (VerifyAdmissionResponse), with field names and types as in the fixture's own response.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { dataSet, report } from '../conformance/data.js';
import { resolveParams, selectChecks } from '../checks/index.js';
import { emptyConfig } from '../policy/index.js';
import { AdmissionService, Validator, parseAdmissionReview, reviewResponse } from './index.js';

type Obj = Record<string, unknown>;

function sameShape(ours: unknown, theirs: unknown, path: string): void {
  if (theirs === null || typeof theirs !== 'object' || Array.isArray(theirs)) {
    assert.equal(typeof ours, typeof theirs, `${path}: type`);
    return;
  }
  assert.ok(ours !== null && typeof ours === 'object', `${path}: object`);
  for (const k of Object.keys(ours as Obj)) {
    assert.ok(k in (theirs as Obj), `${path}.${k}: not a field of the Kubernetes type`);
    if (!['metadata', 'details', 'auditAnnotations'].includes(k)) sameShape((ours as Obj)[k], (theirs as Obj)[k], `${path}.${k}`);
  }
}

test('api-testdata AdmissionReview (JSON and YAML): decoded in full, answered as the API server requires', () => {
  const dir = dataSet('admission');
  if (!dir) return;
  const { selection } = selectChecks({ profile: 'cks' });
  const service = new AdmissionService(new Validator({ config: emptyConfig(), checks: selection.checks, params: resolveParams() }));
  let passed = 0;
  let failed = 0;
  for (const name of ['json', 'yaml'] as const) {
    const text = readFileSync(join(dir, 'api-testdata', `admission.k8s.io.v1.AdmissionReview.${name}`), 'utf8');
    const fixture = (name === 'json' ? JSON.parse(text) : parse(text)) as Obj;
    try {
      const parsed = parseAdmissionReview(fixture);
      assert.ok(parsed.ok, parsed.ok ? '' : parsed.reason);
      // Every field of the request survives decoding, unchanged.
      assert.deepEqual(parsed.request, fixture.request);
      const theirs = fixture.response as Obj;
      for (const [endpoint, answer] of [['validate', service.validate(fixture)], ['mutate', service.mutate(fixture)]] as const) {
        assert.equal(answer.status, 200, endpoint);
        const body = answer.body as Obj;
        assert.equal(body.apiVersion, 'admission.k8s.io/v1');
        assert.equal(body.kind, 'AdmissionReview');
        const response = body.response as Obj;
        assert.equal(response.uid, 'uidValue');
        // "operationValue" is no operation the API server sends: admitted, with the reason why nothing was checked.
        assert.equal(response.allowed, true);
        assert.deepEqual(response.warnings, ['unknown operation "operationValue": not reviewed by Palisade']);
        assert.equal(response.patch, undefined);
        sameShape(response, theirs, `${endpoint}.response`);
      }
      // A denial and a patch in our wire form have the fixture's field names and types.
      const full = reviewResponse('uidValue', {
        allowed: false, status: { code: 403, message: 'm', reason: 'Forbidden' }, warnings: ['w'], auditAnnotations: { k: 'v' },
        patch: [{ op: 'add', path: '/a', value: 1 }],
      }).response as Obj;
      sameShape(full, theirs, 'denial');
      assert.equal(Buffer.from(String(full.patch), 'base64').toString(), '[{"op":"add","path":"/a","value":1}]');
      passed++;
    } catch (e) {
      failed++;
      console.log(`AdmissionReview ${name}: ${(e as Error).message.slice(0, 1500)}`);
    }
  }
  report('admission api-testdata', passed, failed);
  assert.equal(failed, 0);
});
