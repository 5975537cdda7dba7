import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderJson } from './json.js';
import { emptyResult, sampleResult } from './fixture.js';

test('json: top-level keys, order and trailing newline', () => {
  const out = renderJson(sampleResult());
  assert.ok(out.endsWith('}\n'));
  assert.ok(!out.endsWith('\n\n'));
  assert.ok(out.startsWith('{\n  "version": 1,\n  "findings": ['), 'pretty-printed with 2 spaces');
  const doc = JSON.parse(out);
  assert.deepEqual(Object.keys(doc), ['version', 'findings', 'summary', 'errors', 'warnings']);
  assert.equal(doc.version, 1);
});

test('json: finding keys in contract order, optional keys omitted', () => {
  const doc = JSON.parse(renderJson(sampleResult()));
  assert.equal(doc.findings.length, 7, 'suppressed findings are included');
  const [priv, root] = doc.findings;
  assert.deepEqual(Object.keys(priv), [
    'check', 'severity', 'title', 'message', 'resource', 'path', 'line', 'remediation', 'stride', 'refs', 'suppressed',
  ]);
  assert.deepEqual(Object.keys(root), [
    'check', 'severity', 'title', 'message', 'resource', 'path', 'line', 'remediation', 'stride', 'suppressed',
  ]);
  assert.deepEqual(priv, {
    check: 'privileged-container',
    severity: 'critical',
    title: 'Container runs privileged',
    message: 'Container "api" runs privileged',
    resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'web', name: 'api', file: 'deploy.yaml', line: 12 },
    path: 'spec.template.spec.containers[0].securityContext.privileged',
    line: 31,
    remediation: 'Set securityContext.privileged to false.',
    stride: ['E'],
    refs: ['https://kubernetes.io/docs/concepts/security/pod-security-standards/'],
    suppressed: false,
  });
  assert.deepEqual(Object.keys(priv.resource), ['apiVersion', 'kind', 'namespace', 'name', 'file', 'line']);
  const role = doc.findings.find((f: { check: string }) => f.check === 'rbac-wildcard');
  assert.deepEqual(Object.keys(role.resource), ['apiVersion', 'kind', 'name', 'file', 'line'], 'no namespace key');
});

test('json: suppressed finding carries suppression after suppressed', () => {
  const doc = JSON.parse(renderJson(sampleResult()));
  const s = doc.findings.find((f: { suppressed: boolean }) => f.suppressed);
  assert.equal(s.check, 'missing-resource-limits');
  const keys = Object.keys(s);
  assert.deepEqual(keys.slice(-2), ['suppressed', 'suppression']);
  assert.deepEqual(s.suppression, { kind: 'annotation', reason: 'limits set by LimitRange' });
});

test('json: summary, errors and warnings printed as given', () => {
  const doc = JSON.parse(renderJson(sampleResult()));
  assert.deepEqual(doc.summary, {
    resources: 3, findings: 6, suppressed: 1, bySeverity: { critical: 1, high: 3, medium: 0, low: 1, info: 1 },
  });
  assert.deepEqual(Object.keys(doc.summary), ['resources', 'findings', 'suppressed', 'bySeverity']);
  assert.deepEqual(Object.keys(doc.summary.bySeverity), ['critical', 'high', 'medium', 'low', 'info']);
  assert.deepEqual(doc.errors, [{ file: 'broken.yaml', line: 3, message: 'bad indentation of a mapping entry' }]);
  assert.deepEqual(Object.keys(doc.errors[0]), ['file', 'line', 'message']);
  assert.deepEqual(doc.warnings, ['config ignore for run-as-root on web/api expired on 2024-01-01']);
});

test('json: error without a line has no line key; empty result', () => {
  const r = emptyResult(2);
  r.errors.push({ file: 'dir/unreadable.yaml', message: 'EACCES: permission denied' });
  const doc = JSON.parse(renderJson(r));
  assert.deepEqual(doc.findings, []);
  assert.deepEqual(doc.errors, [{ file: 'dir/unreadable.yaml', message: 'EACCES: permission denied' }]);
  assert.equal(doc.summary.resources, 2);
  assert.deepEqual(doc.warnings, []);
});
