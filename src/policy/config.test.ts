import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, parseConfigText, parseExpiry, isPssVersion } from './index.js';

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-policy-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const VALID = `# .palisade.yaml
failOn: high
pss:
  level: restricted
  version: v1.30
ignore:
  - check: pss/restricted/runAsNonRoot
    kind: Deployment
    namespace: web
    name: "legacy-*"
    file: "charts/**"
    expires: 2026-12-31
    reason: "vendor image needs root until v3"
  - check: "*"
    expires: "2026-01-31T12:00:00+02:00"
`;

test('loads the default .palisade.yaml from the working directory', (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, '.palisade.yaml'), VALID);
  const { config, errors } = loadConfig({ cwd: dir });
  assert.deepEqual(errors, []);
  assert.equal(config.file, '.palisade.yaml');
  assert.equal(config.failOn, 'high');
  assert.deepEqual(config.pss, { level: 'restricted', version: 'v1.30' });
  assert.equal(config.ignore.length, 2);
  assert.deepEqual(config.ignore[0], {
    check: 'pss/restricted/runAsNonRoot',
    kind: 'Deployment',
    namespace: 'web',
    name: 'legacy-*',
    file: 'charts/**',
    expires: new Date('2026-12-31T23:59:59.999Z'),
    expiresText: '2026-12-31',
    reason: 'vendor image needs root until v3',
    source: { file: '.palisade.yaml', line: 7 },
  });
  assert.deepEqual(config.ignore[1], {
    check: '*',
    expires: new Date('2026-01-31T10:00:00Z'),
    expiresText: '2026-01-31T12:00:00+02:00',
    source: { file: '.palisade.yaml', line: 14 },
  });
});

test('a missing default file is an empty config without errors', (t) => {
  const dir = tempDir(t);
  assert.deepEqual(loadConfig({ cwd: dir }), { config: { ignore: [] }, errors: [] });
});

test('a missing explicit file is an error', (t) => {
  const dir = tempDir(t);
  const { config, errors } = loadConfig({ cwd: dir, path: 'conf/palisade.yaml' });
  assert.deepEqual(config, { ignore: [] });
  assert.deepEqual(errors, [{ file: 'conf/palisade.yaml', message: 'cannot read config file: no such file or directory' }]);
});

test('an explicit path is read relative to cwd and named as given', (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'conf'));
  writeFileSync(join(dir, 'conf', 'p.yaml'), 'failOn: none\n');
  const { config, errors } = loadConfig({ cwd: dir, path: 'conf/p.yaml' });
  assert.deepEqual(errors, []);
  assert.deepEqual(config, { file: 'conf/p.yaml', failOn: 'none', ignore: [] });
  // and by absolute path too
  assert.equal(loadConfig({ cwd: tmpdir(), path: join(dir, 'conf', 'p.yaml') }).config.failOn, 'none');
});

test('an explicit path that is a directory is an error', (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'conf'));
  assert.deepEqual(loadConfig({ cwd: dir, path: 'conf' }).errors, [
    { file: 'conf', message: 'cannot read config file: is a directory' },
  ]);
});

test('empty and comment-only files are empty configs', () => {
  assert.deepEqual(parseConfigText('', 'c.yaml'), { config: { file: 'c.yaml', ignore: [] }, errors: [] });
  assert.deepEqual(parseConfigText('# nothing yet\n', 'c.yaml'), { config: { file: 'c.yaml', ignore: [] }, errors: [] });
  assert.deepEqual(parseConfigText('ignore:\n', 'c.yaml'), { config: { file: 'c.yaml', ignore: [] }, errors: [] });
});

test('invalid YAML is reported with its line', (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, '.palisade.yaml'), 'failOn: high\nignore:\n  - check: [a\n    kind: Pod\n');
  const { config, errors } = loadConfig({ cwd: dir });
  assert.deepEqual(config, { file: '.palisade.yaml', ignore: [] });
  assert.ok(errors.length >= 1);
  assert.equal(errors[0].file, '.palisade.yaml');
  assert.equal(errors[0].line, 4);
  assert.match(errors[0].message, /^invalid YAML: /);
  assert.ok(!errors[0].message.includes('\n'));
});

test('duplicate keys are invalid YAML', () => {
  const { errors } = parseConfigText('failOn: high\nfailOn: low\n', 'c.yaml');
  assert.deepEqual(errors, [{ file: 'c.yaml', line: 2, message: 'invalid YAML: Map keys must be unique' }]);
});

