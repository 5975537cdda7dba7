import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { simulatePolicy, sizeAtLevel, type SimulationReport } from './simulate.js';
import { simulationJson, simulationTable, formatBytes } from './simulate-format.js';
import { policyOf } from './testkit.js';
import type { Level, PolicyProblem } from './types.js';

type Json = Record<string, any>;

function event(over: Json): Json {
  return {
    kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'RequestResponse', auditID: 'id', stage: 'ResponseComplete',
    requestURI: '/api/v1/namespaces/default/pods', verb: 'get', user: { username: 'alice', groups: ['system:authenticated'] },
    sourceIPs: ['10.0.0.1'], userAgent: 'kubectl/v1.31',
    requestReceivedTimestamp: '2026-01-02T00:00:00.000000Z', stageTimestamp: '2026-01-02T00:00:00.010000Z',
    ...over,
  };
}

const managed = [{ manager: 'kubectl', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:x': {} } } }];
const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default', managedFields: managed }, spec: { containers: [{ name: 'c', image: 'nginx' }] } };
const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default' }, data: { password: 'aHVudGVyMg==' } };

const bytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v));

/** What the apiserver would write: the same event, cut down to the level. */
function rewritten(e: Json, level: Level, omitManagedFields: boolean): Json {
  const out: Json = structuredClone(e);
  out.level = level;
  if (level === 'None' || level === 'Metadata') delete out.requestObject;
  if (level !== 'RequestResponse') delete out.responseObject;
  if (omitManagedFields) {
    for (const k of ['requestObject', 'responseObject']) {
      const o = out[k];
      if (o?.metadata) delete o.metadata.managedFields;
      if (Array.isArray(o?.items)) for (const it of o.items) delete it.metadata?.managedFields;
    }
  }
  return out;
}

test('size at a level is the size of the event as the apiserver would write it', () => {
  const list = { kind: 'PodList', apiVersion: 'v1', metadata: {}, items: [pod, pod] };
  const events = [
    event({ requestObject: pod, responseObject: pod, verb: 'create' }),
    event({ responseObject: list, verb: 'list' }),
    event({ responseObject: secret, objectRef: { resource: 'secrets', namespace: 'default', name: 's' } }),
    event({ level: 'Metadata' }),
  ];
  for (const e of events) {
    for (const level of ['Metadata', 'Request', 'RequestResponse'] as Level[]) {
      for (const omit of [false, true]) {
        assert.equal(sizeAtLevel(e, bytes(e), level, omit), bytes(rewritten(e, level, omit)), `${e.verb} at ${level}, omitManagedFields ${omit}`);
      }
    }
  }
});

function writeLog(dir: string, name: string, events: Json[], extra = ''): string {
  const path = join(dir, name);
  writeFileSync(path, events.map((e) => JSON.stringify(e)).join('\n') + '\n' + extra);
  return path;
}

