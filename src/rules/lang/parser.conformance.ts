// The condition parser accepts and rejects exactly what libs' filter_parser tests say
// (../shared/data/falco/conformance/filter_parser_cases.json), with libs' messages where given.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataSet, report } from '../../conformance/data.js';
import { ConditionSyntaxError } from '../types.js';
import { parseCondition } from './parser.js';

interface ParserCase {
  test: string;
  input: string;
  expect: 'accept' | 'reject';
  message: string | null;
}

const dir = dataSet('falco');

function outcome(input: string): { ok: true } | { ok: false; message: string } {
  try {
    parseCondition(input);
    return { ok: true };
  } catch (e) {
    if (e instanceof ConditionSyntaxError) return { ok: false, message: e.message };
    throw e;
  }
}

test('filter parser: libs filter_parser.ut.cpp cases', { skip: dir === undefined }, () => {
  const data = JSON.parse(readFileSync(join(dir!, 'conformance', 'filter_parser_cases.json'), 'utf8')) as { cases: ParserCase[] };
  let passed = 0;
  const failures: string[] = [];
  for (const c of data.cases) {
    const got = outcome(c.input);
    let ok = got.ok === (c.expect === 'accept');
    // Upstream's test_accept also re-parses the input surrounded by blanks.
    if (ok && got.ok) ok = outcome(` \n ${c.input} \t `).ok;
    if (ok && !got.ok && c.message) ok = got.message.includes(c.message);
    if (ok) passed++;
    else failures.push(`${c.test}: ${JSON.stringify(c.input)} expected ${c.expect}${c.message ? ` (${c.message})` : ''}, got ${got.ok ? 'accept' : `reject: ${got.message}`}`);
  }
  report('filter parser', passed, failures.length);
  assert.deepEqual(failures, []);
});
