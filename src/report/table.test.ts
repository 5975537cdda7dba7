import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanText, renderTable, TABLE_WIDTH, wrap } from './table.js';
import { emptyResult, sampleResult } from './fixture.js';

const ESC = '\u001b';

test('table: no ANSI escapes with color off', () => {
  const out = renderTable(sampleResult(), { color: false });
  assert.ok(!out.includes(ESC));
  assert.ok(out.endsWith('\n'));
});

test('table: colour on uses ANSI escapes', () => {
  const out = renderTable(sampleResult(), { color: true });
  assert.ok(out.includes(ESC));
  // Same text once the escapes are removed.
  // eslint-disable-next-line no-control-regex
  assert.equal(out.replace(/\u001b\[[0-9;]*m/g, ''), renderTable(sampleResult(), { color: false }));
});

test('table: grouped by resource with file:line locations', () => {
  const out = renderTable(sampleResult(), { color: false });
  const lines = out.split('\n');
  assert.ok(lines.includes('Deployment web/api  (deploy.yaml:12)'), out);
  assert.ok(lines.includes('Service web/api-svc  (deploy.yaml:45)'));
  assert.ok(lines.includes('ClusterRole ops-admin  (rbac/roles.yaml:1)'));
  const priv = lines.find((l) => l.includes('privileged-container'));
  assert.ok(priv, 'privileged finding listed');
  assert.match(priv!, /^ {2}critical +privileged-container +deploy\.yaml:31 +Container "api" runs privileged$/);
  assert.ok(out.includes('deploy.yaml:28'));
  assert.ok(out.includes('deploy.yaml:40'));
  assert.ok(out.includes('deploy.yaml:52'));
  assert.ok(out.includes('rbac/roles.yaml:8'));
  // Findings come under their resource's header.
  const dep = lines.indexOf('Deployment web/api  (deploy.yaml:12)');
  const svc = lines.indexOf('Service web/api-svc  (deploy.yaml:45)');
  assert.ok(dep < lines.indexOf(priv!) && lines.indexOf(priv!) < svc);
});

test('table: suppressed findings are counted, not listed', () => {
  const out = renderTable(sampleResult(), { color: false });
  assert.ok(!out.includes('missing-resource-limits'));
  assert.ok(!out.includes('deploy.yaml:33'));
});

test('table: summary line, errors and warnings', () => {
  const out = renderTable(sampleResult(), { color: false });
  const lines = out.trimEnd().split('\n');
  assert.equal(lines.at(-1),
    '6 findings (1 critical, 3 high, 1 low, 1 info), 1 suppressed, 1 input error, 3 resources scanned');
  assert.ok(lines.includes('  broken.yaml:3: bad indentation of a mapping entry'));
  assert.ok(lines.includes('  config ignore for run-as-root on web/api expired on 2024-01-01'));
  assert.ok(out.indexOf('Input errors') < out.indexOf('Warnings'));
});

test('table: rows fit in 100 columns', () => {
  const r = sampleResult();
  r.findings[1]!.message = 'word '.repeat(60).trim();
  const out = renderTable(r, { color: false });
  for (const line of out.split('\n')) assert.ok(line.length <= TABLE_WIDTH, `too long: ${line}`);
  assert.ok(out.split('\n').filter((l) => l.includes('word')).length > 1, 'long message wrapped');
});

test('table: no findings', () => {
  assert.equal(renderTable(emptyResult(4), { color: false }), 'No findings in 4 resources.\n');
  assert.equal(renderTable(emptyResult(1), { color: false }), 'No findings in 1 resource.\n');
  const r = emptyResult(4);
  r.summary.suppressed = 2;
  r.findings.push({ ...sampleResult().findings[3]! });
  const out = renderTable(r, { color: false });
  assert.ok(out.startsWith('No findings in 4 resources.'), out);
  assert.ok(out.includes('2 suppressed'));
  assert.ok(!out.includes('missing-resource-limits'));
});

test('table: untrusted text cannot inject escapes or lines', () => {
  const r = sampleResult();
  r.findings[0]!.message = `evil\u001b[31mred\nsecond line`;
  r.findings[0]!.resource = { ...r.findings[0]!.resource, name: 'x\u001b]0;title\u0007' };
  const out = renderTable(r, { color: false });
  assert.ok(!out.includes(ESC));
  assert.ok(!out.includes('\u0007'));
  assert.ok(out.includes('evil\\u001b[31mred second line'));
  assert.equal(cleanText('a\tb\u202ec'), 'a b\\u202ec');
});

test('wrap: greedy, splits long words', () => {
  assert.deepEqual(wrap('aa bb cc', 5), ['aa bb', 'cc']);
  assert.deepEqual(wrap('abcdefgh', 3), ['abc', 'def', 'gh']);
  assert.deepEqual(wrap('', 10), ['']);
  assert.deepEqual(wrap('see spec.containers[0].securityContext', 20),
    ['see', 'spec.containers[0].', 'securityContext']);
});