async function simulate(rules: Parameters<typeof policyOf>[0], events: Json[], opts: Parameters<typeof policyOf>[1] = {}, extra = ''): Promise<{ report: SimulationReport; problems: PolicyProblem[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-sim-'));
  try {
    const problems: PolicyProblem[] = [];
    const report = await simulatePolicy(policyOf(rules, opts), [writeLog(dir, 'audit.log', events, extra)], { onProblem: (p) => problems.push({ ...p, file: p.file.slice(dir.length + 1) }) });
    return { report, problems };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const podsRef = { resource: 'pods', namespace: 'default', apiVersion: 'v1' };

test('per rule: events matched and kept, stages omitted, duplicates once, the no-rule row', async () => {
  const healthz = event({ auditID: 'h', requestURI: '/healthz?verbose=1', level: 'Metadata' });
  const secretReceived = event({ auditID: 's', stage: 'RequestReceived', level: 'Metadata', objectRef: { resource: 'secrets', namespace: 'default', name: 's' } });
  const secretDone = event({ auditID: 's', responseObject: secret, objectRef: { resource: 'secrets', namespace: 'default', name: 's' } });
  const podCreate = event({ auditID: 'p', verb: 'create', requestObject: pod, responseObject: pod, objectRef: podsRef });
  const cmUpdate = event({ auditID: 'c', verb: 'update', objectRef: { resource: 'configmaps', namespace: 'default', name: 'x' } });
  const deployCreate = event({ auditID: 'd', verb: 'create', requestObject: pod, responseObject: pod, objectRef: { resource: 'deployments', apiGroup: 'apps', namespace: 'default' } });
  const { report } = await simulate(
    [
      { level: 'None', nonResourceURLs: ['/healthz*'] },
      { level: 'Metadata', resources: [{ resources: ['secrets'] }] },
      { level: 'RequestResponse', resources: [{ resources: ['pods'] }], omitStages: ['RequestReceived'], omitManagedFields: true },
      { level: 'Request', verbs: ['create'], omitStages: ['RequestReceived'] },
    ],
    [healthz, secretReceived, secretDone, podCreate, podCreate, cmUpdate, deployCreate],
  );
  const rows = report.rules.map((r) => [r.rule, r.level, r.matched, r.kept, r.bytesNow, r.bytesAfter]);
  assert.deepEqual(rows, [
    [0, 'None', 1, 0, bytes(healthz), 0],
    [1, 'Metadata', 2, 2, bytes(secretReceived) + bytes(secretDone), bytes(secretReceived) + bytes(rewritten(secretDone, 'Metadata', false))],
    [2, 'RequestResponse', 2, 1, 2 * bytes(podCreate), bytes(rewritten(podCreate, 'RequestResponse', true))],
    [3, 'Request', 1, 1, bytes(deployCreate), bytes(rewritten(deployCreate, 'Request', false))],
  ]);
  assert.deepEqual([report.noRule.matched, report.noRule.kept, report.noRule.bytesNow, report.noRule.bytesAfter], [1, 0, bytes(cmUpdate), 0]);
  assert.equal(report.events, 7);
  assert.equal(report.duplicates, 1);
  assert.deepEqual(report.totals, {
    matched: 7, kept: 4,
    bytesNow: [healthz, secretReceived, secretDone, podCreate, podCreate, cmUpdate, deployCreate].reduce((n, e) => n + bytes(e), 0),
    bytesAfter: report.rules.reduce((n, r) => n + r.bytesAfter, 0),
    // 10 ms of log, scaled to a day.
    bytesPerDayNow: report.totals.bytesNow * 8_640_000, bytesPerDayAfter: report.totals.bytesAfter * 8_640_000,
  });
  assert.deepEqual(report.span, { from: '2026-01-02T00:00:00.000Z', to: '2026-01-02T00:00:00.010Z', seconds: 0.01 });
});

test('bytes are scaled to a day by the time the log spans', async () => {
  const a = event({ auditID: 'a', stageTimestamp: '2026-01-02T00:00:00.000000Z', requestReceivedTimestamp: '2026-01-02T00:00:00.000000Z' });
  const b = event({ auditID: 'b', stageTimestamp: '2026-01-02T01:00:00.000000Z', requestReceivedTimestamp: '2026-01-02T00:59:59.900000Z' });
  const { report } = await simulate([{ level: 'Metadata' }], [a, b]);
  assert.equal(report.span?.seconds, 3600);
  assert.equal(report.totals.bytesPerDayNow, (bytes(a) + bytes(b)) * 24);
  assert.equal(report.totals.bytesPerDayAfter, report.totals.bytesAfter * 24);
  const json = simulationJson(report) as { rules: Array<{ bytesPerDayAfter: number }> };
  assert.equal(json.rules[0].bytesPerDayAfter, report.totals.bytesAfter * 24);
});

test('a candidate that keeps RequestReceived: the events the log lacks are estimated; a higher level than recorded is flagged', async () => {
  const done = event({ auditID: 'x', level: 'Metadata', responseStatus: { metadata: {}, code: 200 }, objectRef: podsRef });
  const { report } = await simulate([{ level: 'Request' }], [done]);
  const row = report.rules[0];
  assert.equal(row.kept, 2);
  assert.equal(row.estimated, 1);
  const received = structuredClone(done);
  received.stage = 'RequestReceived';
  received.level = 'Request';
  delete received.responseStatus;
  assert.equal(row.bytesAfter, bytes(rewritten(done, 'Request', false)) + bytes(received));
  assert.equal(report.underRecorded, 1);
  assert.match(simulationTable(report), /Note: estimated 1 event at stage RequestReceived that the log lacks/);
  assert.match(simulationTable(report), /Note: 1 event recorded at a lower level than the candidate's/);
});

test('malformed lines are reported with their line and skipped; unreadable inputs are reported without one', async () => {
  const ok = event({ auditID: 'ok' });
  const { report, problems } = await simulate([{ level: 'Metadata' }], [ok], {}, 'not json\n{"kind":"Event","verb":"get"}\n');
  assert.equal(report.events, 1);
  assert.equal(report.malformed, 2);
  assert.deepEqual(problems.map((p) => `${p.file}:${p.line}: ${p.message.split(':')[0]}`), ['audit.log:2: invalid JSON', "audit.log:3: can't read stageTimestamp"]);
  const missing: PolicyProblem[] = [];
  const r = await simulatePolicy(policyOf([{ level: 'Metadata' }]), ['/nonexistent/audit.log'], { onProblem: (p) => missing.push(p) });
  assert.deepEqual(missing, [{ file: '/nonexistent/audit.log', message: 'cannot read: no such file or directory' }]);
  assert.deepEqual(r.inputs, []);
});

test('gzip files and EventLists are read; v1beta1 events too', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-sim-'));
  try {
    const items = [event({ auditID: '1' }), event({ auditID: '2', apiVersion: 'audit.k8s.io/v1beta1', timestamp: '2026-01-02T00:00:00Z' })];
    writeFileSync(join(dir, 'a.log.gz'), gzipSync(items.map((e) => JSON.stringify(e)).join('\n') + '\n'));
    writeFileSync(join(dir, 'list.json'), JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', metadata: {}, items }, null, 2));
    const report = await simulatePolicy(policyOf([{ level: 'Metadata' }], { omitStages: ['RequestReceived'] }), [join(dir, 'a.log.gz'), join(dir, 'list.json')]);
    assert.equal(report.events, 4);
    assert.equal(report.duplicates, 2, 'the same auditID and stage in both files is one event after');
    assert.equal(report.rules[0].kept, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the table: a row per rule, the no-rule row, totals and the comparison', async () => {
  const { report } = await simulate([{ level: 'None', verbs: ['watch'] }, { level: 'Metadata', omitStages: ['RequestReceived'] }], [event({ auditID: 'a', responseObject: pod })]);
  const lines = simulationTable(report).split('\n');
  assert.match(lines[0], /^RULE\s+LINE\s+LEVEL\s+EVENTS\s+KEPT\s+NOW\s+AFTER\s+AFTER\/DAY\s+MATCHES$/);
  assert.match(lines[1], /^rules\[0\]\s+10\s+None\s+0\s+0\s+0 B\s+0 B\s+0 B\s+verbs watch; any resource or URL$/);
  assert.match(lines[2], /^rules\[1\]\s+15\s+Metadata\s+1\s+1\s/);
  assert.match(lines[3], /^no rule\s+-\s+None\s+0\s+0/);
  assert.match(lines[4], /^total\s+1\s+1\s/);
  assert.ok(lines.includes(`Log: ${report.inputs[0]}: 1 event, 2026-01-02T00:00:00.000Z to 2026-01-02T00:00:00.010Z (10 ms)`), lines.join('\n'));
  assert.ok(lines.some((l) => /^With test-policy\.yaml: 1 event, \d+ B \([\d.]+ GiB\/day\), −\d+\.\d%$/.test(l)), lines.join('\n'));
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(formatBytes(10), '10 B');
  assert.equal(formatBytes(5 * 1024 * 1024), '5.0 MiB');
});
