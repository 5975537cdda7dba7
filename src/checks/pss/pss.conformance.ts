// Agreement with every pod-security-admission fixture (../shared/data/pss).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataSet, report } from '../../conformance/data.js';
import { parseYamlText, podSpecOf } from '../../model/index.js';
import { evaluatePodSpec, formatPssViolations, parsePssVersion, type PssLevel } from './index.js';

interface Fixture {
  path: string;
  level: PssLevel;
  version: string;
  expect: 'allowed' | 'denied';
  fixtureCheck: string;
}

const dir = dataSet('pss');

test('PSS fixtures: every pass fixture is allowed and every fail fixture denied', { skip: dir === undefined }, () => {
  const fixtures = JSON.parse(readFileSync(join(dir!, 'index.json'), 'utf8')) as Fixture[];
  const failures: string[] = [];
  let passed = 0;
  for (const f of fixtures) {
    const text = readFileSync(join(dir!, 'testdata', f.path), 'utf8');
    const { resources, errors } = parseYamlText(text, f.path);
    const pod = resources.length === 1 ? podSpecOf(resources[0].object) : undefined;
    const minor = parsePssVersion(f.version);
    if (!pod || errors.length > 0 || minor === undefined) {
      failures.push(`${f.path}: could not load (${errors.map((e) => e.message).join('; ')})`);
      continue;
    }
    const results = evaluatePodSpec(pod, { level: f.level, minor });
    const got = results.length === 0 ? 'allowed' : 'denied';
    // A fail fixture must be denied for its own control (or the restricted control replacing it).
    const fired = results.flatMap((r) => [r.control.id, ...(r.control.overrides ?? [])]);
    if (got === f.expect && (f.expect === 'allowed' || fired.includes(f.fixtureCheck))) passed++;
    else if (got === f.expect) failures.push(`${f.path}: denied, but not by ${f.fixtureCheck}: ${formatPssViolations(results)}`);
    else failures.push(`${f.path}: expected ${f.expect}, got ${got}${results.length ? `: ${formatPssViolations(results)}` : ''}`);
  }
  report('pss', passed, failures.length);
  assert.equal(fixtures.length, 4537, 'the PSS data set should hold 4,537 fixtures');
  assert.deepEqual(failures.slice(0, 20), []);
});
