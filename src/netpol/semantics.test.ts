// NetworkPolicy semantics, one subtlety per test. Every expected answer is derived from the
// Kubernetes documentation, cited above each test:
//   [docs]  https://kubernetes.io/docs/concepts/services-networking/network-policies/
//   [api]   https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/
// The world is the upstream e2e suite's (namespaces x, y, z; pods a, b, c; see testkit.ts).
// Matrices: rows are sources, columns destinations; X allowed, . denied. A Pod's traffic to
// itself is always allowed ([docs] "a pod cannot block access to itself").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from './engine.js';
import { parseIp } from './cidr.js';
import { e2eWorld, grid, modelOf, ns, pod, policy, probe, table } from './testkit.js';
import type { Endpoint } from './engine.js';

const ALL_ALLOWED = table(`
      x/a x/b x/c y/a y/b y/c z/a z/b z/c
  x/a X   X   X   X   X   X   X   X   X
  x/b X   X   X   X   X   X   X   X   X
  x/c X   X   X   X   X   X   X   X   X
  y/a X   X   X   X   X   X   X   X   X
  y/b X   X   X   X   X   X   X   X   X
  y/c X   X   X   X   X   X   X   X   X
  z/a X   X   X   X   X   X   X   X   X
  z/b X   X   X   X   X   X   X   X   X
  z/c X   X   X   X   X   X   X   X   X
`);

/** Ingress of x/a, x/b and x/c denied to everyone but themselves. */
const X_INGRESS_DENIED = table(`
      x/a x/b x/c y/a y/b y/c z/a z/b z/c
  x/a X   .   .   X   X   X   X   X   X
  x/b .   X   .   X   X   X   X   X   X
  x/c .   .   X   X   X   X   X   X   X
  y/a .   .   .   X   X   X   X   X   X
  y/b .   .   .   X   X   X   X   X   X
  y/c .   .   .   X   X   X   X   X   X
  z/a .   .   .   X   X   X   X   X   X
  z/b .   .   .   X   X   X   X   X   X
  z/c .   .   .   X   X   X   X   X   X
`);

// [docs] "By default, a pod is non-isolated for ingress; all inbound connections are allowed."
test('no policy: everything is allowed', () => {
  assert.equal(grid(modelOf(e2eWorld()), '80/TCP'), ALL_ALLOWED);
});

// [docs] Default deny all ingress traffic: podSelector {} with policyTypes [Ingress] and no
// ingress rules selects every pod of its namespace and allows nothing in; other namespaces are
// unaffected (a policy only selects pods in its own namespace).
test('empty podSelector selects every pod of the policy namespace; no ingress rules deny all ingress', () => {
  const m = modelOf(e2eWorld() + policy('x', 'deny', { podSelector: {}, policyTypes: ['Ingress'] }));
  assert.equal(grid(m, '80/TCP'), X_INGRESS_DENIED);
});