test('top-level problems name the line and key; valid keys still load', () => {
  const text = [
    'failOn: urgent', // 1
    'pss:', // 2
    '  level: Restricted', // 3
    '  version: v1.99', // 4
    '  mode: enforce', // 5
    'ignores: []', // 6
    'ignore:', // 7
    '  - check: a', // 8
  ].join('\n');
  const { config, errors } = parseConfigText(text, '.palisade.yaml');
  assert.deepEqual(errors, [
    { file: '.palisade.yaml', line: 1, message: 'failOn: expected one of critical, high, medium, low, none (got "urgent")' },
    { file: '.palisade.yaml', line: 3, message: 'pss.level: expected one of baseline, restricted (got "Restricted")' },
    { file: '.palisade.yaml', line: 4, message: 'pss.version: expected "latest" or v1.0 … v1.37 (got "v1.99")' },
    { file: '.palisade.yaml', line: 5, message: 'pss: unknown key "mode" (expected one of level, version)' },
    { file: '.palisade.yaml', line: 6, message: 'unknown top-level key "ignores" (did you mean "ignore"?)' },
  ]);
  assert.equal(config.failOn, undefined);
  assert.equal(config.pss, undefined);
  assert.deepEqual(config.ignore.map((r) => r.check), ['a']);
});

test('wrong types are reported', () => {
  const text = ['failOn: 3', 'pss: restricted', 'ignore:', '  check: a'].join('\n');
  assert.deepEqual(parseConfigText(text, 'p.yaml').errors, [
    { file: 'p.yaml', line: 1, message: 'failOn: expected one of critical, high, medium, low, none (got the number 3)' },
    { file: 'p.yaml', line: 2, message: 'pss: expected a mapping with keys level, version (found "restricted")' },
    {
      file: 'p.yaml',
      line: 4,
      message: 'ignore: expected a list of entries (found a mapping); start each entry with "- ", as in "- check: pss/restricted/*"',
    },
  ]);
  assert.deepEqual(parseConfigText('- failOn: high\n', 'p.yaml').errors, [
    { file: 'p.yaml', line: 1, message: 'the config file must be a mapping with keys failOn, pss, profile, checks, skipChecks, params, ignore, admission (found a list)' },
  ]);
});

test('an unquoted numeric pss version gets a hint', () => {
  assert.deepEqual(parseConfigText('pss:\n  version: 1.30\n', 'p.yaml').errors, [
    { file: 'p.yaml', line: 2, message: 'pss.version: expected a string such as "v1.37" or "latest" (got the number 1.3; write it as "v1.30")' },
  ]);
});

test('bad ignore entries are skipped, the others load', () => {
  const text = [
    'ignore:', // 1
    '  - kind: Deployment', // 2  no check
    '    name: web', // 3
    '  - check: pss/baseline/hostPath', // 4  good
    '  - check: a', // 5
    '    expires: 2026-02-30', // 6  not a real date
    '  - check: b', // 7
    '    expires: next week', // 8
    '  - check: c', // 9
    '    namspace: web', // 10 typo
    '  - check: 5', // 11
    '  - "pss/*"', // 12
    '  - check: ""', // 13
    '  - check: d', // 14
    '    namespace:', // 15  null filter
    '  - check: e', // 16 good, with time
    '    expires: 2026-03-01T00:00:00Z', // 17
    '    reason:', // 18 empty reason is fine
  ].join('\n');
  const { config, errors } = parseConfigText(text, '.palisade.yaml');
  assert.deepEqual(errors, [
    { file: '.palisade.yaml', line: 2, message: 'ignore[0]: missing required key "check"; entry skipped' },
    {
      file: '.palisade.yaml',
      line: 6,
      message: 'ignore[2].expires: expected a date YYYY-MM-DD or an RFC 3339 timestamp such as 2026-12-31T23:59:59Z (got "2026-02-30"); entry skipped',
    },
    {
      file: '.palisade.yaml',
      line: 8,
      message: 'ignore[3].expires: expected a date YYYY-MM-DD or an RFC 3339 timestamp such as 2026-12-31T23:59:59Z (got "next week"); entry skipped',
    },
    { file: '.palisade.yaml', line: 10, message: 'ignore[4]: unknown key "namspace" (did you mean "namespace"?); entry skipped' },
    { file: '.palisade.yaml', line: 11, message: 'ignore[5].check: expected a string (got the number 5); entry skipped' },
    { file: '.palisade.yaml', line: 12, message: 'ignore[6]: expected a mapping with at least a "check" key (found "pss/*"); entry skipped' },
    { file: '.palisade.yaml', line: 13, message: 'ignore[7].check: must not be empty; entry skipped' },
    { file: '.palisade.yaml', line: 15, message: 'ignore[8].namespace: expected a string (got null); entry skipped' },
  ]);
  assert.deepEqual(config.ignore, [
    { check: 'pss/baseline/hostPath', source: { file: '.palisade.yaml', line: 4 } },
    {
      check: 'e',
      expires: new Date('2026-03-01T00:00:00Z'),
      expiresText: '2026-03-01T00:00:00Z',
      source: { file: '.palisade.yaml', line: 16 },
    },
  ]);
});

test('flow-style entries and a byte-order mark work', () => {
  const { config, errors } = parseConfigText('\uFEFFignore: [{check: x, kind: Pod}]\n', 'p.yaml');
  assert.deepEqual(errors, []);
  assert.deepEqual(config.ignore, [{ check: 'x', kind: 'Pod', source: { file: 'p.yaml', line: 1 } }]);
});

