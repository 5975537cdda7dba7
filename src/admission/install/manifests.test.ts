import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAllDocuments } from 'yaml';
import {
  generateCertificates, installManifests, renderInstall, CA_BUNDLE_PLACEHOLDER, DEFAULT_IMAGE_REPOSITORY, MUTATING_WEBHOOK, TLS_SECRET, VALIDATING_WEBHOOK,
} from './index.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function docs(text: string): Obj[] {
  const parsed = parseAllDocuments(text);
  assert.ok(Array.isArray(parsed));
  for (const d of parsed) assert.deepEqual(d.errors, [], String(d.errors));
  return parsed.map((d) => d.toJS() as Obj);
}

function byKind(objects: Obj[], kind: string): Obj {
  const found = objects.filter((o) => o.kind === kind);
  assert.equal(found.length, 1, `one ${kind}`);
  return found[0];
}

const CA = (await generateCertificates({ service: 'palisade', namespace: 'palisade' })).caCert;

test('the YAML parses into the expected kinds, in apply order, with no key material', () => {
  const text = renderInstall({ version: '1.2.3', caPem: CA });
  const objects = docs(text);
  assert.deepEqual(objects.map((o) => o.kind), [
    'Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Service', 'Deployment', 'PodDisruptionBudget',
    'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration',
  ]);
  assert.doesNotMatch(text, /PRIVATE KEY|kind: Secret\b/);
  assert.doesNotMatch(text, /^\s*[^#\n]*[&*]a\d/m, 'no YAML anchors or aliases');
  // The Secret is referenced and explained, not printed.
  assert.match(text, new RegExp(`# .*kubectl -n palisade create secret tls ${TLS_SECRET} --cert=DIR/tls\\.crt --key=DIR/tls\\.key`));
  const ns = byKind(objects, 'Namespace');
  assert.equal(ns.metadata.name, 'palisade');
  assert.equal(ns.metadata.labels['pod-security.kubernetes.io/enforce'], 'restricted');
});

test('ServiceAccount without a token; RBAC reads namespaces and nothing else', () => {
  const objects = docs(renderInstall({ version: '1.2.3', namespace: 'guard', caPem: CA }));
  const sa = byKind(objects, 'ServiceAccount');
  assert.equal(sa.automountServiceAccountToken, false);
  assert.equal(sa.metadata.namespace, 'guard');
  assert.deepEqual(byKind(objects, 'ClusterRole').rules, [{ apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'] }]);
  const binding = byKind(objects, 'ClusterRoleBinding');
  assert.deepEqual(binding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'palisade' });
  assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: 'palisade', namespace: 'guard' }]);
  assert.equal(objects.filter((o) => o.kind === 'Role' || o.kind === 'RoleBinding').length, 0);
});

test('the Deployment: replicas spread over nodes, restricted securityContext, probes over HTTPS, TLS from the Secret', () => {
  const objects = docs(renderInstall({ version: '1.2.3', caPem: CA, replicas: 3 }));
  const deploy = byKind(objects, 'Deployment');
  assert.equal(deploy.spec.replicas, 3);
  const pod = deploy.spec.template.spec;
  assert.deepEqual(deploy.spec.selector.matchLabels, Object.fromEntries(Object.entries(deploy.spec.template.metadata.labels).filter(([k]) => k in deploy.spec.selector.matchLabels)));
  const anti = pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm;
  assert.equal(anti.topologyKey, 'kubernetes.io/hostname');
  assert.deepEqual(anti.labelSelector.matchLabels, deploy.spec.selector.matchLabels);
  assert.equal(pod.serviceAccountName, 'palisade');
  assert.equal(pod.automountServiceAccountToken, false);
  assert.equal(pod.securityContext.runAsNonRoot, true);
  assert.equal(pod.securityContext.runAsUser, 65532);
  assert.deepEqual(pod.securityContext.seccompProfile, { type: 'RuntimeDefault' });
  assert.equal(pod.containers.length, 1);
  const c = pod.containers[0];
  assert.equal(c.image, `${DEFAULT_IMAGE_REPOSITORY}:1.2.3`);
  assert.equal(c.imagePullPolicy, 'Always');
  assert.deepEqual(c.args, ['serve', '--listen', ':8443', '--tls-cert', '/tls/tls.crt', '--tls-key', '/tls/tls.key']);
  assert.deepEqual(c.ports, [{ name: 'https', containerPort: 8443, protocol: 'TCP' }]);
  assert.equal(c.securityContext.allowPrivilegeEscalation, false);
  assert.equal(c.securityContext.readOnlyRootFilesystem, true);
  assert.equal(c.securityContext.runAsNonRoot, true);
  assert.equal(c.securityContext.runAsUser, 65532);
  assert.deepEqual(c.securityContext.capabilities, { drop: ['ALL'] });
  assert.deepEqual(c.securityContext.seccompProfile, { type: 'RuntimeDefault' });
  for (const kind of ['requests', 'limits']) {
    assert.ok(c.resources[kind].cpu && c.resources[kind].memory, `resources.${kind}`);
  }
  assert.deepEqual(c.livenessProbe.httpGet, { path: '/healthz', port: 'https', scheme: 'HTTPS' });
  assert.deepEqual(c.readinessProbe.httpGet, { path: '/readyz', port: 'https', scheme: 'HTTPS' });
  const tls = pod.volumes.find((v: Obj) => v.name === 'tls');
  assert.equal(tls.secret.secretName, TLS_SECRET);
  assert.deepEqual(c.volumeMounts.find((m: Obj) => m.name === 'tls'), { name: 'tls', mountPath: '/tls', readOnly: true });
  // The API token is projected explicitly (short-lived), not automounted.
  const api = pod.volumes.find((v: Obj) => v.name === 'kube-api-access');
  assert.equal(api.projected.sources[0].serviceAccountToken.expirationSeconds, 3600);

  const pdb = byKind(objects, 'PodDisruptionBudget');
  assert.equal(pdb.spec.minAvailable, 1);
  assert.deepEqual(pdb.spec.selector.matchLabels, deploy.spec.selector.matchLabels);
  const svc = byKind(objects, 'Service');
  assert.deepEqual(svc.spec.ports, [{ name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' }]);
  assert.deepEqual(svc.spec.selector, deploy.spec.selector.matchLabels);
});

test('an image pinned by digest is pulled IfNotPresent; unpinned images are refused', () => {
  const digest = `registry.example.com/sec/palisade@sha256:${'a'.repeat(64)}`;
  const c = byKind(docs(renderInstall({ version: '1.2.3', image: digest, caPem: CA })), 'Deployment').spec.template.spec.containers[0];
  assert.equal(c.image, digest);
  assert.equal(c.imagePullPolicy, 'IfNotPresent');
  assert.throws(() => installManifests({ version: '1', image: 'palisade' }), /--image: "palisade" has no version/);
  assert.throws(() => installManifests({ version: '1', image: 'palisade:latest' }), /has no version/);
  assert.throws(() => installManifests({ version: '1', image: 'palisade@sha256:abc' }), /digest is sha256: and 64 hex/);
});

test('the webhook configurations: names, paths, policies, rules, selector, caBundle', () => {
  const objects = docs(renderInstall({ version: '1.2.3', namespace: 'guard', caPem: CA, excludeNamespaces: ['monitoring'] }));
  const validating = byKind(objects, 'ValidatingWebhookConfiguration').webhooks;
  const mutating = byKind(objects, 'MutatingWebhookConfiguration').webhooks;
  assert.equal(validating.length, 1);
  assert.equal(mutating.length, 1);
  const [v] = validating;
  const [m] = mutating;
  assert.equal(v.name, VALIDATING_WEBHOOK);
  assert.equal(m.name, MUTATING_WEBHOOK);
  assert.match(v.name, /^[a-z0-9-]+(\.[a-z0-9-]+){2,}$/, 'fully qualified');
  assert.deepEqual(v.clientConfig.service, { namespace: 'guard', name: 'palisade', path: '/validate', port: 443 });
  assert.deepEqual(m.clientConfig.service, { namespace: 'guard', name: 'palisade', path: '/mutate', port: 443 });
  assert.equal(Buffer.from(v.clientConfig.caBundle, 'base64').toString(), CA);
  assert.equal(m.clientConfig.caBundle, v.clientConfig.caBundle);
  assert.equal(v.failurePolicy, 'Fail');
  assert.equal(m.failurePolicy, 'Ignore');
  assert.equal(m.reinvocationPolicy, 'IfNeeded');
  for (const w of [v, m]) {
    assert.equal(w.timeoutSeconds, 5);
    assert.equal(w.sideEffects, 'None');
    assert.deepEqual(w.admissionReviewVersions, ['v1']);
    assert.equal(w.matchPolicy, 'Equivalent');
    assert.deepEqual(w.namespaceSelector, {
      matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'guard', 'monitoring'] }],
    });
    const covered = new Set<string>();
    for (const r of w.rules) {
      assert.deepEqual(r.operations, ['CREATE', 'UPDATE']);
      assert.deepEqual(r.apiVersions, ['v1']);
      for (const res of r.resources) covered.add(`${r.apiGroups[0] || 'core'}/${res}`);
      if (r.resources.includes('namespaces')) assert.equal(r.scope, 'Cluster');
      else assert.equal(r.scope, 'Namespaced');
    }
    assert.deepEqual([...covered].sort(), [
      'apps/daemonsets', 'apps/deployments', 'apps/replicasets', 'apps/statefulsets', 'batch/cronjobs', 'batch/jobs',
      'core/namespaces', 'core/pods', 'core/pods/ephemeralcontainers', 'core/podtemplates', 'core/replicationcontrollers',
    ]);
  }
});

test('without a CA: a commented placeholder that kubectl would reject, never an empty caBundle', () => {
  const text = renderInstall({ version: '1.2.3' });
  const objects = docs(text);
  for (const kind of ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration']) {
    assert.equal(byKind(objects, kind).webhooks[0].clientConfig.caBundle, CA_BUNDLE_PLACEHOLDER);
  }
  assert.equal((text.match(/caBundle: REPLACE_WITH_BASE64_OF_CA_CRT # FILL IN: base64 -w0 ca\.crt/g) ?? []).length, 2);
  // Not valid base64: the API server refuses the object instead of calling the webhook with the system roots.
  assert.doesNotMatch(CA_BUNDLE_PLACEHOLDER, /^[A-Za-z0-9+/]*={0,2}$/);
});

test('flags: failure policies, timeout, replicas and namespace are checked', () => {
  const objects = docs(renderInstall({ version: '1', caPem: CA, failurePolicy: 'Ignore', mutatingFailurePolicy: 'Fail', timeoutSeconds: 10 }));
  assert.equal(byKind(objects, 'ValidatingWebhookConfiguration').webhooks[0].failurePolicy, 'Ignore');
  assert.equal(byKind(objects, 'MutatingWebhookConfiguration').webhooks[0].failurePolicy, 'Fail');
  assert.equal(byKind(objects, 'MutatingWebhookConfiguration').webhooks[0].timeoutSeconds, 10);
  assert.throws(() => installManifests({ version: '1', replicas: 1 }), /--replicas: expected a whole number from 2 to 50/);
  assert.throws(() => installManifests({ version: '1', timeoutSeconds: 31 }), /--timeout: expected whole seconds from 1 to 30/);
  assert.throws(() => installManifests({ version: '1', namespace: 'Palisade' }), /--namespace: "Palisade" is not a namespace name/);
  assert.throws(() => installManifests({ version: '1', excludeNamespaces: ['a b'] }), /--exclude-namespace: "a b"/);
});
