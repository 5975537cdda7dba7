import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { openStore } from '../store/index.js';
import { interceptInsert } from '../store/intercept.js';
import { AuditReceiver, eventsOfBody } from './receiver.js';
import { Ingestor } from './ingest.js';

const day = readFileSync(new URL('../../examples/audit/cluster-day.jsonl', import.meta.url), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const list = (items: unknown[]) => ({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items });

test('batches arriving together share one commit, and each is answered with its own outcome', async () => {
  const store = await openStore(':memory:');
  let inserts = 0;
  const counting = interceptInsert(store, (insert, items) => { inserts++; return insert(items); });
  const receiver = new AuditReceiver(new Ingestor({ store: counting }), { report: () => {} });
  try {
    const [a, b, c] = await Promise.all([
      receiver.receive(list(day.slice(0, 50))),
      receiver.receive(list(day.slice(40, 60))), // 10 events overlap with the first batch
      receiver.receive(list([day[70], { kind: 'Event', auditID: 'no-time' }])),
    ]);
    assert.equal(inserts, 1);
    assert.deepEqual(a.body, { stored: 50, duplicates: 0, rejected: 0 });
    assert.deepEqual(b.body, { stored: 10, duplicates: 10, rejected: 0 });
    assert.deepEqual(c.body, { stored: 1, duplicates: 0, rejected: 1 });
    assert.equal((await store.stats()).events, 61);
    assert.deepEqual([...receiver.counters.answers], [[200, 3]]);
  } finally {
    await store.close();
  }
});

test('what the webhook accepts as a body', () => {
  assert.deepEqual(eventsOfBody(list([])), []);
  assert.deepEqual(eventsOfBody({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1beta1', items: null }), []);
  assert.equal(eventsOfBody({ kind: 'EventList', items: {} }), 'EventList.items is not an array');
  assert.equal(eventsOfBody('x'), 'expected an audit.k8s.io EventList object');
  assert.equal(eventsOfBody({ apiVersion: 'v1' }), 'expected kind EventList or Event, got no kind');
  assert.deepEqual(eventsOfBody({ kind: 'Event', auditID: 'a' }), [{ kind: 'Event', auditID: 'a' }]);
});