// [api] NetworkPolicySpec.policyTypes: "If this field is not specified, it will default based on
// the existence of ingress or egress rules; policies that contain an egress section are assumed
// to affect egress, and all policies (whether or not they contain an ingress section) are
// assumed to affect ingress." An empty `egress: []` is no egress section.
test('policyTypes defaulting: Ingress always, Egress only when egress rules are present', () => {
  // No policyTypes and no rules at all: Ingress isolation only.
  assert.equal(grid(modelOf(e2eWorld() + policy('x', 'bare', { podSelector: {} })), '80/TCP'), X_INGRESS_DENIED);
  // egress: [] is not an egress section: still Ingress only, egress of x stays open.
  assert.equal(grid(modelOf(e2eWorld() + policy('x', 'empty-egress', { podSelector: {}, egress: [] })), '80/TCP'), X_INGRESS_DENIED);
  // An egress section without policyTypes: x/a is isolated for Egress (only to x/b) AND for
  // Ingress, with no ingress rules — the silent ingress deny the API text implies.
  const m = modelOf(e2eWorld() + policy('x', 'egress-only', {
    podSelector: { matchLabels: { pod: 'a' } },
    egress: [{ to: [{ podSelector: { matchLabels: { pod: 'b' } } }] }],
  }));
  assert.deepEqual(m.policies[0].types, { ingress: true, egress: true });
  assert.equal(grid(m, '80/TCP'), table(`
        x/a x/b x/c y/a y/b y/c z/a z/b z/c
    x/a X   X   .   .   .   .   .   .   .
    x/b .   X   X   X   X   X   X   X   X
    x/c .   X   X   X   X   X   X   X   X
    y/a .   X   X   X   X   X   X   X   X
    y/b .   X   X   X   X   X   X   X   X
    y/c .   X   X   X   X   X   X   X   X
    z/a .   X   X   X   X   X   X   X   X
    z/b .   X   X   X   X   X   X   X   X
    z/c .   X   X   X   X   X   X   X   X
  `));
  // Written policyTypes [Egress] with the same rules: ingress of x/a stays open.
  const m2 = modelOf(e2eWorld() + policy('x', 'egress-only', {
    podSelector: { matchLabels: { pod: 'a' } },
    policyTypes: ['Egress'],
    egress: [{ to: [{ podSelector: { matchLabels: { pod: 'b' } } }] }],
  }));
  assert.equal(grid(m2, '80/TCP'), table(`
        x/a x/b x/c y/a y/b y/c z/a z/b z/c
    x/a X   X   .   .   .   .   .   .   .
    x/b X   X   X   X   X   X   X   X   X
    x/c X   X   X   X   X   X   X   X   X
    y/a X   X   X   X   X   X   X   X   X
    y/b X   X   X   X   X   X   X   X   X
    y/c X   X   X   X   X   X   X   X   X
    z/a X   X   X   X   X   X   X   X   X
    z/b X   X   X   X   X   X   X   X   X
    z/c X   X   X   X   X   X   X   X   X
  `));
});

// [docs] Allow all ingress traffic: `ingress: [{}]` — one rule with no `from` and no `ports`
// matches every source and port, and it overrides the default deny of the same namespace
// (policies are additive). [api] NetworkPolicyIngressRule.from: "If this field is empty or
// missing, this rule matches all sources".
test('ingress: [{}] allows everything; an absent from allows all sources on the rule ports', () => {
  const deny = policy('x', 'deny', { podSelector: {}, policyTypes: ['Ingress'] });
  assert.equal(grid(modelOf(e2eWorld() + deny + policy('x', 'allow-all', { podSelector: {}, ingress: [{}] })), '80/TCP'), ALL_ALLOWED);
  const portsOnly = modelOf(e2eWorld() + deny + policy('x', 'allow-80', { podSelector: {}, ingress: [{ ports: [{ port: 80 }] }] }));
  assert.equal(grid(portsOnly, '80/TCP'), ALL_ALLOWED);
  assert.equal(grid(portsOnly, '81/TCP'), X_INGRESS_DENIED);
});

