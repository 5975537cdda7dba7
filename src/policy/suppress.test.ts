import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseYamlText } from '../model/parse.js';
import type { Finding, Resource } from '../model/index.js';
import {
  Suppressor,
  applySuppressions,
  matchesCheck,
  parseConfigText,
  parseIgnoreAnnotation,
  type IgnoreRule,
  type PalisadeConfig,
} from './index.js';

function resource(text: string, file = 'deploy.yaml'): Resource {
  const { resources, errors } = parseYamlText(text, file);
  assert.deepEqual(errors, []);
  assert.equal(resources.length, 1);
  return resources[0];
}

function finding(check: string, r: Resource): Finding {
  return {
    check,
    severity: 'high',
    title: check,
    message: `${check} failed`,
    resource: r.ref(),
    path: 'spec',
    line: r.line,
    remediation: 'fix it',
    stride: ['E'],
    suppressed: false,
  };
}

function deployment(opts: { annotations?: string; podAnnotations?: string; namespace?: string; name?: string } = {}): string {
  return [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${opts.name ?? 'web'}`,
    ...(opts.namespace ? [`  namespace: ${opts.namespace}`] : []),
    ...(opts.annotations ? ['  annotations:', ...opts.annotations.split('\n').map((l) => `    ${l}`)] : []),
    'spec:',
    '  template:',
    '    metadata:',
    '      labels: {app: web}',
    ...(opts.podAnnotations ? ['      annotations:', ...opts.podAnnotations.split('\n').map((l) => `        ${l}`)] : []),
    '    spec:',
    '      containers:',
    '        - name: app',
    '          image: nginx:1.27',
    '',
  ].join('\n');
}

const NOW = new Date('2026-03-15T12:00:00Z');

function rules(...rs: IgnoreRule[]): PalisadeConfig {
  return { ignore: rs };
}

/** [check, suppressed, kind, reason] for compact assertions. */
function summary(fs: readonly Finding[]): Array<[string, boolean, string?, string?]> {
  return fs.map((f) => (f.suppression ? [f.check, f.suppressed, f.suppression.kind, f.suppression.reason] : [f.check, f.suppressed]));
}

test('matchesCheck: exact ids, globs, * and all', () => {
  const id = 'pss/restricted/runAsNonRoot';
  assert.equal(matchesCheck(id, id), true);
  assert.equal(matchesCheck('pss/restricted/runasnonroot', id), false);
  assert.equal(matchesCheck('pss/restricted/runAsNonRoot2', id), false);
  assert.equal(matchesCheck('pss/restricted/*', id), true);
  assert.equal(matchesCheck('pss/baseline/*', id), false);
  assert.equal(matchesCheck('pss/*', id), true);
  assert.equal(matchesCheck('pss/*/runAsNonRoot', id), true);
  assert.equal(matchesCheck('pss/restricted/{runAsUser,runAsNonRoot}', id), true);
  assert.equal(matchesCheck('pss/restricted/runAs?onRoot', id), true);
  assert.equal(matchesCheck('*', id), true);
  assert.equal(matchesCheck('all', id), true);
  assert.equal(matchesCheck('ALL', 'x'), true);
  assert.equal(matchesCheck('pss', id), false);
});

test('parseIgnoreAnnotation tolerates whitespace and empty items', () => {
  assert.deepEqual(parseIgnoreAnnotation(' a ,b,, c\n d '), ['a', 'b', 'c', 'd']);
  assert.deepEqual(parseIgnoreAnnotation('  '), []);
});

test('annotation on the object suppresses the listed checks, with its reason', () => {
  const r = resource(
    deployment({
      annotations: [
        'palisade.dev/ignore: "pss/restricted/runAsNonRoot, pss/baseline/hostPath"',
        'palisade.dev/ignore-reason: "legacy image"',
      ].join('\n'),
    }),
  );
  const input = ['pss/restricted/runAsNonRoot', 'pss/baseline/hostPath', 'pss/restricted/seccompProfile'].map((c) => finding(c, r));
  const { findings, warnings } = applySuppressions(input, r, { ignore: [] }, NOW);
  assert.deepEqual(summary(findings), [
    ['pss/restricted/runAsNonRoot', true, 'annotation', 'legacy image'],
    ['pss/baseline/hostPath', true, 'annotation', 'legacy image'],
    ['pss/restricted/seccompProfile', false],
  ]);
  assert.deepEqual(warnings, []);
  // the inputs are not modified and nothing is dropped
  assert.equal(input[0].suppressed, false);
  assert.equal(findings.length, 3);
  assert.equal(findings[0].message, 'pss/restricted/runAsNonRoot failed');
});

test('annotation on the pod template of a Deployment suppresses, default reason', () => {
  const r = resource(deployment({ podAnnotations: 'palisade.dev/ignore: pss/restricted/*' }));
  const { findings } = applySuppressions(
    [finding('pss/restricted/runAsNonRoot', r), finding('pss/baseline/privileged', r)],
    r,
    { ignore: [] },
    NOW,
  );
  assert.deepEqual(summary(findings), [
    ['pss/restricted/runAsNonRoot', true, 'annotation', 'suppressed by palisade.dev/ignore annotation'],
    ['pss/baseline/privileged', false],
  ]);
});

test('a reason on the object applies to an ignore on the pod template', () => {
  const r = resource(
    deployment({ annotations: 'palisade.dev/ignore-reason: accepted risk', podAnnotations: 'palisade.dev/ignore: "all"' }),
  );
  const { findings } = applySuppressions([finding('x/y', r)], r, { ignore: [] }, NOW);
  assert.deepEqual(summary(findings), [['x/y', true, 'annotation', 'accepted risk']]);
});

test('annotation "*" on a Pod suppresses everything', () => {
  const r = resource(
    ['apiVersion: v1', 'kind: Pod', 'metadata:', '  name: p', '  annotations:', '    palisade.dev/ignore: "*"', 'spec:', '  containers: []', ''].join('\n'),
    'pod.yaml',
  );
  const { findings } = applySuppressions([finding('a', r), finding('pss/b/c', r)], r, { ignore: [] }, NOW);
  assert.deepEqual(summary(findings), [
    ['a', true, 'annotation', 'suppressed by palisade.dev/ignore annotation'],
    ['pss/b/c', true, 'annotation', 'suppressed by palisade.dev/ignore annotation'],
  ]);
});

test('config ignores: exact and glob checks, with reason or a default naming the entry', () => {
  const { config, errors } = parseConfigText(
    ['ignore:', '  - check: pss/restricted/runAsNonRoot', '    reason: vendor image', '  - check: "pss/baseline/*"', ''].join('\n'),
    '.palisade.yaml',
  );
  assert.deepEqual(errors, []);
  const r = resource(deployment());
  const { findings, warnings } = applySuppressions(
    ['pss/restricted/runAsNonRoot', 'pss/baseline/hostPath', 'pss/restricted/capabilities'].map((c) => finding(c, r)),
    r,
    config,
    NOW,
  );
  assert.deepEqual(summary(findings), [
    ['pss/restricted/runAsNonRoot', true, 'config', 'vendor image'],
    ['pss/baseline/hostPath', true, 'config', 'suppressed by .palisade.yaml:4'],
    ['pss/restricted/capabilities', false],
  ]);
  assert.deepEqual(warnings, []);
});

test('the annotation wins over a config entry', () => {
  const r = resource(deployment({ annotations: 'palisade.dev/ignore: a' }));
  const { findings } = applySuppressions([finding('a', r)], r, rules({ check: 'a', reason: 'from config' }), NOW);
  assert.deepEqual(summary(findings), [['a', true, 'annotation', 'suppressed by palisade.dev/ignore annotation']]);
});

test('kind filter is exact and case-sensitive', () => {
  const r = resource(deployment());
  const check = (kind: string) => applySuppressions([finding('c', r)], r, rules({ check: 'c', kind }), NOW).findings[0].suppressed;
  assert.equal(check('Deployment'), true);
  assert.equal(check('deployment'), false);
  assert.equal(check('Deploy*'), false);
  assert.equal(check('StatefulSet'), false);
});

test('namespace filter is a glob; resources without a namespace do not match it', () => {
  const inWeb = resource(deployment({ namespace: 'web-prod' }));
  const noNs = resource(deployment());
  const s = new Suppressor(rules({ check: '*', namespace: 'web-*' }), NOW);
  assert.equal(s.apply([finding('c', inWeb)], inWeb)[0].suppressed, true);
  assert.equal(s.apply([finding('c', noNs)], noNs)[0].suppressed, false);
  const other = resource(deployment({ namespace: 'api' }));
  assert.equal(s.apply([finding('c', other)], other)[0].suppressed, false);
});

test('name filter is a glob', () => {
  const s = new Suppressor(rules({ check: 'c', name: 'legacy-*' }), NOW);
  const legacy = resource(deployment({ name: 'legacy-billing' }));
  const modern = resource(deployment({ name: 'billing' }));
  assert.equal(s.apply([finding('c', legacy)], legacy)[0].suppressed, true);
  assert.equal(s.apply([finding('c', modern)], modern)[0].suppressed, false);
});

test('file filter is a glob on the resource file, with forward slashes', () => {
  const s = new Suppressor(rules({ check: 'c', file: 'charts/**' }), NOW);
  const inChart = resource(deployment(), 'charts/web/templates/deploy.yaml');
  const dotted = resource(deployment(), './charts/web/deploy.yaml');
  const windows = resource(deployment(), 'charts\\web\\deploy.yaml');
  const elsewhere = resource(deployment(), 'manifests/deploy.yaml');
  assert.equal(s.apply([finding('c', inChart)], inChart)[0].suppressed, true);
  assert.equal(s.apply([finding('c', dotted)], dotted)[0].suppressed, true);
  assert.equal(s.apply([finding('c', windows)], windows)[0].suppressed, true);
  assert.equal(s.apply([finding('c', elsewhere)], elsewhere)[0].suppressed, false);
});

test('all filters of an entry must match', () => {
  const s = new Suppressor(rules({ check: 'pss/*', kind: 'Deployment', namespace: 'web', name: 'api', file: '*.yaml' }), NOW);
  const yes = resource(deployment({ namespace: 'web', name: 'api' }));
  const wrongName = resource(deployment({ namespace: 'web', name: 'ui' }));
  assert.equal(s.apply([finding('pss/a/b', yes)], yes)[0].suppressed, true);
  assert.equal(s.apply([finding('other/a', yes)], yes)[0].suppressed, false);
  assert.equal(s.apply([finding('pss/a/b', wrongName)], wrongName)[0].suppressed, false);
});

test('an expired ignore does not suppress and is warned about once', () => {
  const text = [
    'failOn: high', // 1
    'ignore:', // 2
    '  - check: other', // 3
    '  - check: pss/baseline/hostPath', // 4
    '    expires: 2027-01-01', // 5
    '  - check: pss/restricted/runAsNonRoot', // 6
    '    expires: 2026-01-31', // 7
    '    reason: vendor image', // 8
    '  - check: never-matches', // 9
    '    expires: 2025-12-01T00:00:00Z', // 10
  ].join('\n');
  const { config, errors } = parseConfigText(text, '.palisade.yaml');
  assert.deepEqual(errors, []);
  const s = new Suppressor(config, NOW);
  const a = resource(deployment({ name: 'a' }));
  const b = resource(deployment({ name: 'b' }));
  for (const r of [a, b]) {
    const out = s.apply([finding('pss/restricted/runAsNonRoot', r), finding('pss/baseline/hostPath', r)], r);
    assert.deepEqual(summary(out), [
      ['pss/restricted/runAsNonRoot', false],
      ['pss/baseline/hostPath', true, 'config', 'suppressed by .palisade.yaml:4'],
    ]);
  }
  assert.deepEqual(s.warnings(), [
    '.palisade.yaml:6: ignore for pss/restricted/runAsNonRoot expired on 2026-01-31; findings are reported again',
    '.palisade.yaml:9: ignore for never-matches expired on 2025-12-01T00:00:00Z and no longer applies',
  ]);
  // the one-shot form reports only what its findings hit
  const one = applySuppressions([finding('pss/restricted/runAsNonRoot', a)], a, config, NOW);
  assert.equal(one.findings[0].suppressed, false);
  assert.deepEqual(one.warnings, [
    '.palisade.yaml:6: ignore for pss/restricted/runAsNonRoot expired on 2026-01-31; findings are reported again',
  ]);
});

test('an expired entry is not "reported again" when another entry suppresses the finding', () => {
  const { config } = parseConfigText(
    ['ignore:', '  - check: c', '    expires: 2026-01-01', '  - check: "*"', '    reason: everything'].join('\n'),
    'p.yaml',
  );
  const s = new Suppressor(config, NOW);
  const r = resource(deployment());
  assert.deepEqual(summary(s.apply([finding('c', r)], r)), [['c', true, 'config', 'everything']]);
  assert.deepEqual(s.warnings(), ['p.yaml:2: ignore for c expired on 2026-01-01 and no longer applies']);
});

test('an ignore expiring today still suppresses, through the end of the UTC day', () => {
  const { config } = parseConfigText('ignore:\n  - check: c\n    expires: 2026-03-15\n', 'p.yaml');
  const r = resource(deployment());
  for (const now of ['2026-03-15T00:00:00Z', '2026-03-15T12:00:00Z', '2026-03-15T23:59:59.999Z']) {
    const { findings, warnings } = applySuppressions([finding('c', r)], r, config, new Date(now));
    assert.equal(findings[0].suppressed, true, now);
    assert.deepEqual(warnings, []);
  }
  const next = applySuppressions([finding('c', r)], r, config, new Date('2026-03-16T00:00:00Z'));
  assert.equal(next.findings[0].suppressed, false);
  assert.deepEqual(next.warnings, ['p.yaml:2: ignore for c expired on 2026-03-15; findings are reported again']);
});

test('an ignore with a timestamp expires at that instant', () => {
  const { config } = parseConfigText('ignore:\n  - check: c\n    expires: "2026-03-15T12:00:00Z"\n', 'p.yaml');
  const r = resource(deployment());
  assert.equal(applySuppressions([finding('c', r)], r, config, new Date('2026-03-15T12:00:00Z')).findings[0].suppressed, true);
  assert.equal(applySuppressions([finding('c', r)], r, config, new Date('2026-03-15T12:00:00.001Z')).findings[0].suppressed, false);
});

test('findings already suppressed upstream are left as they are', () => {
  const r = resource(deployment());
  const pre: Finding = { ...finding('c', r), suppressed: true, suppression: { kind: 'annotation', reason: 'earlier' } };
  const { findings } = applySuppressions([pre], r, rules({ check: '*' }), NOW);
  assert.equal(findings[0], pre);
});

test('rules built in code (no source) still work and warn without a location', () => {
  const s = new Suppressor(rules({ check: 'c', expires: new Date('2026-01-01T23:59:59.999Z'), expiresText: '2026-01-01' }), NOW);
  const r = resource(deployment());
  assert.equal(s.apply([finding('c', r)], r)[0].suppressed, false);
  assert.deepEqual(s.warnings(), ['ignore for c expired on 2026-01-01; findings are reported again']);
  const plain = new Suppressor(rules({ check: 'c' }), NOW);
  assert.deepEqual(summary(plain.apply([finding('c', r)], r)), [['c', true, 'config', 'suppressed by config']]);
});

test('noteExpiredMatched merges what other Suppressors saw', () => {
  const { config } = parseConfigText(
    ['ignore:', '  - check: a', '    expires: 2026-01-01', '  - check: b', '    expires: 2026-01-02', '  - check: c'].join('\n'),
    'p.yaml',
  );
  const main = new Suppressor(config, NOW);
  const worker = new Suppressor(config, NOW);
  const r = resource(deployment());
  worker.apply([finding('b', r), finding('c', r)], r);
  assert.deepEqual(worker.expiredMatched().map((x) => x.check), ['b']);
  main.noteExpiredMatched([...worker.expiredMatched(), config.ignore[2]]); // c is not expired: ignored
  assert.deepEqual(main.expiredMatched().map((x) => x.check), ['b']);
  assert.deepEqual(main.warnings(), [
    'p.yaml:2: ignore for a expired on 2026-01-01 and no longer applies',
    'p.yaml:4: ignore for b expired on 2026-01-02; findings are reported again',
  ]);
});
