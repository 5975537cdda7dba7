import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfigText, emptyConfig, type PalisadeConfig } from '../policy/index.js';
import { resolveParams, selectChecks } from '../checks/index.js';
import { AdmissionService, NamespaceRegistry, Validator, applyJsonPatch, parseAdmissionReview, type AdmissionRequest } from './index.js';
import { admissionReview, deployment, privilegedPod } from './testkit.js';

type Obj = Record<string, unknown>;

function validatorFor(configText?: string, extra: Partial<ConstructorParameters<typeof Validator>[0]> = {}): Validator {
  let config: PalisadeConfig = emptyConfig();
  if (configText !== undefined) {
    const r = parseConfigText(configText, 'palisade.yaml');
    assert.deepEqual(r.errors, []);
    config = r.config;
  }
  const { selection } = selectChecks({ profile: 'cks' });
  return new Validator({ ...(config.admission ? { admission: config.admission } : {}), config, checks: selection.checks, params: resolveParams(config.params), ...extra });
}

function requestOf(review: Obj): AdmissionRequest {
  const p = parseAdmissionReview(review);
  assert.ok(p.ok, p.ok ? '' : p.reason);
  return p.request;
}

const v = validatorFor();

test('default policy: a privileged pod is denied with Pod Security Admission wording, container and field named', () => {
  const r = v.validate(requestOf(admissionReview(privilegedPod())));
  assert.equal(r.decision.allowed, false);
  assert.equal(r.decision.status?.code, 403);
  const msg = r.decision.status!.message;
  assert.match(msg, /^Pod "debug": violates PodSecurity "baseline:latest": /);
  assert.match(msg, /privileged \(container "shell" must not set securityContext.privileged=true\)/);
  assert.match(msg, /hostPath volumes \(volume "host"\)/);
  assert.match(msg, /host namespaces \(hostPID=true\)/);
  assert.ok(!msg.includes('\n'));
  assert.ok(r.reasons.some((x) => x.check === 'pss/baseline/privileged' && x.mode === 'enforce'));
});

test('default policy: an insecure Deployment is allowed with restricted warnings and high catalogue findings', () => {
  const r = v.validate(requestOf(admissionReview(deployment())));
  assert.equal(r.decision.allowed, true);
  const w = r.decision.warnings ?? [];
  assert.match(w[0], /^would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false \(container "app" must set securityContext.allowPrivilegeEscalation=false\)/);
  assert.equal(r.decision.auditAnnotations?.['audit-violations'], w[0]);
  assert.equal(r.decision.auditAnnotations?.['enforce-policy'], 'baseline:latest');
  // No catalogue finding repeats a PSS violation of the same field.
  assert.ok(!w.some((x) => x.startsWith('capabilities/')), w.join('\n'));
});

test('default policy: a hardened Deployment passes without warnings of PSS', () => {
  const r = v.validate(requestOf(admissionReview(deployment({ hardened: true }))));
  assert.equal(r.decision.allowed, true);
  assert.ok(!(r.decision.warnings ?? []).some((x) => x.includes('PodSecurity')), String(r.decision.warnings));
});

test('kube-system is exempt by default; users and runtime classes by config', () => {
  const sys = v.validate(requestOf(admissionReview(privilegedPod({ namespace: 'kube-system' }))));
  assert.equal(sys.decision.allowed, true);
  assert.deepEqual(sys.decision.auditAnnotations, { exempt: 'namespace' });
  const cfg = validatorFor(`admission:\n  exemptions:\n    usernames: [system:serviceaccount:ci:deployer]\n    runtimeClasses: [gvisor]\n`);
  const byUser = cfg.validate(requestOf(admissionReview(privilegedPod(), { user: { username: 'system:serviceaccount:ci:deployer', groups: [] } })));
  assert.deepEqual(byUser.decision.auditAnnotations, { exempt: 'user' });
  const pod = privilegedPod();
  (pod.spec as Obj).runtimeClassName = 'gvisor';
  assert.deepEqual(cfg.validate(requestOf(admissionReview(pod))).decision.auditAnnotations, { exempt: 'runtimeClass' });
  // Keys the config leaves out keep their defaults: kube-system is still exempt there.
  assert.equal(cfg.validate(requestOf(admissionReview(privilegedPod({ namespace: 'kube-system' })))).decision.allowed, true);
  const none = validatorFor(`admission:\n  exemptions:\n    namespaces: []\n`);
  assert.equal(none.validate(requestOf(admissionReview(privilegedPod({ namespace: 'kube-system' })))).decision.allowed, false);
});

