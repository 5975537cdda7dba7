import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { auditDay, auditDayText } from './audit-corpus.js';

test('examples/audit/cluster-day.jsonl is what the generator writes (run scripts/gen-audit-example.js after changing it)', () => {
  const committed = readFileSync(new URL('../../examples/audit/cluster-day.jsonl', import.meta.url), 'utf8');
  assert.equal(committed, auditDayText());
});

test('the audit day is in time order, in the apiserver log shape, with the attack inside the day', () => {
  const events = [...auditDay({ background: 500 })];
  assert.equal(events.length, 515);
  let last = '';
  for (const e of events) {
    assert.equal(e.apiVersion, 'audit.k8s.io/v1');
    assert.match(e.stageTimestamp, /^2026-11-22T\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.ok(e.stageTimestamp >= last || e.requestReceivedTimestamp >= last.slice(0, 19), `${e.stageTimestamp} after ${last}`);
    last = e.stageTimestamp;
  }
  const exec = events.find((e) => e.objectRef?.subresource === 'exec');
  assert.equal(exec?.responseStatus.code, 101);
  assert.match(exec!.requestURI, /command=sh/);
  assert.equal(new Set(events.map((e) => e.auditID)).size, events.length);
});
