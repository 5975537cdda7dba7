// The pod screen may only skip checks that have nothing to report: every check and PSS
// control must find exactly the same with the screen as without it. Compared on generated
// pods with strange values in every field the screened checks read, on the example and
// fixture sets and on the benchmark's mixed corpus; plus what each area is marked by.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { parseYamlText, type Finding } from '../model/index.js';
import { emptyConfig } from '../policy/index.js';
import { writeMixedCorpus } from '../perf/catalogue.js';
import { Engine, type EngineOptions } from './engine.js';
import { selectChecks, resolveParams } from './catalogue/index.js';
import { parsePssVersion, type PssLevel } from './pss/index.js';
import { scan } from './scan.js';
import { ALL_AREAS, Area, screenPod } from './screen.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Every catalogue check, on or off by default, with PSS at `level` and `version`. */
function engineOptions(level: PssLevel, version: string, screen: boolean): EngineOptions {
  const { selection } = selectChecks({ profile: 'all', pssLevel: level });
  return { pss: { level, minor: parsePssVersion(version)! }, selection, params: resolveParams(), config: emptyConfig(), now: 0, screen };
}

type Row = [string, string, number, string, string];

function rowsOf(findings: readonly Finding[]): Row[] {
  return findings.map((f) => [f.check, f.path, f.line, f.severity, f.message]);
}

const HARDENED = {
  securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
  containers: [{
    name: 'app',
    image: 'registry.example.com/app:1.0',
    ports: [{ containerPort: 8080 }],
    readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
    env: [{ name: 'MODE', value: 'prod' }, { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
    envFrom: [{ configMapRef: { name: 'settings' } }],
    resources: { limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: 0.1 } },
    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
  }],
  volumes: [{ name: 'tmp', emptyDir: {} }],
};

function screenOf(spec: Record<string, unknown>, annotations?: Record<string, string>): number {
  const obj = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', ...(annotations ? { annotations } : {}) }, spec };
  const { resources } = parseYamlText(stringify(obj), 'p.yaml');
  const r = resources[0];
  return screenPod(r.pod!, r.containers, r.object.metadata);
}

function withContainer(sc: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const c = HARDENED.containers[0];
  return { ...HARDENED, containers: [{ ...c, ...extra, securityContext: { ...c.securityContext, ...sc } }] };
}

test('a hardened pod marks no area; each way out of it marks its own', () => {
  assert.equal(screenOf(HARDENED), 0);
  // A hostPath is also a volume source restricted forbids.
  const cases: Array<[keyof typeof Area | 'hostPath+volumeSources', Record<string, unknown>, Record<string, string>?]> = [
    ['hostNamespaces', { ...HARDENED, hostPID: true }],
    ['hostNamespaces', { ...HARDENED, hostIPC: 'yes' }],
    ['hostAliases', { ...HARDENED, hostAliases: [] }],
    ['hostPath+volumeSources', { ...HARDENED, volumes: [{ name: 'h', hostPath: { path: '/etc' } }] }],
    ['volumeSources', { ...HARDENED, volumes: [{ name: 'n', nfs: { server: 'x', path: '/' } }] }],
    ['profileAnnotations', HARDENED, { 'container.apparmor.security.beta.kubernetes.io/app': 'runtime/default' }],
    ['profileAnnotations', HARDENED, { 'seccomp.security.alpha.kubernetes.io/pod': 'runtime/default' }],
    ['seccomp', { ...HARDENED, securityContext: { runAsNonRoot: true } }],
    ['seccomp', withContainer({ seccompProfile: { type: 'Localhost', localhostProfile: 'p.json' } })],
    ['runAsNonRoot', withContainer({ runAsNonRoot: false })],
    ['runAsNonRoot', { ...HARDENED, securityContext: { seccompProfile: { type: 'RuntimeDefault' } } }],
    ['runAsUser', { ...HARDENED, securityContext: { ...HARDENED.securityContext, runAsUser: 0 } }],
    ['sysctls', { ...HARDENED, securityContext: { ...HARDENED.securityContext, sysctls: [] } }],
    ['privileged', withContainer({ privileged: true })],
    ['capabilities', withContainer({ capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } })],
    ['capabilities', withContainer({ capabilities: { drop: 'ALL' } })],
    ['procMount', withContainer({ procMount: 'Unmasked' })],
    ['seLinux', withContainer({ seLinuxOptions: {} })],
    ['appArmor', withContainer({ appArmorProfile: { type: 'RuntimeDefault' } })],
    ['windowsOptions', withContainer({ windowsOptions: { hostProcess: false } })],
    ['privilegeEscalation', withContainer({ allowPrivilegeEscalation: 'false' })],
    ['readOnlyRoot', withContainer({ readOnlyRootFilesystem: null })],
    ['hostPorts', withContainer({}, { ports: [{ containerPort: 80, hostPort: 80 }] })],
    ['hostProbes', withContainer({}, { livenessProbe: { tcpSocket: { host: '10.0.0.1', port: 22 } } })],
    ['hostProbes', withContainer({}, { lifecycle: { preStop: { exec: { command: ['true'] } } } })],
    ['secretEnv', withContainer({}, { env: [{ name: 'P', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] })],
    ['secretEnv', withContainer({}, { envFrom: [{ secretRef: { name: 's' } }] })],
    ['resources', withContainer({}, { resources: { limits: { cpu: '1' } } })],
    ['resources', withContainer({}, { resources: { limits: { cpu: '1', memory: 0 } } })],
    ['resources', withContainer({}, { resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { memory: 'lots' } } })],
    ['resources', withContainer({}, { resources: null })],
  ];
  for (const [area, spec, annotations] of cases) {
    const expected = area === 'hostPath+volumeSources' ? Area.hostPath | Area.volumeSources : Area[area];
    assert.equal(screenOf(spec, annotations), expected, `${area}: ${JSON.stringify(spec)} ${JSON.stringify(annotations ?? {})}`);
  }
  // A container without a securityContext leaves every container-level default unhardened.
  const bare = screenOf({ containers: [{ name: 'c', image: 'nginx' }] });
  for (const area of ['capabilities', 'privilegeEscalation', 'readOnlyRoot', 'seccomp', 'runAsNonRoot'] as const) assert.ok(bare & Area[area], area);
  assert.equal(bare & Area.privileged, 0);
});