// [docs] Behavior of to and from selectors: a single from element with both namespaceSelector
// and podSelector "allows connections from Pods in the local Namespace with the label role=client,
// or from any Pod in any namespace with the label user=alice" — one element is an AND, two
// elements are an OR.
test('namespaceSelector and podSelector in one peer are ANDed; in two peers they are ORed', () => {
  const toA = { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Ingress'] };
  const yNs = { matchLabels: { 'kubernetes.io/metadata.name': 'y' } };
  const podB = { matchLabels: { pod: 'b' } };
  const and = modelOf(e2eWorld() + policy('x', 'and', { ...toA, ingress: [{ from: [{ namespaceSelector: yNs, podSelector: podB }] }] }));
  assert.equal(grid(and, '80/TCP'), table(`
        x/a x/b x/c y/a y/b y/c z/a z/b z/c
    x/a X   X   X   X   X   X   X   X   X
    x/b .   X   X   X   X   X   X   X   X
    x/c .   X   X   X   X   X   X   X   X
    y/a .   X   X   X   X   X   X   X   X
    y/b X   X   X   X   X   X   X   X   X
    y/c .   X   X   X   X   X   X   X   X
    z/a .   X   X   X   X   X   X   X   X
    z/b .   X   X   X   X   X   X   X   X
    z/c .   X   X   X   X   X   X   X   X
  `));
  // Two peers: every pod of namespace y, OR pods pod=b of the policy's own namespace x.
  const or = modelOf(e2eWorld() + policy('x', 'or', { ...toA, ingress: [{ from: [{ namespaceSelector: yNs }, { podSelector: podB }] }] }));
  assert.equal(grid(or, '80/TCP'), table(`
        x/a x/b x/c y/a y/b y/c z/a z/b z/c
    x/a X   X   X   X   X   X   X   X   X
    x/b X   X   X   X   X   X   X   X   X
    x/c .   X   X   X   X   X   X   X   X
    y/a X   X   X   X   X   X   X   X   X
    y/b X   X   X   X   X   X   X   X   X
    y/c X   X   X   X   X   X   X   X   X
    z/a .   X   X   X   X   X   X   X   X
    z/b .   X   X   X   X   X   X   X   X
    z/c .   X   X   X   X   X   X   X   X
  `));
});

// [docs] podSelector (in a peer): "This selects particular Pods in the same namespace as the
// NetworkPolicy"; namespaceSelector: "This selects particular namespaces for which all Pods
// should be allowed"; [api] NetworkPolicyPeer.namespaceSelector: "If present but empty, it
// selects all namespaces." Selector peers never match addresses outside the cluster.
test('podSelector {} alone is the policy namespace; namespaceSelector {} is every namespace but no external address', () => {
  const m = modelOf(e2eWorld()
    + policy('y', 'same-ns', { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] })
    + policy('z', 'all-ns', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ namespaceSelector: {} }] }] }));
  assert.equal(grid(m, '80/TCP'), table(`
        x/a x/b x/c y/a y/b y/c z/a z/b z/c
    x/a X   X   X   .   .   .   X   X   X
    x/b X   X   X   .   .   .   X   X   X
    x/c X   X   X   .   .   .   X   X   X
    y/a X   X   X   X   X   X   X   X   X
    y/b X   X   X   X   X   X   X   X   X
    y/c X   X   X   X   X   X   X   X   X
    z/a X   X   X   .   .   .   X   X   X
    z/b X   X   X   .   .   .   X   X   X
    z/c X   X   X   .   .   .   X   X   X
  `));
  const engine = new Engine(m);
  const za = m.pods.find((p) => p.id === 'z/a')!;
  const outside: Endpoint = { ip: parseIp('203.0.113.9')!, text: '203.0.113.9' };
  assert.equal(engine.explain(outside, { pod: za }, probe('80/TCP')).allowed, false);
  const zb = m.pods.find((p) => p.id === 'z/b')!;
  assert.equal(engine.explain(outside, { pod: zb }, probe('80/TCP')).allowed, true, 'z/b is not isolated');
});

// [api] NetworkPolicyPort.port: "This can either be a numerical or named port on a pod" — a
// named port is resolved against the destination pod's container ports, so two pods may map
// one name to different numbers; the container port's protocol must be the rule's protocol
// (which defaults to TCP). This holds for ingress and for egress rules.
test('named ports resolve per destination pod, and the protocol must match', () => {
  const m = modelOf(
    pod('x', 'client', { labels: { app: 'client' } })
    + pod('y', 'web1', { labels: { app: 'web' }, ports: [{ name: 'http', containerPort: 8080 }] })
    + pod('y', 'web2', { labels: { app: 'web' }, ports: [{ name: 'http', containerPort: 9090 }] })
    + pod('y', 'dns', { labels: { app: 'dns' }, ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }] })
    + policy('y', 'named-in', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 'http' }, { port: 'dns', protocol: 'UDP' }] }] })
    + policy('x', 'named-out', { podSelector: { matchLabels: { app: 'client' } }, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'http' }] }] }),
  );
  assert.equal(grid(m, '8080/TCP'), table(`
             x/client y/web1 y/web2 y/dns
    x/client X        X      .      .
    y/web1   X        X      .      .
    y/web2   X        X      X      .
    y/dns    X        X      .      X
  `));
  assert.equal(grid(m, '9090/TCP'), table(`
             x/client y/web1 y/web2 y/dns
    x/client X        .      X      .
    y/web1   X        X      X      .
    y/web2   X        .      X      .
    y/dns    X        .      X      X
  `));
  assert.equal(grid(m, '53/UDP'), table(`
             x/client y/web1 y/web2 y/dns
    x/client X        .      .      .
    y/web1   X        X      .      X
    y/web2   X        .      X      X
    y/dns    X        .      .      X
  `));
  // dns is a UDP port: TCP 53 matches neither `dns/UDP` nor `http/TCP`.
  assert.equal(grid(m, '53/TCP'), table(`
             x/client y/web1 y/web2 y/dns
    x/client X        .      .      .
    y/web1   X        X      .      .
    y/web2   X        .      X      .
    y/dns    X        .      .      X
  `));
});

