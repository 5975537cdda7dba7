import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { applyJsonPatch, hardeningPatch, parsePointer } from './index.js';

type Json = Record<string, unknown>;

/** An optional field: absent, null (unset to Kubernetes) or one of the values. */
const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(fc.option(arb, { nil: null }), { nil: undefined });

/** Drops the keys whose value is undefined (JSON has no undefined). */
function compact(obj: Record<string, unknown>): Json {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined));
}

const seccomp = fc.constantFrom({ type: 'RuntimeDefault' }, { type: 'Unconfined' }, { type: 'Localhost', localhostProfile: 'p.json' });
const capNames = fc.subarray(['ALL', 'NET_RAW', 'NET_BIND_SERVICE', 'SYS_ADMIN', 'CAP_SYS_ADMIN', 'CHOWN']);

const containerSc = fc.record({
  allowPrivilegeEscalation: opt(fc.boolean()),
  privileged: opt(fc.boolean()),
  runAsNonRoot: opt(fc.boolean()),
  runAsUser: opt(fc.constantFrom(0, 1000)),
  seccompProfile: opt(seccomp),
  capabilities: opt(fc.record({ add: opt(capNames), drop: opt(capNames) }).map(compact)),
}).map(compact);

const container = (name: string) => fc.record({
  securityContext: opt(containerSc),
  volumeMounts: fc.option(fc.constant([{ name: 'token', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }]), { nil: undefined }),
}).map((c) => compact({ name, image: 'registry.example.com/app:1', ...c }));

const containers = (prefix: string, min: number, max: number) =>
  fc.integer({ min, max }).chain((n) => (n === 0 ? fc.constant(undefined) : fc.tuple(...Array.from({ length: n }, (_, i) => container(`${prefix}${i}`)))));

const podSpec = fc.record({
  securityContext: opt(fc.record({
    runAsNonRoot: opt(fc.boolean()),
    runAsUser: opt(fc.constantFrom(0, 1000)),
    seccompProfile: opt(seccomp),
    fsGroup: opt(fc.constant(2000)),
  }).map(compact)),
  os: fc.option(fc.constantFrom({ name: 'linux' }, { name: 'windows' }), { nil: undefined }),
  hostUsers: fc.option(fc.boolean(), { nil: undefined }),
  serviceAccountName: fc.option(fc.constantFrom('', 'default', 'builder'), { nil: undefined }),
  automountServiceAccountToken: opt(fc.boolean()),
  volumes: fc.option(fc.constant([{ name: 'api', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } }]), { nil: undefined }),
  initContainers: containers('init', 0, 2),
  containers: containers('app', 1, 3),
  ephemeralContainers: containers('debug', 0, 1),
}).map(compact);

const workload = fc.tuple(fc.constantFrom('Pod', 'Deployment', 'CronJob', 'PodTemplate'), podSpec, fc.boolean()).map(([kind, spec, annotated]): Json => {
  const metadata = annotated ? { annotations: { 'seccomp.security.alpha.kubernetes.io/pod': 'runtime/default' } } : {};
  const template = { metadata, spec };
  switch (kind) {
    case 'Pod': return { apiVersion: 'v1', kind, metadata: { name: 'p', ...metadata }, spec };
    case 'PodTemplate': return { apiVersion: 'v1', kind, metadata: { name: 'p' }, template };
    case 'CronJob': return { apiVersion: 'batch/v1', kind, metadata: { name: 'p' }, spec: { schedule: '@daily', jobTemplate: { spec: { template } } } };
    default: return { apiVersion: 'apps/v1', kind, metadata: { name: 'p' }, spec: { template } };
  }
});

/** Every non-null leaf of a JSON value (empty objects and arrays count as leaves), with its path. */
function* leaves(v: unknown, path: (string | number)[] = []): Generator<[(string | number)[], unknown]> {
  if (Array.isArray(v) && v.length > 0) {
    for (let i = 0; i < v.length; i++) yield* leaves(v[i], [...path, i]);
  } else if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 0) {
    for (const [k, x] of Object.entries(v)) yield* leaves(x, [...path, k]);
  } else if (v !== null) {
    yield [path, v];
  }
}

function at(v: unknown, path: (string | number)[]): unknown {
  return path.reduce<unknown>((cur, seg) => (cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg] : undefined), v);
}

test('property: the patch applies, is idempotent, never changes a value the input set, and never addresses inside a value it adds', () => {
  fc.assert(
    fc.property(workload, (obj) => {
      const snapshot = JSON.stringify(obj);
      const h = hardeningPatch(obj);
      const out = applyJsonPatch(obj, h.patch); // throws if an operation does not apply
      assert.equal(JSON.stringify(obj), snapshot, 'input untouched');
      assert.deepEqual(hardeningPatch(out).patch, [], 'idempotent');
      for (const [path, value] of leaves(obj)) {
        const now = at(out, path);
        // An empty object or list may have gained members; anything else is exactly as it was.
        if (typeof value === 'object') assert.equal(typeof now, 'object', path.join('.'));
        else assert.equal(now, value, path.join('.'));
      }
      // One sentence per field set; each field the patch sets is one leaf of an operation's value
      // (seccompProfile {type}, drop [ALL] and the appended "ALL" included).
      assert.equal(h.changes.length, h.patch.reduce((n, op) => n + [...leaves(op.value)].length, 0), 'one sentence per change');
      const paths = h.patch.map((op) => parsePointer(op.path)!);
      paths.forEach((p, j) => {
        for (let i = 0; i < j; i++) {
          const inside = paths[i].length < p.length && paths[i].every((seg, k) => seg === p[k]);
          assert.ok(!inside, `${h.patch[j].path} is inside ${h.patch[i].path}, added before it`);
        }
      });
    }),
    { numRuns: 500 },
  );
});