// Values of the wrong type, nulls and the borderline spellings the checks must treat exactly.
const odd = fc.constantFrom<unknown>(null, true, false, 0, 1, '', 'true', 'false', 'ALL', [], {});
const profile = fc.constantFrom<unknown>(
  null, 'x', {}, { type: 'RuntimeDefault' }, { type: 'Localhost' }, { type: 'Localhost', localhostProfile: 'profiles/a.json' },
  { type: 'Localhost', localhostProfile: ' ' }, { type: 'Unconfined' }, { type: 'runtimedefault' },
);
const capabilities = fc.constantFrom<unknown>(
  null, 'x', {}, { drop: ['ALL'] }, { drop: ['ALL'], add: [] }, { drop: ['ALL'], add: ['NET_BIND_SERVICE'] }, { drop: ['ALL'], add: ['NET_RAW'] },
  { drop: ['ALL'], add: 'SYS_ADMIN' }, { drop: 'ALL' }, { drop: ['all'] }, { drop: ['NET_RAW'] }, { drop: ['ALL'], add: null },
  { drop: ['ALL'], add: [''] }, { add: ['cap_sys_admin'] }, { drop: [null, 'ALL'] },
);
const securityContextFields = {
  privileged: odd,
  allowPrivilegeEscalation: odd,
  readOnlyRootFilesystem: odd,
  runAsNonRoot: odd,
  runAsUser: fc.constantFrom<unknown>(null, 0, 5, 20000, '0', -1),
  runAsGroup: fc.constantFrom<unknown>(0, 5, 20000),
  procMount: fc.constantFrom<unknown>(null, 'Default', 'Unmasked', 1),
  capabilities,
  seccompProfile: profile,
  appArmorProfile: fc.constantFrom<unknown>(null, 'x', {}, { type: 'RuntimeDefault' }, { type: 'Unconfined' }, { type: 'Localhost' }),
  seLinuxOptions: fc.constantFrom<unknown>(null, {}, { type: 'spc_t' }, { level: 's0:c1' }, { user: 'root' }, 'x'),
  windowsOptions: fc.constantFrom<unknown>(null, {}, { hostProcess: true }, { hostProcess: 'true' }),
};
const securityContext = fc.oneof(
  fc.constantFrom<unknown>(null, 'x', []),
  fc.record(securityContextFields, { requiredKeys: [] }),
);
const handler = fc.constantFrom<unknown>(
  null, 'x', { httpGet: { port: 80 } }, { httpGet: { host: '10.0.0.1', port: 80 } }, { httpGet: { host: '', port: 80 } },
  { httpGet: { host: null, port: 80 } }, { tcpSocket: { host: 'node', port: 22 } }, { exec: { command: ['true'] } },
);
/** Quantities as manifests write them, and the ways they go wrong. */
const quantity = fc.constantFrom<unknown>('500m', '1Gi', 1, 0.5, 0, '0', -1, '-1', 'lots', '', null, true, [], '1e3', ' 2 ');
const container = fc.record({
  name: fc.constantFrom<unknown>('app', 'side', '', 7),
  image: fc.constantFrom<unknown>('nginx', 'nginx:latest', 'registry.example.com/a:1.0', 'bad image', 3),
  securityContext,
  ports: fc.constantFrom<unknown>(null, 'x', [], [{ containerPort: 80 }], [{ containerPort: 80, hostPort: 80 }], [{ hostPort: 0 }], [{ hostPort: null }], [{ hostPort: '80' }], ['x']),
  livenessProbe: handler,
  readinessProbe: handler,
  startupProbe: handler,
  lifecycle: fc.oneof(fc.constantFrom<unknown>(null, 'x', {}), fc.record({ postStart: handler, preStop: handler }, { requiredKeys: [] })),
  env: fc.constantFrom<unknown>(
    [{ name: 'DB_PASSWORD', value: 'hunter2hunter2' }], [{ name: 'X', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }],
    [{ name: 'X', valueFrom: { secretKeyRef: 'k' } }], [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'c', key: 'k' } } }],
    [{ name: 'X', valueFrom: null }], ['x'], 'x', null,
  ),
  envFrom: fc.constantFrom<unknown>(null, 'x', [], ['x'], [{ secretRef: { name: 's' } }], [{ secretRef: {} }], [{ secretRef: 's' }], [{ configMapRef: { name: 'c' } }]),
  resources: fc.oneof(
    fc.constantFrom<unknown>('x', null, {}, []),
    fc.record({
      limits: fc.oneof(fc.constantFrom<unknown>('x', null, {}), fc.record({ cpu: quantity, memory: quantity }, { requiredKeys: [] })),
      requests: fc.oneof(fc.constantFrom<unknown>('x', null, {}), fc.record({ cpu: quantity, memory: quantity }, { requiredKeys: [] })),
    }, { requiredKeys: [] }),
  ),
}, { requiredKeys: [] });
const volume = fc.record({
  name: fc.constantFrom<unknown>('v', 'w', 3),
  emptyDir: fc.constantFrom<unknown>({}, null),
  hostPath: fc.constantFrom<unknown>(null, { path: '/var/run/docker.sock' }, { path: '/data' }, { path: '/etc' }, 'x'),
  nfs: fc.constantFrom<unknown>(null, { server: 'n', path: '/' }),
  configMap: fc.constantFrom<unknown>({ name: 'c' }, null),
  madeUp: fc.constantFrom<unknown>({}, null),
}, { requiredKeys: [] });
const podSpec = fc.record({
  hostNetwork: odd,
  hostPID: odd,
  hostIPC: odd,
  hostUsers: fc.constantFrom<unknown>(false, true),
  hostAliases: fc.constantFrom<unknown>(null, [], [{ ip: '10.0.0.1', hostnames: ['db'] }], 'x'),
  os: fc.constantFrom<unknown>(null, { name: 'windows' }, { name: 'linux' }),
  securityContext: fc.oneof(
    fc.constantFrom<unknown>(null, 'x'),
    fc.record({ ...securityContextFields, sysctls: fc.constantFrom<unknown>(null, [], [{ name: 'kernel.shm_rmid_forced', value: '0' }], [{ name: 'net.core.somaxconn', value: '1' }], 'x') }, { requiredKeys: [] }),
  ),
  volumes: fc.oneof(fc.constantFrom<unknown>(null, 'x'), fc.array(volume, { maxLength: 3 })),
  initContainers: fc.array(container, { maxLength: 1 }),
  containers: fc.oneof(fc.constantFrom<unknown>(null, 'x'), fc.array(container, { maxLength: 3 })),
  ephemeralContainers: fc.array(container, { maxLength: 1 }),
}, { requiredKeys: [] });
const annotations = fc.constantFrom<unknown>(
  {}, { other: 'x' }, { 'container.apparmor.security.beta.kubernetes.io/app': 'unconfined' },
  { 'container.apparmor.security.beta.kubernetes.io/ghost': 'runtime/default' }, { 'seccomp.security.alpha.kubernetes.io/pod': 'unconfined' },
  { 'container.seccomp.security.alpha.kubernetes.io/app': 'runtime/default' }, 'x',
);
const workload = fc.record({
  kind: fc.constantFrom('Pod', 'Deployment', 'CronJob'),
  spec: podSpec,
  podAnnotations: annotations,
  ownAnnotations: annotations,
});

