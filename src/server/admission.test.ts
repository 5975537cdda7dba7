/**
 * The admission server over real HTTPS on loopback, answering AdmissionReviews shaped as
 * kube-apiserver sends them for `kubectl create --dry-run=server`, ImageReviews, kubesec scans;
 * and its behaviour under bad input, certificate rotation, shutdown, a stuck audit store and
 * ten times its rated load.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { Agent } from 'node:https';
import autocannon from 'autocannon';
import { AdmissionService, Validator, applyJsonPatch } from '../admission/index.js';
import { admissionReview, deployment, imageReview, privilegedPod } from '../admission/testkit.js';
import { AuditReceiver, Ingestor } from '../audit/index.js';
import { resolveParams, selectChecks } from '../checks/index.js';
import { emptyConfig, parseConfigText } from '../policy/index.js';
import { openStore } from '../store/index.js';
import { interceptInsert } from '../store/intercept.js';
import { buildServer, type ServerOptions } from './app.js';
import { listen } from './listen.js';
import { postJson } from './https-post.js';
import { testCertificate } from './test-tls.js';
import { watchTls } from './tls-reload.js';

type Obj = Record<string, unknown>;

function service(configText = ''): AdmissionService {
  const { config, errors } = configText ? parseConfigText(configText, 'palisade.yaml') : { config: emptyConfig(), errors: [] };
  assert.deepEqual(errors, []);
  const { selection } = selectChecks({ profile: 'cks' });
  const validator = new Validator({ ...(config.admission ? { admission: config.admission } : {}), config, checks: selection.checks, params: resolveParams(config.params) });
  return new AdmissionService(validator, { ...validator.admission.images, allowedRegistries: ['registry.example.com'] });
}

async function start(opts: Partial<ServerOptions> = {}, svc = service()) {
  const tls = await testCertificate();
  const problems: string[] = [];
  const app = buildServer({ tls, admission: svc, log: (l) => problems.push(l), ...opts });
  const url = await listen(app, '127.0.0.1', 0, true);
  const agent = new Agent({ ca: tls.cert, keepAlive: true });
  const post = async (path: string, body: unknown, contentType?: string) => {
    const r = await postJson(`${url}${path}`, typeof body === 'string' ? body : JSON.stringify(body), { agent, ...(contentType ? { contentType } : {}) });
    let json: unknown;
    try {
      json = JSON.parse(r.body);
    } catch {
      json = undefined;
    }
    return { ...r, json: json as Obj };
  };
  return { app, url, tls, post, problems, close: async () => { agent.destroy(); await app.close(); } };
}

const response = (json: Obj) => json.response as Obj;

test('kubectl create --dry-run=server: insecure workloads denied, hardened allowed, warnings and patches as the API server expects', async () => {
  const s = await start();
  try {
    // A privileged pod: denied with the uid echoed and a one-line reason.
    const pod = admissionReview(privilegedPod(), { dryRun: true });
    const denied = await s.post('/validate', pod);
    assert.equal(denied.status, 200);
    assert.equal(denied.json.apiVersion, 'admission.k8s.io/v1');
    assert.equal(denied.json.kind, 'AdmissionReview');
    assert.equal(response(denied.json).uid, (pod.request as Obj).uid);
    assert.equal(response(denied.json).allowed, false);
    const status = response(denied.json).status as Obj;
    assert.equal(status.code, 403);
    assert.equal(status.status, 'Failure');
    assert.match(String(status.message), /^Pod "debug": violates PodSecurity "baseline:latest": .*privileged \(container "shell" must not set securityContext.privileged=true\)/);
    assert.equal(response(denied.json).patch, undefined, 'a validating answer never carries a patch');

    // An insecure but baseline-compliant Deployment: allowed, with restricted warnings.
    const insecure = admissionReview(deployment(), { dryRun: true });
    const warned = response((await s.post('/validate', insecure)).json);
    assert.equal(warned.allowed, true);
    assert.match((warned.warnings as string[])[0], /^would violate PodSecurity "restricted:latest"/);
    assert.equal(warned.status, undefined);

    // The same Deployment through /mutate: a base64 JSON Patch, each change in a warning...
    const mutated = response((await s.post('/mutate', insecure)).json);
    assert.equal(mutated.allowed, true);
    assert.equal(mutated.patchType, 'JSONPatch');
    const patch = JSON.parse(Buffer.from(String(mutated.patch), 'base64').toString('utf8'));
    assert.ok(Array.isArray(patch) && patch.length > 0);
    assert.ok((mutated.warnings as string[]).every((w) => w.startsWith('Palisade set ')));
    // ...and the patched object, sent on to /validate as the API server would, passes restricted.
    const patchedObject = applyJsonPatch((insecure.request as Obj).object, patch) as Obj;
    const after = response((await s.post('/validate', admissionReview(patchedObject, { dryRun: true }))).json);
    assert.equal(after.allowed, true);
    assert.ok(!((after.warnings as string[] | undefined) ?? []).some((w) => w.includes('PodSecurity')), String(after.warnings));

    // A hardened Deployment: allowed, nothing to patch.
    const hardened = admissionReview(deployment({ hardened: true }), { dryRun: true });
    const ok = response((await s.post('/validate', hardened)).json);
    assert.equal(ok.allowed, true);
    const none = response((await s.post('/mutate', hardened)).json);
    assert.equal(none.patch, undefined);
    assert.equal(none.patchType, undefined);

    // Every workload kind is reviewed: a CronJob with a privileged container is denied too.
    const cron = {
      apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'nightly', namespace: 'shop' },
      spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'job', image: 'registry.example.com/job:2', securityContext: { privileged: true } }] } } } } },
    };
    const cronAnswer = response((await s.post('/validate', admissionReview(cron))).json);
    assert.equal(cronAnswer.allowed, false);
    assert.match(String((cronAnswer.status as Obj).message), /^CronJob "nightly": /);
  } finally {
    await s.close();
  }
});

test('/imagepolicy answers ImageReviews; /scan is kubesec-compatible; /metrics counts decisions by check and namespace', async () => {
  const s = await start();
  try {
    const good = await s.post('/imagepolicy', imageReview(['registry.example.com/shop/web:1.4.2']));
    assert.deepEqual((good.json as Obj).status, { allowed: true });
    const bad = await s.post('/imagepolicy', imageReview(['docker.io/library/nginx:latest']));
    assert.equal(((bad.json as Obj).status as Obj).allowed, false);
    assert.match(String(((bad.json as Obj).status as Obj).reason), /not an allowed registry/);
    const glass = await s.post('/imagepolicy', imageReview(['docker.io/library/nginx:latest'], { annotations: { 'break-glass.image-policy.k8s.io/reason': 'INC-1234' } }));
    assert.equal(((glass.json as Obj).status as Obj).allowed, true);
    assert.equal((((glass.json as Obj).status as Obj).auditAnnotations as Obj)['break-glass'], 'INC-1234');

    // kubesec's API: the raw manifest as the body (curl --data-binary sends it form-encoded).
    const yamlText = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: nginx\n    securityContext:\n      privileged: true\n';
    const scan = await s.post('/scan', yamlText, 'application/x-www-form-urlencoded');
    assert.equal(scan.status, 200);
    const results = scan.json as unknown as Obj[];
    assert.equal(results[0].object, 'Pod/p.default');
    assert.equal(results[0].fileName, 'API');
    assert.ok(Number(results[0].score) < 0);
    const scanJson = await s.post('/scan', JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'q' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } }));
    assert.equal((scanJson.json as unknown as Obj[])[0].object, 'Pod/q.default');
    const badScan = await s.post('/scan', 'kind: [unclosed', 'text/yaml');
    assert.equal(badScan.status, 400);

    await s.post('/validate', admissionReview(privilegedPod({ namespace: 'payments' })));
    const metrics = await fetch(`${s.url}/metrics`, { dispatcher: undefined } as RequestInit).catch(() => undefined);
    void metrics; // fetch does not take our CA; read the metrics through the registry-backed route with https instead
    const text = await new Promise<string>((resolve, reject) => {
      const req = connect({ host: '127.0.0.1', port: Number(new URL(s.url).port), ca: s.tls.cert, servername: 'localhost' }, () => {
        req.write('GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
      });
      let out = '';
      req.on('data', (c: Buffer) => (out += c.toString()));
      req.on('end', () => resolve(out));
      req.on('error', reject);
    });
    assert.match(text, /palisade_admission_decisions_total\{endpoint="validate",outcome="denied"\} 1/);
    assert.match(text, /palisade_admission_check_results_total\{check="pss\/baseline\/privileged",mode="enforce",namespace="payments"\} 1/);
    assert.match(text, /palisade_admission_decisions_total\{endpoint="imagepolicy",outcome="denied"\} 1/);
    assert.match(text, /palisade_http_request_duration_seconds_bucket\{le="0.005",route="\/validate"\} \d+/);
  } finally {
    await s.close();
  }
});

test('bad input: a 400 with a reason, 413 over the limit, an allowed answer with a warning for an unknown kind; never a crash', async () => {
  const s = await start();
  try {
    const malformed = await s.post('/validate', '{"kind": "AdmissionReview", ');
    assert.equal(malformed.status, 400);
    assert.match(String(malformed.json.error), /not valid JSON/);
    const wrongKind = await s.post('/validate', { apiVersion: 'admission.k8s.io/v1', kind: 'ImageReview', request: {} });
    assert.equal(wrongKind.status, 400);
    assert.equal(wrongKind.json.error, 'expected kind AdmissionReview, got "ImageReview"');
    const v1beta1 = await s.post('/validate', { apiVersion: 'admission.k8s.io/v1beta1', kind: 'AdmissionReview', request: { uid: 'x' } });
    assert.equal(v1beta1.status, 400);
    assert.match(String(v1beta1.json.error), /admissionReviewVersions/);
    const noRequest = await s.post('/mutate', { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' });
    assert.equal(noRequest.status, 400);
    assert.equal(noRequest.json.error, 'the AdmissionReview has no request');
    const noObject = admissionReview(deployment());
    delete (noObject.request as Obj).object;
    const missing = await s.post('/validate', noObject);
    assert.equal(missing.status, 400);
    assert.match(String(missing.json.error), /request.object is missing/);
    const badImage = await s.post('/imagepolicy', { apiVersion: 'imagepolicy.k8s.io/v1alpha1', kind: 'ImageReview', spec: { containers: 'nginx' } });
    assert.equal(badImage.status, 400);
    assert.equal(badImage.json.error, 'spec.containers is not a list');
    const arr = await s.post('/validate', '[1,2]');
    assert.equal(arr.status, 400);

    // An object of a kind Palisade has no checks for.
    const crd = response((await s.post('/validate', admissionReview({ apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'c', namespace: 'shop' }, spec: { cronSpec: '* * * * */5' } }))).json);
    assert.equal(crd.allowed, true);
    assert.match((crd.warnings as string[])[0], /no checks for CronTab/);

    // A 10 MB object: over the admission limit (8 MiB), refused before it is parsed.
    const huge = admissionReview({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big', namespace: 'shop' }, data: { blob: 'x'.repeat(10 * 1024 * 1024) } });
    const tooBig = await s.post('/validate', huge);
    assert.equal(tooBig.status, 413);
    // A 5 MB one is under it: evaluated and answered.
    const big = admissionReview({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big', namespace: 'shop' }, data: { blob: 'x'.repeat(5 * 1024 * 1024) } });
    const answered = await s.post('/validate', big);
    assert.equal(answered.status, 200);
    assert.equal(response(answered.json).allowed, true);

    assert.ok(s.problems.some((p) => p.includes('expected kind AdmissionReview')));
    // Still serving after all of it.
    assert.equal(response((await s.post('/validate', admissionReview(deployment({ hardened: true })))).json).allowed, true);
  } finally {
    await s.close();
  }
});

function servedFingerprint(url: string, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: Number(new URL(url).port), ca, servername: 'localhost', rejectUnauthorized: false }, () => {
      const fp = socket.getPeerX509Certificate()?.fingerprint256 ?? '';
      socket.end();
      resolve(fp);
    });
    socket.on('error', reject);
  });
}