// [docs] ipBlock: "This selects particular IP CIDR ranges to allow as ingress sources or egress
// destinations"; [api] IPBlock.except: "a slice of CIDRs that should not be included within an
// IPBlock". Pod IPs (status.podIP) are matched too, as the upstream e2e CIDR cases require.
test('ipBlock with except, for sources and destinations, pods by their IPs and outside addresses', () => {
  const m = modelOf(e2eWorld()
    + policy('x', 'from-cidr', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/16', except: ['10.0.2.0/24'] } }] }] })
    + policy('z', 'to-cidr', { podSelector: { matchLabels: { pod: 'c' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.1.0/24', except: ['10.0.1.1/32'] } }] }] }));
  assert.equal(grid(m, '80/TCP'), table(`
        x/a x/b x/c y/a y/b y/c z/a z/b z/c
    x/a X   X   X   X   X   X   X   X   X
    x/b X   X   X   X   X   X   X   X   X
    x/c X   X   X   X   X   X   X   X   X
    y/a .   X   X   X   X   X   X   X   X
    y/b .   X   X   X   X   X   X   X   X
    y/c .   X   X   X   X   X   X   X   X
    z/a X   X   X   X   X   X   X   X   X
    z/b X   X   X   X   X   X   X   X   X
    z/c .   X   X   .   .   .   .   .   X
  `));
  const engine = new Engine(m);
  const xa = { pod: m.pods.find((p) => p.id === 'x/a')! };
  const ip = (t: string): Endpoint => ({ ip: parseIp(t)!, text: t });
  assert.equal(engine.explain(ip('10.0.9.9'), xa, probe('80/TCP')).allowed, true);
  assert.equal(engine.explain(ip('10.0.2.200'), xa, probe('80/TCP')).allowed, false, 'inside except');
  assert.equal(engine.explain(ip('192.168.1.1'), xa, probe('80/TCP')).allowed, false, 'outside cidr');
  const zc = { pod: m.pods.find((p) => p.id === 'z/c')! };
  assert.equal(engine.explain(zc, ip('10.0.1.77'), probe('80/TCP')).allowed, true);
  assert.equal(engine.explain(zc, ip('10.0.1.1'), probe('80/TCP')).allowed, false);
});

// [docs] "For a connection from a source pod to a destination pod to be allowed, both the egress
// policy on the source pod and the ingress policy on the destination pod need to allow the
// connection. If either side does not allow the connection, it will not happen."
test('a connection needs both the egress of the source and the ingress of the destination', () => {
  const m = modelOf(e2eWorld()
    + policy('x', 'a-no-egress', { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Egress'] })
    + policy('y', 'b-from-xa', {
      podSelector: { matchLabels: { pod: 'b' } },
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'x' } }, podSelector: { matchLabels: { pod: 'a' } } }] }],
    }));
  assert.equal(grid(m, '80/TCP'), table(`
        x/a x/b x/c y/a y/b y/c z/a z/b z/c
    x/a X   .   .   .   .   .   .   .   .
    x/b X   X   X   X   .   X   X   X   X
    x/c X   X   X   X   .   X   X   X   X
    y/a X   X   X   X   .   X   X   X   X
    y/b X   X   X   X   X   X   X   X   X
    y/c X   X   X   X   .   X   X   X   X
    z/a X   X   X   X   .   X   X   X   X
    z/b X   X   X   X   .   X   X   X   X
    z/c X   X   X   X   .   X   X   X   X
  `));
  const engine = new Engine(m);
  const v = engine.explain({ pod: m.pods[0] }, { pod: m.pods[4] }, probe('80/TCP'));
  assert.deepEqual([v.egress.allowed, v.ingress.allowed, v.allowed], [false, true, false]);
});

// [docs] Targeting a range of ports: "port: 32000, endPort: 32768 ... allow traffic ... on any
// port between the range 32000 and 32768" (inclusive); [api] endPort "cannot be defined if the
// port field is not defined or if the port field is defined as a named (string) port. The
// endPort must be equal or greater than port."
test('endPort: an inclusive range; invalid ranges are rejected with their line', () => {
  const m = modelOf(e2eWorld() + policy('x', 'range', { podSelector: {}, ingress: [{ ports: [{ protocol: 'TCP', port: 32000, endPort: 32768 }] }] }));
  const engine = new Engine(m);
  const ya = { pod: m.pods[3] };
  const xa = { pod: m.pods[0] };
  const at = (p: string) => engine.explain(ya, xa, probe(p)).allowed;
  assert.deepEqual([at('31999/TCP'), at('32000/TCP'), at('32500/TCP'), at('32768/TCP'), at('32769/TCP'), at('32000/UDP')], [false, true, true, true, false, false]);
  const bad = modelOf(e2eWorld() + policy('x', 'bad', { podSelector: {}, ingress: [{ ports: [
    { port: 'http', endPort: 90 }, { endPort: 90 }, { port: 100, endPort: 90 }, { port: 80, endPort: 70000 },
  ] }] }), { problems: true });
  assert.deepEqual(bad.problems.map((p) => p.message.replace(/ — .*/, '')), [
    'endPort may not be given with a named port',
    'endPort may not be given without port',
    'endPort 90 is below port 100',
    'endPort 70000 is out of range (1 to 65535)',
  ]);
  assert.equal(bad.policies[0].valid, false);
  // Rejected by the API server, so not in force: x stays open.
  assert.equal(grid(bad, '80/TCP'), ALL_ALLOWED);
});

// [api] NetworkPolicyPort.protocol: "If not specified, this field defaults to TCP." A policy that
// only allows UDP still isolates its pods, so TCP is denied (upstream e2e: "should not
// mistakenly treat 'protocol: SCTP' as 'protocol: TCP'").
test('protocol defaults to TCP; allowing only UDP still isolates for TCP', () => {
  const tcp80 = modelOf(e2eWorld() + policy('x', 'tcp80', { podSelector: {}, ingress: [{ ports: [{ port: 80 }] }] }));
  assert.equal(grid(tcp80, '80/TCP'), ALL_ALLOWED);
  assert.equal(grid(tcp80, '80/UDP'), X_INGRESS_DENIED);
  const udp = modelOf(e2eWorld() + policy('x', 'udp', { podSelector: {}, ingress: [{ ports: [{ protocol: 'UDP', port: 80 }] }] }));
  assert.equal(grid(udp, '80/TCP'), X_INGRESS_DENIED);
  assert.equal(grid(udp, '80/UDP'), ALL_ALLOWED);
});

// [docs] "Network policies do not conflict; they are additive. If any policy or policies apply
// to a given pod for a given direction, the connections allowed in that direction from that pod
// is the union of what the applicable policies allow."
test('policies are additive: the union of every policy selecting the pod', () => {
  const m = modelOf(e2eWorld()
    + policy('x', 'deny', { podSelector: {}, policyTypes: ['Ingress'] })
    + policy('x', 'from-y', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'y' } } }] }] })
    + policy('x', 'from-za', { podSelector: { matchLabels: { pod: 'c' } }, ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { pod: 'a' } } }] }] }));
  assert.equal(grid(m, '80/TCP'), table(`
        x/a x/b x/c y/a y/b y/c z/a z/b z/c
    x/a X   .   X   X   X   X   X   X   X
    x/b .   X   .   X   X   X   X   X   X
    x/c .   .   X   X   X   X   X   X   X
    y/a X   X   X   X   X   X   X   X   X
    y/b X   X   X   X   X   X   X   X   X
    y/c X   X   X   X   X   X   X   X   X
    z/a .   .   X   X   X   X   X   X   X
    z/b .   .   .   X   X   X   X   X   X
    z/c .   .   .   X   X   X   X   X   X
  `));
});