function manifestOf(w: { kind: string; spec: unknown; podAnnotations: unknown; ownAnnotations: unknown }): string {
  const podMeta = { labels: { app: 'a' }, annotations: w.podAnnotations };
  if (w.kind === 'Pod') return stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', ...podMeta }, spec: w.spec });
  const template = { metadata: podMeta, spec: w.spec };
  const meta = { name: 'w', namespace: 'ns', annotations: w.ownAnnotations };
  if (w.kind === 'Deployment') return stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta, spec: { replicas: 2, template } });
  return stringify({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: meta, spec: { schedule: '* * * * *', jobTemplate: { spec: { template } } } });
}

const POLICIES: Array<[PssLevel, string]> = [['restricted', 'latest'], ['baseline', 'latest'], ['restricted', 'v1.18'], ['restricted', 'v1.24'], ['baseline', 'v1.34']];

test('screened and unscreened engines find the same on generated pods', () => {
  const engines = POLICIES.map(([level, version]) => [new Engine(engineOptions(level, version, true)), new Engine(engineOptions(level, version, false))] as const);
  let skipped = 0;
  fc.assert(
    fc.property(workload, (w) => {
      const { resources, errors } = parseYamlText(manifestOf(w), 'w.yaml');
      assert.deepEqual(errors, []);
      const r = resources[0];
      if (r.pod && screenPod(r.pod, r.containers, r.object.metadata) !== ALL_AREAS) skipped++;
      for (const [screened, all] of engines) {
        const a = screened.runResource(r);
        const b = all.runResource(r);
        assert.deepEqual(a.warnings, []);
        assert.deepEqual(rowsOf(a.findings), rowsOf(b.findings));
      }
    }),
    { numRuns: 400, seed: 20261124 },
  );
  // The generator must reach pods the screen lets checks skip, or the comparison proves nothing.
  assert.ok(skipped > 100, `only ${skipped} generated pods had an unmarked area`);
});