/**
 * A server on 127.0.0.1 serving `first`, with its pair written to files that watchTls polls
 * every 50 ms; `second` is another pair to rotate to. Logs are collected; close() cleans up.
 */
async function watchedServer() {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-tls-'));
  const first = await testCertificate();
  const second = await testCertificate();
  const certFile = join(dir, 'tls.crt');
  const keyFile = join(dir, 'tls.key');
  writeFileSync(certFile, first.cert);
  writeFileSync(keyFile, first.key);
  const logs: string[] = [];
  const app = buildServer({ tls: first, admission: service() });
  const url = await listen(app, '127.0.0.1', 0, true);
  const stop = watchTls(app, certFile, keyFile, (l) => logs.push(l), 50);
  return {
    first, second, certFile, keyFile, logs, url,
    /** Waits (up to 5 s) until `pred` holds. */
    waitFor: async (pred: () => boolean) => {
      for (let i = 0; i < 200 && !pred(); i++) await new Promise((r) => setTimeout(r, 25));
    },
    close: async () => {
      stop();
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

test('certificates are reloaded when their files change; a bad pair is refused and the old one kept', async () => {
  const { first, second, certFile, keyFile, logs, url, waitFor, close } = await watchedServer();
  try {
    assert.equal(await servedFingerprint(url, first.cert), new X509Certificate(first.cert).fingerprint256);
    // A certificate without its key: refused, the first pair stays.
    writeFileSync(certFile, second.cert);
    await waitFor(() => logs.length > 0);
    assert.match(logs[0], /not reloaded, keeping the current one/);
    assert.equal(await servedFingerprint(url, first.cert), new X509Certificate(first.cert).fingerprint256);
    writeFileSync(keyFile, second.key);
    await waitFor(() => logs.some((l) => l.includes('reloaded from')));
    assert.equal(await servedFingerprint(url, second.cert), new X509Certificate(second.cert).fingerprint256);
  } finally {
    await close();
  }
});

test('certificates written right after the watch starts are reloaded too', async () => {
  const { second, certFile, keyFile, logs, url, waitFor, close } = await watchedServer();
  // Before the watcher has had a chance to look at the files: still a change from what it started with.
  writeFileSync(certFile, second.cert);
  writeFileSync(keyFile, second.key);
  try {
    await waitFor(() => logs.some((l) => l.includes('reloaded from')));
    assert.deepEqual(logs, [`TLS certificate reloaded from ${certFile}`]);
    assert.equal(await servedFingerprint(url, second.cert), new X509Certificate(second.cert).fingerprint256);
  } finally {
    await close();
  }
});

test('a stuck audit store never slows admission, and shutdown drains the requests in flight', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-drain-'));
  const real = await openStore(join(dir, 'events.db'));
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const store = interceptInsert(real, async (insert, items) => {
    await held;
    return insert(items);
  });
  const receiver = new AuditReceiver(new Ingestor({ store }), { report: () => {} });
  const s = await start({ audit: receiver });
  try {
    const event = { kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Metadata', auditID: 'a1', stage: 'ResponseComplete', requestURI: '/api/v1/pods', verb: 'list', user: { username: 'u' }, requestReceivedTimestamp: '2026-11-23T10:00:00.000000Z', stageTimestamp: '2026-11-23T10:00:00.100000Z' };
    const auditPost = s.post('/audit', { kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items: [event] });
    // Admission answers while the audit request waits on the store.
    for (let i = 0; i < 20; i++) {
      const r = await s.post('/validate', admissionReview(deployment({ hardened: true })));
      assert.equal(response(r.json).allowed, true);
    }
    let auditDone = false;
    void auditPost.then(() => (auditDone = true));
    assert.equal(auditDone, false);
    // Close while the audit request is in flight: it is answered (after the store commits), then the server stops.
    const closing = s.app.close();
    setTimeout(release, 100);
    const answer = await auditPost;
    assert.equal(answer.status, 200);
    await closing;
    const stored = await real.queryEvents({ limit: 10 });
    assert.equal(stored.length, 1);
  } finally {
    release();
    await s.close().catch(() => {});
    await real.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ten times the rated load (20,000 requests/s offered): the server stays up and answers correctly afterwards', async () => {
  const s = await start({ maxEventLoopDelay: 200 });
  try {
    const bodies = Array.from({ length: 20 }, (_, i) => JSON.stringify(admissionReview(deployment({ name: `web-${i}`, hardened: i % 2 === 0 }))));
    const result = await autocannon({
      url: `${s.url}/validate`,
      connections: 64,
      duration: 3,
      overallRate: 20_000,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      requests: bodies.map((body) => ({ method: 'POST', body })),
      tlsOptions: { ca: s.tls.cert },
    } as autocannon.Options);
    assert.ok(result.requests.total > 0);
    // Overload is answered with 503 + Retry-After (failurePolicy decides), never with a crash or 5xx of ours otherwise.
    const codes = result.statusCodeStats as unknown as Record<string, { count: number }>;
    for (const code of Object.keys(codes)) assert.ok(code === '200' || code === '503', `unexpected status ${code}`);
    const after = await s.post('/validate', admissionReview(privilegedPod()));
    assert.equal(response(after.json).allowed, false);
    const health = await new Promise<number>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: Number(new URL(s.url).port), ca: s.tls.cert, servername: 'localhost' }, () => socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
      let out = '';
      socket.on('data', (c: Buffer) => (out += c.toString()));
      socket.on('end', () => resolve(Number(/^HTTP\/1.1 (\d+)/.exec(out)?.[1])));
      socket.on('error', reject);
    });
    assert.equal(health, 200);
  } finally {
    await s.close();
  }
});