// [docs] Targeting a Namespace by its name: "The Kubernetes control plane sets an immutable
// label kubernetes.io/metadata.name on all namespaces". A namespace the input only refers to
// exists with that label alone; other labels come only from Namespace objects.
test('namespaces without a Namespace object carry only kubernetes.io/metadata.name', () => {
  const world = pod('x', 'a') + pod('y', 'a') + policy('x', 'from-team', {
    podSelector: {},
    ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'blue' } } }, { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'y' } }, podSelector: { matchLabels: { pod: 'nobody' } } }] }],
  });
  const m = modelOf(world);
  assert.deepEqual(m.namespaces.map((n) => [n.name, n.labels]), [['x', { 'kubernetes.io/metadata.name': 'x' }], ['y', { 'kubernetes.io/metadata.name': 'y' }]]);
  assert.equal(grid(m, '80/TCP'), table(`
        x/a y/a
    x/a X   X
    y/a .   X
  `));
  // Given as an object with team=blue (and a wrong name label, which the API server overwrites).
  const m2 = modelOf(world + ns('y', { team: 'blue', 'kubernetes.io/metadata.name': 'other' }));
  assert.deepEqual(m2.namespaces.find((n) => n.name === 'y')!.labels, { team: 'blue', 'kubernetes.io/metadata.name': 'y' });
  assert.equal(grid(m2, '80/TCP'), table(`
        x/a y/a
    x/a X   X
    y/a X   X
  `));
});

