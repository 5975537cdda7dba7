import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isReportFormat, renderReport, REPORT_FORMATS } from './index.js';
import { renderJson } from './json.js';
import { sampleResult } from './fixture.js';

const opts = { color: false, toolVersion: '9.9.9' };

test('renderReport dispatches every format', () => {
  assert.deepEqual([...REPORT_FORMATS], ['table', 'json', 'sarif', 'junit']);
  const r = sampleResult();
  assert.equal(renderReport(r, 'json', opts), renderJson(r));
  assert.match(renderReport(r, 'table', opts), /^Deployment web\/api {2}\(deploy\.yaml:12\)$/m);
  assert.equal(JSON.parse(renderReport(r, 'sarif', opts)).runs[0].tool.driver.version, '9.9.9');
  assert.ok(renderReport(r, 'junit', opts).startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites'));
  for (const f of REPORT_FORMATS) assert.ok(renderReport(r, f, opts).endsWith('\n'));
});

test('renderReport does not modify its input', () => {
  const r = sampleResult();
  const before = JSON.stringify(r);
  for (const f of REPORT_FORMATS) renderReport(r, f, { ...opts, color: true, cwd: '/tmp' });
  assert.equal(JSON.stringify(r), before);
});

test('isReportFormat', () => {
  assert.ok(isReportFormat('sarif'));
  assert.ok(!isReportFormat('xml'));
  assert.ok(!isReportFormat('toString'));
});