test('namespace labels set the levels: learned from Namespace requests (not from dry runs), invalid values denied', () => {
  const registry = new NamespaceRegistry();
  const val = validatorFor(undefined, { namespaces: registry });
  const ns = (labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'payments', labels } });
  const dry = val.validate(requestOf(admissionReview(ns({ 'pod-security.kubernetes.io/enforce': 'restricted' }), { dryRun: true })));
  assert.equal(dry.decision.allowed, true);
  assert.equal(registry.get('payments'), undefined);
  const bad = val.validate(requestOf(admissionReview(ns({ 'pod-security.kubernetes.io/enforce': 'strict' }))));
  assert.equal(bad.decision.allowed, false);
  assert.equal(bad.decision.status?.message, 'Namespace "payments": pod-security.kubernetes.io/enforce: Invalid value: "strict": must be one of privileged, baseline, restricted');
  assert.equal(val.validate(requestOf(admissionReview(ns({ 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'v1.29' })))).decision.allowed, true);
  const r = val.validate(requestOf(admissionReview(deployment({ namespace: 'payments' }))));
  assert.equal(r.decision.allowed, false);
  assert.match(r.decision.status!.message, /violates PodSecurity "restricted:v1.29": allowPrivilegeEscalation != false/);
  assert.equal(val.validate(requestOf(admissionReview(deployment({ namespace: 'payments', hardened: true })))).decision.allowed, true);
  // A namespace labelled privileged enforces nothing.
  val.validate(requestOf(admissionReview({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'debug', labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } } })));
  assert.equal(val.validate(requestOf(admissionReview(privilegedPod({ namespace: 'debug' })))).decision.allowed, true);
});

test('per-namespace overrides and catalogue thresholds from the config', () => {
  const val = validatorFor(`
admission:
  enforce: baseline
  checks: {enforce: critical, warn: none, audit: medium}
  namespaces:
    - names: ["prod-*"]
      enforce: restricted
      checks: {enforce: high}
`);
  // In prod-eu the insecure Deployment violates restricted: denied.
  const prod = val.validate(requestOf(admissionReview(deployment({ namespace: 'prod-eu' }))));
  assert.equal(prod.decision.allowed, false);
  // Elsewhere it is allowed; medium catalogue findings are recorded in the audit annotation.
  const dev = val.validate(requestOf(admissionReview(deployment({ namespace: 'dev' }))));
  assert.equal(dev.decision.allowed, true);
  assert.match(dev.decision.auditAnnotations?.['check-violations'] ?? '', /securitycontext\/readonly-root-filesystem at spec\.template\.spec\.containers\[0\]\.securityContext\.readOnlyRootFilesystem/);
  // A critical catalogue finding (a hostPath to the runtime socket) denies everywhere, naming check, container and field.
  const pod = deployment({ namespace: 'dev', hardened: true });
  const spec = ((pod.spec as Obj).template as Obj).spec as Obj;
  (spec.volumes as Obj[]).push({ name: 'sock', hostPath: { path: '/var/run/docker.sock' } });
  const r = val.validate(requestOf(admissionReview(pod)));
  assert.equal(r.decision.allowed, false);
  assert.match(r.decision.status!.message, /volume "sock"/);
});