test('parseExpiry: dates run to the end of the UTC day, timestamps to the instant', () => {
  assert.deepEqual(parseExpiry('2026-12-31'), new Date('2026-12-31T23:59:59.999Z'));
  assert.deepEqual(parseExpiry('2028-02-29'), new Date('2028-02-29T23:59:59.999Z'));
  assert.equal(parseExpiry('2027-02-29'), undefined);
  assert.equal(parseExpiry('2026-13-01'), undefined);
  assert.equal(parseExpiry('2026-1-1'), undefined);
  assert.deepEqual(parseExpiry('2026-06-01T08:30:00Z'), new Date('2026-06-01T08:30:00Z'));
  assert.deepEqual(parseExpiry('2026-06-01t08:30:00.5-01:00'), new Date('2026-06-01T09:30:00.500Z'));
  assert.equal(parseExpiry('2026-06-01T08:30:00'), undefined); // no offset
  assert.equal(parseExpiry('2026-06-01T25:00:00Z'), undefined);
  assert.equal(parseExpiry('tomorrow'), undefined);
});

test('isPssVersion accepts latest and v1.0 … v1.37', () => {
  assert.deepEqual(
    ['latest', 'v1.0', 'v1.25', 'v1.37', 'v1.38', 'v1.01', '1.25', 'v2.0', 'Latest'].map(isPssVersion),
    [true, true, true, true, false, false, false, false, false],
  );
});

test('the admission: section is read with a line for each problem; what is valid loads', () => {
  const text = [
    'admission:',
    '  enforce: restricted',
    '  warn: strict',
    '  checks: {enforce: high, warn: sometimes}',
    '  namespaces:',
    '    - names: ["prod-*"]',
    '      enforce: baseline',
    '    - enforce: restricted',
    '  exemptions:',
    '    usernames: [ci-bot]',
    '  mutate: {runAsNonRoot: false}',
    '  images:',
    '    allowedRegistries: [registry.example.com]',
    '    breakGlassAnnotation: my/reason',
    '  onError: allow',
    '',
  ].join('\n');
  const { config, errors } = parseConfigText(text, 'p.yaml');
  assert.deepEqual(errors.map((e) => `${e.line}: ${e.message}`), [
    '3: admission.warn: expected one of privileged, baseline, restricted (got "strict")',
    '4: admission.checks.warn: expected one of critical, high, medium, low, info, none (got "sometimes")',
    '8: admission.namespaces[1]: "names" (namespace names or globs) is required; entry skipped',
    '14: admission.images.breakGlassAnnotation: expected a key containing ".image-policy.k8s.io/" (the API server sends no other annotations), or "" to turn break-glass off (got "my/reason")',
  ]);
  const a = config.admission!;
  assert.equal(a.defaults.pss.enforce, 'restricted');
  assert.equal(a.defaults.pss.warn, 'restricted'); // the default stays
  assert.equal(a.defaults.checks.enforce, 'high');
  assert.equal(a.namespaces.length, 1);
  assert.deepEqual(a.namespaces[0].names, ['prod-*']);
  assert.deepEqual(a.exemptions, { namespaces: ['kube-system'], usernames: ['ci-bot'], runtimeClasses: [] });
  assert.equal(a.mutate.runAsNonRoot, false);
  assert.equal(a.mutate.seccomp, true);
  assert.deepEqual(a.images.allowedRegistries, ['registry.example.com']);
  assert.equal(a.onError, 'allow');
});

test('credential name patterns must be valid RE2: each invalid one is reported at its line and dropped', () => {
  const text = `params:
  credentialNamePatterns:
    - "^dsn$"
    - "(?i)conn(ection)?_?string"
    - "pass(?=word)"
    - "[unclosed"
`;
  const { config, errors } = parseConfigText(text, '.palisade.yaml');
  assert.deepEqual(config.params?.credentialNamePatterns, ['^dsn$', '(?i)conn(ection)?_?string']);
  assert.equal(errors.length, 2);
  assert.deepEqual(errors.map((e) => [e.file, e.line]), [['.palisade.yaml', 5], ['.palisade.yaml', 6]]);
  assert.match(errors[0].message, /^params\.credentialNamePatterns: "pass\(\?=word\)" is not a valid RE2 expression \(.+\); ignored$/);
  // The same invalid pattern twice: each at its own line, and a lone string too.
  const twice = parseConfigText('params:\n  credentialNamePatterns:\n    - "[x"\n    - "[x"\n', '.palisade.yaml');
  assert.deepEqual(twice.errors.map((e) => e.line), [3, 4]);
  const lone = parseConfigText('params:\n  credentialNamePatterns: "[x"\n', '.palisade.yaml');
  assert.deepEqual(lone.config.params?.credentialNamePatterns, []);
  assert.deepEqual(lone.errors.map((e) => e.line), [2]);
});