// [docs] "a pod cannot block access to itself". A workload stands for its replicas: traffic
// between two replicas is pod-to-pod traffic that policies govern (the upstream e2e suite
// leaves loopback out of its matrices).
test('self traffic: a Pod always reaches itself; replicas of a workload are subject to policy', () => {
  const m = modelOf(`
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: x}
spec:
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: c, image: nginx, ports: [{name: http, containerPort: 8080}]}]
` + pod('x', 'solo') + policy('x', 'deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }));
  assert.deepEqual(m.pods.map((p) => [p.id, p.kind, p.labels]), [['x/web', 'Deployment', { app: 'web' }], ['x/solo', 'Pod', { pod: 'solo' }]]);
  assert.equal(grid(m, '8080/TCP'), table(`
           x/web x/solo
    x/web  .     .
    x/solo .     X
  `));
  const engine = new Engine(m);
  assert.equal(engine.explain({ pod: m.pods[1] }, { pod: m.pods[1] }, probe('80/TCP')).self, true);
});

test('workloads: one representative pod each; owned ReplicaSets and Jobs are represented by their owner', () => {
  const m = modelOf(`
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec: {template: {metadata: {labels: {app: web}}, spec: {containers: [{name: c, image: i}]}}}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: web-5d8f, ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, controller: true, uid: u}]}
spec: {template: {metadata: {labels: {app: web}}, spec: {containers: [{name: c, image: i}]}}}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: backup, namespace: ops}
spec: {jobTemplate: {spec: {template: {metadata: {labels: {job: backup}}, spec: {containers: [{name: c, image: i}]}}}}}
---
apiVersion: v1
kind: PodTemplate
metadata: {name: tpl}
template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c, image: i}]}}
`);
  assert.deepEqual(m.pods.map((p) => `${p.id} ${p.kind}`), ['default/web Deployment', 'ops/backup CronJob']);
  assert.deepEqual(m.pods[1].labels, { job: 'backup' });
});