test('updates: a pod update that changes no image is not re-evaluated; the ephemeralcontainers subresource is', () => {
  const old: Obj = { ...privilegedPod(), metadata: { name: 'debug', namespace: 'shop', labels: { a: '1' } } };
  const relabelled: Obj = { ...privilegedPod(), metadata: { name: 'debug', namespace: 'shop', labels: { a: '2' } } };
  const r = v.validate(requestOf(admissionReview(relabelled, { operation: 'UPDATE', old })));
  assert.equal(r.decision.allowed, true);
  assert.equal(r.skipped, 'insignificant update');
  const changedImage = structuredClone(relabelled);
  ((changedImage.spec as Obj).containers as Obj[])[0].image = 'busybox:1.37';
  assert.equal(v.validate(requestOf(admissionReview(changedImage, { operation: 'UPDATE', old }))).decision.allowed, false);

  const pod = deployment({ hardened: true });
  const podObj: Obj = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', namespace: 'shop' }, spec: structuredClone(((pod.spec as Obj).template as Obj).spec) };
  const withDebug = structuredClone(podObj);
  (withDebug.spec as Obj).ephemeralContainers = [{ name: 'debugger', image: 'busybox:1.36', securityContext: { privileged: true } }];
  const eph = v.validate(requestOf(admissionReview(withDebug, { operation: 'UPDATE', old: podObj, subResource: 'ephemeralcontainers' })));
  assert.equal(eph.decision.allowed, false);
  assert.match(eph.decision.status!.message, /container "debugger" must not set securityContext.privileged=true/);
  // Status updates are not reviewed.
  assert.equal(v.validate(requestOf(admissionReview(withDebug, { operation: 'UPDATE', old: podObj, subResource: 'status' }))).skipped, 'subresource');
});

test('DELETE, unknown kinds and unknown operations are allowed; the last two say they were not reviewed', () => {
  assert.equal(v.validate(requestOf(admissionReview(privilegedPod(), { operation: 'DELETE' }))).decision.allowed, true);
  const crd = v.validate(requestOf(admissionReview({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'shop' }, spec: { size: 3 } })));
  assert.equal(crd.decision.allowed, true);
  assert.deepEqual(crd.decision.warnings, ['Palisade has no checks for Widget (example.com/v1); it was admitted without review']);
  const req = requestOf(admissionReview(deployment()));
  const odd = v.validate({ ...req, operation: 'PATCH' });
  assert.equal(odd.decision.allowed, true);
  assert.match(odd.decision.warnings![0], /unknown operation "PATCH"/);
});

test('onError: an object Palisade cannot evaluate is denied (default) or allowed with a warning', () => {
  const req = requestOf(admissionReview(deployment()));
  const poisoned = { ...(req.object as Obj) };
  Object.defineProperty(poisoned, 'spec', { get() { throw new Error('boom'); }, enumerable: true });
  const denied = v.validate({ ...req, object: poisoned });
  assert.equal(denied.decision.allowed, false);
  assert.equal(denied.decision.status?.code, 500);
  assert.match(denied.decision.status!.message, /could not evaluate this request: internal error: boom/);
  const open = validatorFor('admission:\n  onError: allow\n').validate({ ...req, object: poisoned });
  assert.equal(open.decision.allowed, true);
  assert.match(open.decision.warnings![0], /allowed because onError is allow/);
});

test('ValidatingAdmissionPolicies are evaluated in the server', () => {
  const policy = {
    apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name: 'max-replicas' },
    spec: {
      failurePolicy: 'Fail',
      matchConstraints: { resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['deployments'] }] },
      validations: [{ expression: 'object.spec.replicas <= 2', message: 'at most 2 replicas' }],
    },
  };
  const binding = {
    apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name: 'max-replicas-binding' },
    spec: { policyName: 'max-replicas', validationActions: ['Deny'] },
  };
  const val = validatorFor(undefined, { vap: { policies: [policy], bindings: [binding] } });
  const r = val.validate(requestOf(admissionReview(deployment({ hardened: true }))));
  assert.equal(r.decision.allowed, false);
  assert.match(r.decision.status!.message, /ValidatingAdmissionPolicy 'max-replicas' with binding 'max-replicas-binding' denied request: at most 2 replicas/);
  assert.ok(r.reasons.some((x) => x.check === 'vap/max-replicas'));
});