test('the resources and secret-env areas skip only checks with nothing to report', () => {
  const [screened, all] = [true, false].map((screen) => new Engine(engineOptions('restricted', 'latest', screen)));
  // Mostly well-formed values, so that pods with both areas unmarked come up often.
  const good = fc.constantFrom<unknown>('500m', '1Gi', 1, 0.5, '1e3', ' 2 ');
  const q = fc.oneof({ arbitrary: good, weight: 4 }, { arbitrary: quantity, weight: 1 });
  const section = fc.oneof({ arbitrary: fc.record({ cpu: q, memory: q }, { requiredKeys: [] }), weight: 4 }, { arbitrary: fc.constantFrom<unknown>('x', null, {}), weight: 1 });
  const container = fc.record({
    resources: fc.oneof({ arbitrary: fc.record({ limits: section, requests: section }, { requiredKeys: [] }), weight: 6 }, { arbitrary: fc.constantFrom<unknown>('x', null), weight: 1 }),
    env: fc.constantFrom<unknown>(
      [{ name: 'MODE', value: 'prod' }], [{ name: 'X', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }],
      [{ name: 'X', valueFrom: { secretKeyRef: 'k' } }], [{ name: 'X', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }], 'x',
    ),
    envFrom: fc.constantFrom<unknown>([{ configMapRef: { name: 'c' } }], [{ secretRef: { name: 's' } }], [{ secretRef: 's' }], ['x'], null),
  }, { requiredKeys: ['resources'] });
  const podResources = fc.constantFrom<unknown>(undefined, { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1', memory: '1Gi' } }, 'x');
  const both = Area.resources | Area.secretEnv;
  let unmarked = 0;
  fc.assert(
    fc.property(fc.array(container, { minLength: 1, maxLength: 2 }), podResources, (cs, resources) => {
      const spec = { ...HARDENED, ...(resources === undefined ? {} : { resources }), containers: cs.map((c, i) => ({ ...HARDENED.containers[0], name: `c${i}`, ...c })) };
      const { resources: [r] } = parseYamlText(stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec }), 'p.yaml');
      if ((screenPod(r.pod!, r.containers, r.object.metadata) & both) !== both) unmarked++;
      assert.deepEqual(rowsOf(screened.runResource(r).findings), rowsOf(all.runResource(r).findings));
    }),
    { numRuns: 400, seed: 20261124 },
  );
  assert.ok(unmarked > 100, `only ${unmarked} generated pods had the resources or secret-env area unmarked`);
});

async function scanBoth(paths: string[], cwd: string): Promise<[Row[], Row[], number]> {
  const out: Row[][] = [];
  let count = 0;
  for (const screen of [true, false]) {
    const r = await scan(paths, { ...engineOptions('restricted', 'latest', screen), jobs: 1, cwd });
    out.push(rowsOf(r.findings));
    count = r.findings.length;
  }
  return [out[0], out[1], count];
}

test('screened and unscreened scans find the same on the examples and fixtures', async () => {
  for (const dir of ['examples', 'test-fixtures']) {
    const [screened, all, count] = await scanBoth([dir], root);
    assert.ok(count > 50, `${dir}: ${count} findings`);
    assert.deepEqual(screened, all, dir);
  }
});

test('screened and unscreened scans find the same on the benchmark corpus', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'palisade-screen-'));
  try {
    const corpus = await writeMixedCorpus(dir, 3000);
    const [screened, all, count] = await scanBoth([corpus.path], dir);
    assert.ok(count > 1000, `${count} findings`);
    assert.deepEqual(screened, all);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
