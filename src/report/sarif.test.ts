import { test } from 'node:test';
import assert from 'node:assert/strict';
import { artifactLocation, fingerprint, renderSarif, ruleName, sarifLevel } from './sarif.js';
import { emptyResult, sampleResult } from './fixture.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Json = any;

function render(cwd?: string): Json {
  const out = renderSarif(sampleResult(), { toolVersion: '1.2.3', ...(cwd ? { cwd } : {}) });
  assert.ok(out.endsWith('}\n'));
  return JSON.parse(out);
}

test('sarif: envelope and driver', () => {
  const doc = render();
  assert.equal(doc.$schema, 'https://json.schemastore.org/sarif-2.1.0.json');
  assert.equal(doc.version, '2.1.0');
  assert.equal(doc.runs.length, 1);
  const driver = doc.runs[0].tool.driver;
  assert.equal(driver.name, 'palisade');
  assert.equal(driver.version, '1.2.3');
  assert.equal(driver.informationUri, 'https://github.com/palisade-dev/palisade');
});

test('sarif: one rule per check with findings, plus unknown checks', () => {
  const rules = render().runs[0].tool.driver.rules;
  assert.deepEqual(rules.map((r: Json) => r.id), [
    'privileged-container', 'run-as-root', 'missing-resource-limits', 'service-nodeport', 'rbac-wildcard',
    'custom-label-policy',
  ], 'host-network has no findings; custom check appended');
  const priv = rules[0];
  assert.equal(priv.name, 'PrivilegedContainer');
  assert.equal(priv.shortDescription.text, 'Container runs privileged');
  assert.equal(priv.fullDescription.text, 'A privileged container has all capabilities and access to host devices.');
  assert.ok(priv.help.text.includes('Set securityContext.privileged to false.'));
  assert.ok(priv.help.markdown.includes('**Remediation:** Set securityContext.privileged to false.'));
  assert.equal(priv.defaultConfiguration.level, 'error');
  assert.deepEqual(priv.properties.tags, ['security', 'STRIDE:Elevation of privilege']);
  assert.equal(priv.helpUri, 'https://palisade.dev/checks/privileged-container');
  assert.equal(rules[1].helpUri, undefined);
  assert.deepEqual(rules[1].properties.tags, ['security', 'STRIDE:Elevation of privilege', 'STRIDE:Tampering']);
  const sev = Object.fromEntries(rules.map((r: Json) => [r.id, r.properties['security-severity']]));
  assert.deepEqual(sev, {
    'privileged-container': '9.5', 'run-as-root': '8.0', 'missing-resource-limits': '5.5',
    'service-nodeport': '3.0', 'rbac-wildcard': '8.0', 'custom-label-policy': '1.0',
  });
  for (const r of rules) assert.equal(typeof r.properties['security-severity'], 'string');
  const levels = rules.map((r: Json) => r.defaultConfiguration.level);
  assert.deepEqual(levels, ['error', 'error', 'warning', 'note', 'error', 'note']);
  const custom = rules[5];
  assert.equal(custom.shortDescription.text, 'Missing owner label');
  assert.deepEqual(custom.properties.tags, ['security', 'STRIDE:Repudiation']);
});

test('sarif: results point at the right rule and location', () => {
  const run = render().runs[0];
  const rules = run.tool.driver.rules;
  assert.equal(run.results.length, 7);
  for (const r of run.results) {
    assert.equal(rules[r.ruleIndex].id, r.ruleId);
    const loc = r.locations[0].physicalLocation;
    assert.equal(loc.artifactLocation.uriBaseId, '%SRCROOT%');
    assert.ok(Number.isInteger(loc.region.startLine) && loc.region.startLine >= 1);
    assert.match(r.partialFingerprints['palisade/v1'], /^[0-9a-f]{64}$/);
  }
  const priv = run.results[0];
  assert.equal(priv.ruleId, 'privileged-container');
  assert.equal(priv.level, 'error');
  assert.equal(priv.message.text, 'Container "api" runs privileged');
  assert.deepEqual(priv.locations[0].physicalLocation, {
    artifactLocation: { uri: 'deploy.yaml', uriBaseId: '%SRCROOT%' },
    region: { startLine: 31 },
  });
  assert.deepEqual(priv.locations[0].logicalLocations, [
    { name: 'Deployment/web/api', kind: 'resource', fullyQualifiedName: 'apps/v1:Deployment/web/api' },
  ]);
  assert.deepEqual(priv.properties, {
    path: 'spec.template.spec.containers[0].securityContext.privileged',
    resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'web', name: 'api', file: 'deploy.yaml', line: 12 },
    stride: ['E'],
  });
  assert.equal(priv.suppressions, undefined);
  const role = run.results.find((r: Json) => r.ruleId === 'rbac-wildcard');
  assert.equal(role.locations[0].physicalLocation.artifactLocation.uri, 'rbac/roles.yaml');
  assert.equal(role.locations[0].logicalLocations[0].name, 'ClusterRole/ops-admin');
  const low = run.results.find((r: Json) => r.ruleId === 'service-nodeport');
  assert.equal(low.level, 'note');
});