test('ignore rules of the config apply; ignore annotations on the object itself do not', () => {
  const val = validatorFor(`
admission:
  checks: {enforce: medium}
ignore:
  - check: securitycontext/readonly-root-filesystem
    namespace: shop
  - check: secrets/env-from-secret
`);
  const d = deployment({ hardened: true });
  const c = (((d.spec as Obj).template as Obj).spec as Obj).containers as Obj[];
  (c[0].securityContext as Obj).readOnlyRootFilesystem = false;
  const kept = val.validate(requestOf(admissionReview(d)));
  assert.equal(kept.decision.allowed, true, kept.decision.status?.message);
  const other = structuredClone(d);
  (other.metadata as Obj).namespace = 'blog';
  (other.metadata as Obj).annotations = { 'palisade.dev/ignore': 'securitycontext/readonly-root-filesystem' };
  const blocked = val.validate(requestOf(admissionReview(other)));
  assert.equal(blocked.decision.allowed, false);
  assert.match(blocked.decision.status!.message, /securitycontext\/readonly-root-filesystem \(medium\): container "app"/);
});

test('mutation: the hardening patch of an insecure Deployment makes it pass restricted; warnings list each change', () => {
  const strict = validatorFor('admission:\n  enforce: restricted\n');
  const svc = new AdmissionService(strict);
  const review = admissionReview(deployment());
  const before = strict.validate(requestOf(review));
  assert.equal(before.decision.allowed, false);
  const answer = svc.mutate(review);
  const response = (answer.body as Obj).response as Obj;
  assert.equal(response.patchType, 'JSONPatch');
  const patch = JSON.parse(Buffer.from(String(response.patch), 'base64').toString()) as { op: string; path: string; value: unknown }[];
  assert.ok(patch.some((p) => p.path.startsWith('/spec/template/spec/securityContext')), JSON.stringify(patch));
  const warnings = response.warnings as string[];
  assert.ok(warnings.length >= 3 && warnings.every((w) => w.startsWith('Palisade set ')), warnings.join('\n'));
  assert.ok(!warnings.some((w) => w.includes('will be denied')), warnings.join('\n'));
  // Apply the patch as the API server would and validate the result.
  const req = requestOf(review);
  const patched = applyJsonPatch(req.object, patch as never);
  const after = strict.validate({ ...req, object: patched });
  assert.equal(after.decision.allowed, true, after.decision.status?.message);
  // Switched off in the config: no patch at all.
  const off = new AdmissionService(validatorFor('admission:\n  mutate: {seccomp: false, allowPrivilegeEscalation: false, dropAll: false, runAsNonRoot: false, automountToken: false}\n'));
  assert.equal(((off.mutate(review).body as Obj).response as Obj).patch, undefined);
});

test('namespace labels are read from the API server (a NamespaceList over HTTPS with the service account token)', async () => {
  const { createServer } = await import('node:https');
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const { testCertificate } = await import('../server/test-tls.js');
  const { readNamespaces, inClusterSource } = await import('./index.js');
  const tls = await testCertificate();
  const dir = mkdtempSync(join(tmpdir(), 'palisade-sa-'));
  writeFileSync(join(dir, 'token'), 'token-1\n');
  writeFileSync(join(dir, 'ca.crt'), tls.cert);
  const seen: string[] = [];
  const api = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    seen.push(`${req.method} ${req.url} ${req.headers.authorization}`);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({
      kind: 'NamespaceList', apiVersion: 'v1', metadata: { resourceVersion: '42' },
      items: [{ metadata: { name: 'payments', labels: { 'kubernetes.io/metadata.name': 'payments', 'pod-security.kubernetes.io/enforce': 'restricted' } } }],
    }));
  });
  await new Promise<void>((r) => api.listen(0, '127.0.0.1', () => r()));
  const port = (api.address() as { port: number }).port;
  try {
    const source = inClusterSource({ KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: String(port) }, dir);
    assert.ok(source);
    assert.equal(inClusterSource({}, dir), undefined);
    const registry = new NamespaceRegistry();
    assert.equal(await readNamespaces(source, registry), 1);
    assert.deepEqual(seen, ['GET /api/v1/namespaces?limit=5000 Bearer token-1']);
    const val = validatorFor(undefined, { namespaces: registry });
    assert.equal(val.validate(requestOf(admissionReview(deployment({ namespace: 'payments' })))).decision.allowed, false);
    // A wrong CA: an error with a reason, the labels already known kept.
    writeFileSync(join(dir, 'ca.crt'), (await testCertificate()).cert);
    await assert.rejects(readNamespaces(source, registry), /self-signed|certificate|verify/i);
    assert.equal(registry.size, 1);
  } finally {
    api.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
