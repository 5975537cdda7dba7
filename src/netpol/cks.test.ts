// The five NetworkPolicy cases of the CKS material, each with the full matrix Kubernetes
// enforces over one fixed world (rows: source, columns: destination; X allowed, . denied):
//
//   namespace prod (env=prod): frontend (app=frontend), backend (app=backend, port http=80), db (app=db)
//   namespace dev  (env=dev):  client1 (app=client1), web (app=web)
//   namespace other (no Namespace object: only kubernetes.io/metadata.name): client1 (app=client1), tool (app=tool)
//
// Expected answers follow https://kubernetes.io/docs/concepts/services-networking/network-policies/
// (Default policies; Behavior of to and from selectors; "a pod cannot block access to itself",
// so every Pod reaches itself).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from './engine.js';
import { parseIp } from './cidr.js';
import { grid, modelOf, ns, pod, policy, probe, table } from './testkit.js';

const WORLD = ns('prod', { env: 'prod' }) + ns('dev', { env: 'dev' })
  + pod('prod', 'frontend', { labels: { app: 'frontend' } })
  + pod('prod', 'backend', { labels: { app: 'backend' }, ports: [{ name: 'http', containerPort: 80 }] })
  + pod('prod', 'db', { labels: { app: 'db' } })
  + pod('dev', 'client1', { labels: { app: 'client1' } })
  + pod('dev', 'web', { labels: { app: 'web' } })
  + pod('other', 'client1', { labels: { app: 'client1' } })
  + pod('other', 'tool', { labels: { app: 'tool' } });

const DENY_ALL_PROD = policy('prod', 'default-deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] });

// (1) Deny all: a default-deny ingress policy in prod. [docs] Default deny all ingress traffic.
test('CKS 1: default deny ingress in prod', () => {
  assert.equal(grid(modelOf(WORLD + DENY_ALL_PROD), '80/TCP'), table(`
                  prod/frontend prod/backend prod/db dev/client1 dev/web other/client1 other/tool
    prod/frontend X             .            .       X           X       X             X
    prod/backend  .             X            .       X           X       X             X
    prod/db       .             .            X       X           X       X             X
    dev/client1   .             .            .       X           X       X             X
    dev/web       .             .            .       X           X       X             X
    other/client1 .             .            .       X           X       X             X
    other/tool    .             .            .       X           X       X             X
  `));
});

// (2) Deny traffic from other namespaces: `from: [{podSelector: {}}]` admits every pod of the
// policy's own namespace and nothing else. [docs] podSelector "selects particular Pods in the
// same namespace as the NetworkPolicy".
test('CKS 2: deny traffic from other namespaces (allow same namespace only)', () => {
  const m = modelOf(WORLD + policy('prod', 'deny-from-other-namespaces', { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] }));
  assert.equal(grid(m, '80/TCP'), table(`
                  prod/frontend prod/backend prod/db dev/client1 dev/web other/client1 other/tool
    prod/frontend X             X            X       X           X       X             X
    prod/backend  X             X            X       X           X       X             X
    prod/db       X             X            X       X           X       X             X
    dev/client1   .             .            .       X           X       X             X
    dev/web       .             .            .       X           X       X             X
    other/client1 .             .            .       X           X       X             X
    other/tool    .             .            .       X           X       X             X
  `));
});