test('sarif: suppressed findings carry suppressions', () => {
  const run = render().runs[0];
  const s = run.results.filter((r: Json) => r.suppressions);
  assert.equal(s.length, 1);
  assert.equal(s[0].ruleId, 'missing-resource-limits');
  assert.deepEqual(s[0].suppressions, [{ kind: 'inSource', justification: 'limits set by LimitRange' }]);
  const r = sampleResult();
  r.findings[3]!.suppression = { kind: 'config', reason: 'accepted risk (SEC-12)' };
  const doc = JSON.parse(renderSarif(r, { toolVersion: '1.2.3' }));
  assert.deepEqual(doc.runs[0].results[3].suppressions, [{ kind: 'external', justification: 'accepted risk (SEC-12)' }]);
});

test('sarif: fingerprints are stable and distinguish paths', () => {
  const a = render().runs[0].results.map((r: Json) => r.partialFingerprints['palisade/v1']);
  const b = render().runs[0].results.map((r: Json) => r.partialFingerprints['palisade/v1']);
  assert.deepEqual(a, b);
  assert.equal(new Set(a).size, a.length, 'all distinct');
  // run-as-root on containers[0] vs containers[1]: same check and resource, different paths.
  assert.notEqual(a[1], a[2]);
  // Independent of line numbers and file names.
  const f = sampleResult().findings[0]!;
  assert.equal(fingerprint(f), fingerprint({ ...f, line: 99, resource: { ...f.resource, file: 'moved.yaml', line: 70 } }));
  assert.notEqual(fingerprint(f), fingerprint({ ...f, path: 'spec.hostPID' }));
});

test('sarif: input errors become notifications', () => {
  const inv = render().runs[0].invocations[0];
  assert.equal(inv.executionSuccessful, false);
  assert.deepEqual(inv.toolExecutionNotifications, [{
    level: 'error',
    message: { text: 'bad indentation of a mapping entry' },
    locations: [{ physicalLocation: {
      artifactLocation: { uri: 'broken.yaml', uriBaseId: '%SRCROOT%' }, region: { startLine: 3 },
    } }],
  }]);
  const ok = JSON.parse(renderSarif(emptyResult(), { toolVersion: '0.0.1' }));
  assert.equal(ok.runs[0].invocations[0].executionSuccessful, true);
  assert.deepEqual(ok.runs[0].results, []);
  assert.deepEqual(ok.runs[0].tool.driver.rules, []);
  const noLine = emptyResult();
  noLine.errors.push({ file: 'gone.yaml', message: 'ENOENT' });
  const n = JSON.parse(renderSarif(noLine, { toolVersion: '0.0.1' })).runs[0].invocations[0].toolExecutionNotifications[0];
  assert.deepEqual(n.locations[0].physicalLocation, { artifactLocation: { uri: 'gone.yaml', uriBaseId: '%SRCROOT%' } });
});

test('sarif: artifact URIs', () => {
  assert.deepEqual(artifactLocation('k8s\\app\\deploy.yaml'), { uri: 'k8s/app/deploy.yaml', uriBaseId: '%SRCROOT%' });
  assert.deepEqual(artifactLocation('./k8s/deploy.yaml'), { uri: 'k8s/deploy.yaml', uriBaseId: '%SRCROOT%' });
  assert.deepEqual(artifactLocation('/repo/k8s/deploy.yaml', '/repo'), { uri: 'k8s/deploy.yaml', uriBaseId: '%SRCROOT%' });
  assert.deepEqual(artifactLocation('/repo/k8s/deploy.yaml', '/repo/'), { uri: 'k8s/deploy.yaml', uriBaseId: '%SRCROOT%' });
  assert.deepEqual(artifactLocation('C:\\repo\\k8s\\a.yaml', 'c:\\repo'), { uri: 'k8s/a.yaml', uriBaseId: '%SRCROOT%' });
  assert.deepEqual(artifactLocation('/repository/x.yaml', '/repo'), { uri: 'file:///repository/x.yaml' });
  assert.deepEqual(artifactLocation('my dir/a#1.yaml'), { uri: 'my%20dir/a%231.yaml', uriBaseId: '%SRCROOT%' });
  const doc = JSON.parse(renderSarif(
    { ...sampleResult(), findings: [{ ...sampleResult().findings[0]!, line: 0 }] }, { toolVersion: 'x' }));
  assert.equal(doc.runs[0].results[0].locations[0].physicalLocation.region.startLine, 1);
});

test('sarif: helpers', () => {
  assert.equal(ruleName('run-as-root'), 'RunAsRoot');
  assert.equal(ruleName('PSS.baseline/host_ports'), 'PSSBaselineHostPorts');
  assert.equal(sarifLevel('critical'), 'error');
  assert.equal(sarifLevel('info'), 'note');
});