// (3) Allow all namespaces to one app: podSelector on the target, `from: [{namespaceSelector: {}}]`.
// [api] NetworkPolicyPeer.namespaceSelector: "If present but empty, it selects all namespaces."
// Alone, it isolates backend but admits every pod (not outside addresses); on top of the
// default deny of case 1, backend is the one pod of prod the other namespaces reach.
test('CKS 3: allow all namespaces to one app', () => {
  const allowBackend = policy('prod', 'backend-allow-all-namespaces', { podSelector: { matchLabels: { app: 'backend' } }, ingress: [{ from: [{ namespaceSelector: {} }] }] });
  const alone = modelOf(WORLD + allowBackend);
  assert.equal(grid(alone, '80/TCP'), table(`
                  prod/frontend prod/backend prod/db dev/client1 dev/web other/client1 other/tool
    prod/frontend X             X            X       X           X       X             X
    prod/backend  X             X            X       X           X       X             X
    prod/db       X             X            X       X           X       X             X
    dev/client1   X             X            X       X           X       X             X
    dev/web       X             X            X       X           X       X             X
    other/client1 X             X            X       X           X       X             X
    other/tool    X             X            X       X           X       X             X
  `));
  const engine = new Engine(alone);
  const outside = { ip: parseIp('198.51.100.7')!, text: '198.51.100.7' };
  assert.equal(engine.explain(outside, { pod: alone.pods[1] }, probe('80/TCP')).allowed, false, 'namespaceSelector {} admits pods, not outside addresses');
  assert.equal(engine.explain(outside, { pod: alone.pods[0] }, probe('80/TCP')).allowed, true, 'frontend is not isolated');

  assert.equal(grid(modelOf(WORLD + DENY_ALL_PROD + allowBackend), '80/TCP'), table(`
                  prod/frontend prod/backend prod/db dev/client1 dev/web other/client1 other/tool
    prod/frontend X             X            .       X           X       X             X
    prod/backend  .             X            .       X           X       X             X
    prod/db       .             X            X       X           X       X             X
    dev/client1   .             X            .       X           X       X             X
    dev/web       .             X            .       X           X       X             X
    other/client1 .             X            .       X           X       X             X
    other/tool    .             X            .       X           X       X             X
  `));
});

// (4) App to app on port 80 only: frontend → backend TCP 80. [api] NetworkPolicyIngressRule:
// "traffic is allowed if it matches both ports and from"; protocol defaults to TCP.
test('CKS 4: frontend to backend on TCP 80 only', () => {
  const m = modelOf(WORLD + policy('prod', 'backend-from-frontend', {
    podSelector: { matchLabels: { app: 'backend' } },
    policyTypes: ['Ingress'],
    ingress: [{ from: [{ podSelector: { matchLabels: { app: 'frontend' } } }], ports: [{ protocol: 'TCP', port: 80 }] }],
  }));
  assert.equal(grid(m, '80/TCP'), table(`
                  prod/frontend prod/backend prod/db dev/client1 dev/web other/client1 other/tool
    prod/frontend X             X            X       X           X       X             X
    prod/backend  X             X            X       X           X       X             X
    prod/db       X             .            X       X           X       X             X
    dev/client1   X             .            X       X           X       X             X
    dev/web       X             .            X       X           X       X             X
    other/client1 X             .            X       X           X       X             X
    other/tool    X             .            X       X           X       X             X
  `));
  for (const other of ['8080/TCP', '80/UDP']) {
    assert.equal(grid(m, other), table(`
                    prod/frontend prod/backend prod/db dev/client1 dev/web other/client1 other/tool
      prod/frontend X             .            X       X           X       X             X
      prod/backend  X             X            X       X           X       X             X
      prod/db       X             .            X       X           X       X             X
      dev/client1   X             .            X       X           X       X             X
      dev/web       X             .            X       X           X       X             X
      other/client1 X             .            X       X           X       X             X
      other/tool    X             .            X       X           X       X             X
    `), other);
  }
});

// (5) Allow the prod namespace, and pods app=client1 from anywhere: two separate peers are ORed;
// `namespaceSelector: {}` with `podSelector` in ONE peer means "pods app=client1 in any
// namespace". [docs] Behavior of to and from selectors.
test('CKS 5: prod namespace OR app=client1 from any namespace', () => {
  const m = modelOf(WORLD + policy('prod', 'db-from-prod-and-client1', {
    podSelector: { matchLabels: { app: 'db' } },
    policyTypes: ['Ingress'],
    ingress: [{ from: [
      { namespaceSelector: { matchLabels: { env: 'prod' } } },
      { namespaceSelector: {}, podSelector: { matchLabels: { app: 'client1' } } },
    ] }],
  }));
  assert.equal(grid(m, '80/TCP'), table(`
                  prod/frontend prod/backend prod/db dev/client1 dev/web other/client1 other/tool
    prod/frontend X             X            X       X           X       X             X
    prod/backend  X             X            X       X           X       X             X
    prod/db       X             X            X       X           X       X             X
    dev/client1   X             X            X       X           X       X             X
    dev/web       X             X            .       X           X       X             X
    other/client1 X             X            X       X           X       X             X
    other/tool    X             X            .       X           X       X             X
  `));
});
