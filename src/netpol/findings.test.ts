// `palisade netpol check` findings, one check at a time, and the exposure answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkFindings } from './findings.js';
import { Engine } from './engine.js';
import { exposure } from './exposure.js';
import { parseCidr, parseIp, formatRange, formatIp, normalize, rangeOf, subtract, publicPart, type Cidr } from './cidr.js';
import { modelOf, ns, pod, policy } from './testkit.js';

function findings(yaml: string, check?: string) {
  const result = checkFindings(new Engine(modelOf(yaml, { problems: true })));
  return result.findings.filter((f) => check === undefined || f.check === check).map((f) => `${f.severity} ${f.resource.kind} ${f.resource.namespace ?? ''}/${f.resource.name}: ${f.message}`);
}

const DENY_BOTH = (n: string) => policy(n, 'default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
const DNS_OK = (n: string) => policy(n, 'dns', { podSelector: {}, policyTypes: ['Egress'], egress: [{
  to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
  ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
}] });

test('pod-not-isolated: per direction; medium when ingress is open, low for egress only', () => {
  const out = findings(pod('a', 'open') + pod('b', 'in-only') + policy('b', 'deny-in', { podSelector: {}, policyTypes: ['Ingress'] }) + pod('c', 'both') + DENY_BOTH('c') + DNS_OK('c'), 'netpol/pod-not-isolated');
  assert.deepEqual(out, [
    'medium Pod a/open: pod a/open is not selected by any NetworkPolicy with ingress or egress in policyTypes: any pod or address can connect to it and it can connect anywhere',
    'low Pod b/in-only: pod b/in-only is not selected by any NetworkPolicy with egress in policyTypes: it can connect anywhere',
  ]);
});

test('no-default-deny: Namespace objects and namespaces with pods; a namespace-wide policy with rules is no default deny', () => {
  const out = findings(ns('given') + pod('a', 'p') + DENY_BOTH('ok') + pod('ok', 'p') + DNS_OK('ok')
    + pod('half', 'p') + policy('half', 'deny-in', { podSelector: {}, policyTypes: ['Ingress'] })
    + pod('rules', 'p') + policy('rules', 'allow-some', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: {} }] }] }), 'netpol/no-default-deny');
  assert.deepEqual(out.map((f) => f.replace(/ \(podSelector.*/, '')), [
    'medium Namespace /given: namespace given has no default-deny NetworkPolicy for ingress or egress',
    'medium Pod a/p: namespace a has no default-deny NetworkPolicy for ingress or egress',
    'low Pod half/p: namespace half has no default-deny NetworkPolicy for egress',
    'medium Pod rules/p: namespace rules has no default-deny NetworkPolicy for ingress or egress',
  ]);
});

test('selects-nothing and peer-selects-nothing: label typos, judged only where the input has pods', () => {
  const out = findings(pod('a', 'web', { labels: { app: 'web' } })
    + policy('a', 'typo', { podSelector: { matchLabels: { app: 'wbe' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'frontedn' } } }] }] })
    + policy('elsewhere', 'shipped-alone', { podSelector: { matchLabels: { app: 'x' } } }));
  const relevant = out.filter((f) => f.includes('matches no pod'));
  assert.deepEqual(relevant, [
    'info NetworkPolicy a/typo: from[0] podSelector app=frontedn matches no pod of namespace a in the input',
    'low NetworkPolicy a/typo: podSelector app=wbe matches no pod of namespace a in the input',
  ]);
});

test('all-namespaces: namespaceSelector {} (or one any new namespace matches), medium without podSelector on ingress', () => {
  const out = findings(pod('a', 'p') + policy('a', 'wide', { podSelector: {}, ingress: [
    { from: [{ namespaceSelector: {} }] },
    { from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'client1' } } }] },
    { from: [{ namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'Exists' }] } }] },
    { from: [{ namespaceSelector: { matchLabels: { env: 'prod' } } }] },
  ], egress: [{ to: [{ namespaceSelector: {} }] }] }), 'netpol/all-namespaces');
  assert.deepEqual(out, [
    'medium NetworkPolicy a/wide: ingress[0] allows traffic from every pod of every namespace (namespaceSelector: {})',
    'low NetworkPolicy a/wide: ingress[1] allows traffic from pods app=client1 in every namespace (namespaceSelector: {}): anyone who can create a pod with these labels in any namespace is admitted',
    'medium NetworkPolicy a/wide: ingress[2] allows traffic from every pod of every namespace (namespaceSelector kubernetes.io/metadata.name (which any new namespace matches))',
    'low NetworkPolicy a/wide: egress[0] allows traffic to every pod of every namespace (namespaceSelector: {})',
  ]);
});

test('or-peers: a namespace-only peer next to a pod-only peer', () => {
  const out = findings(pod('a', 'p', { labels: { app: 'db' } }) + pod('a', 'q', { labels: { app: 'api' } }) + policy('a', 'dash', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [
    { namespaceSelector: { matchLabels: { team: 'shop' } } }, { podSelector: { matchLabels: { app: 'api' } } },
  ] }] }), 'netpol/or-peers');
  assert.deepEqual(out, ['low NetworkPolicy a/dash: ingress[0] has separate peers "all pods in namespaces team=shop" and "pods app=api in namespace a": they are ORed, not ANDed']);
});

test('egress-without-dns: none, UDP only, an ipBlock to private space, real kube-dns pods with named ports', () => {
  const p = pod('a', 'p');
  assert.match(findings(p + DENY_BOTH('a'), 'netpol/egress-without-dns')[0], /^medium Pod a\/p: pod a\/p is isolated for egress \(a\/default-deny\) and may not reach kube-system pods k8s-app=kube-dns on UDP or TCP 53/);
  assert.deepEqual(findings(p + DENY_BOTH('a') + DNS_OK('a'), 'netpol/egress-without-dns'), []);
  const udpOnly = policy('a', 'udp', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: {} }], ports: [{ protocol: 'UDP', port: 53 }] }] });
  assert.deepEqual(findings(p + DENY_BOTH('a') + udpOnly, 'netpol/egress-without-dns'), [
    'low Pod a/p: pod a/p may reach kube-system pods k8s-app=kube-dns on UDP 53 but not TCP 53 (a/default-deny, a/udp): answers too large for UDP are retried over TCP and fail',
  ]);
  const nodeLocal = policy('a', 'nodelocal', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '169.254.20.10/32' } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }] });
  assert.deepEqual(findings(p + DENY_BOTH('a') + nodeLocal, 'netpol/egress-without-dns'), []);
  const internetOnly = policy('a', 'internet', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16', '127.0.0.0/8', '0.0.0.0/8', '192.0.0.0/24', '198.18.0.0/15', '224.0.0.0/4', '240.0.0.0/4'] } }] }] });
  assert.equal(findings(p + DENY_BOTH('a') + internetOnly, 'netpol/egress-without-dns').length, 1, 'public addresses only do not reach the cluster DNS');
  // With the real CoreDNS pods in the input, their own port names count.
  const coredns = pod('kube-system', 'coredns-1', { labels: { 'k8s-app': 'kube-dns' }, ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }, { name: 'dns-tcp', containerPort: 53 }] });
  const named = policy('a', 'named', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 'dns' }, { port: 'dns-tcp' }] }] });
  assert.deepEqual(findings(p + coredns + DENY_BOTH('a') + named, 'netpol/egress-without-dns'), []);
});

test('implicit-ingress-deny, named-port-undefined, cidr-host-bits', () => {
  const out = findings(pod('a', 'p', { ports: [{ name: 'http', containerPort: 80 }] })
    + policy('a', 'egress-only', { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.1/8' } }] }] })
    + policy('a', 'named', { podSelector: {}, ingress: [{ ports: [{ port: 'http' }, { port: 'https' }, { port: 'http', protocol: 'UDP' }] }] }));
  const of = (c: string) => out.filter((f) => f.includes(c));
  assert.deepEqual(of('names port'), [
    'low NetworkPolicy a/named: ingress[0] names port https/TCP, which none of the 1 selected pod(s) defines',
    'low NetworkPolicy a/named: ingress[0] names port http/UDP, which none of the 1 selected pod(s) defines',
  ]);
  assert.ok(of('policyTypes defaults to [Ingress, Egress]').length === 1, out.join('\n'));
  assert.ok(of('ipBlock cidr 10.0.0.1/8 has host bits set; Kubernetes reads it as 10.0.0.0/8').length === 1, out.join('\n'));
});

// [api] NetworkPolicySpec.policyTypes lists "the rule types that the NetworkPolicy relates to":
// rules of a type it does not list are not applied.
test('rules-ignored: egress rules under policyTypes [Ingress] are not in force', () => {
  const yaml = pod('a', 'p') + pod('b', 'q') + policy('a', 'confused', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{}], egress: [{ to: [{ podSelector: {} }] }] });
  assert.deepEqual(findings(yaml, 'netpol/rules-ignored'), ['medium NetworkPolicy a/confused: 1 egress rule(s) are ignored: policyTypes [Ingress] does not include Egress']);
  const m = modelOf(yaml);
  const e = new Engine(m);
  assert.equal(e.allowed(m.pods[0], m.pods[1], { port: 80, protocol: 'TCP' }), true, 'a/p is not egress-isolated');
});

test('invalid input is a finding at its line; Finding shape', () => {
  const yaml = pod('a', 'p') + policy('a', 'bad', { podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: [] }] }, ingress: [{ from: [{}, { ipBlock: { cidr: 'ten/8' }, podSelector: {} }] }] });
  const result = checkFindings(new Engine(modelOf(yaml, { problems: true })));
  const bad = result.findings.filter((f) => f.check === 'netpol/invalid-policy');
  assert.deepEqual(bad.map((f) => [f.path, f.message.replace(/ — .*/, '')]), [
    ['spec.podSelector.matchExpressions[0].values', 'podSelector: matchExpressions[0]: operator In needs at least one value'],
    ['spec.ingress[0].from[0]', 'a peer must specify podSelector, namespaceSelector or ipBlock'],
    ['spec.ingress[0].from[1]', 'a peer may not have both ipBlock and a podSelector/namespaceSelector (write them as separate peers)'],
    ['spec.ingress[0].from[1].ipBlock.cidr', 'ipBlock.cidr "ten/8" is not a CIDR ("ten" is not an IP address)'],
  ]);
  const f = bad[0];
  assert.equal(f.severity, 'high');
  assert.equal(f.resource.file, 'input.yaml');
  assert.ok(f.line > f.resource.line);
  assert.deepEqual(f.stride, ['T', 'E']);
  assert.equal(f.suppressed, false);
  assert.equal(result.summary.findings, result.findings.length);
});

test('exposure: every namespace by an Exists selector, named ports the pod lacks, cluster ranges', () => {
  const m = modelOf(pod('a', 'web', { ports: [{ name: 'http', containerPort: 8080 }] }) + pod('a', 'db')
    + policy('a', 'p', { podSelector: {}, ingress: [
      { from: [{ namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'Exists' }] } }], ports: [{ port: 'http' }] },
      { from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }] },
      { from: [{ namespaceSelector: { matchLabels: { env: 'prod' } } }] },
    ] }));
  const e = exposure(new Engine(m));
  assert.deepEqual(e.map((x) => [x.pod.id, x.external, x.internet, x.allNamespaces, x.exposures.map((y) => `${y.kind} ${y.ports}${y.ranges ? ` ${y.ranges}` : ''}`)]), [
    ['a/web', true, false, true, ['all-namespaces http (8080/TCP)', 'ip-block all ports 10.0.0.0/16, 10.2.0.0-10.255.255.255']],
    ['a/db', true, false, false, ['ip-block all ports 10.0.0.0/16, 10.2.0.0-10.255.255.255']],
  ]);
  const inCluster = exposure(new Engine(m), { clusterRanges: [rangeOf(parseCidr('10.0.0.0/8') as Cidr)] });
  assert.deepEqual(inCluster.map((x) => x.pod.id), ['a/web']);
});

test('CIDRs and addresses as the API server reads them', () => {
  assert.equal(parseCidr('10.0.0.0/8.5'), '"10.0.0.0/8.5" is not a CIDR (prefix length must be 0 to 32)');
  assert.equal(parseCidr('010.0.0.0/8'), '"010.0.0.0/8" is not a CIDR ("010.0.0.0" is not an IP address)');
  assert.equal(parseCidr('10.0.0.0'), '"10.0.0.0" is not a CIDR (no /prefix length; a single address is written 10.1.2.3/32)');
  assert.equal(parseCidr(8), 'must be a CIDR string such as 10.0.0.0/16, not number');
  const v6 = parseCidr('2001:db8::/32') as Cidr;
  assert.equal(v6.family, 6);
  assert.equal(formatIp({ family: 6, value: v6.last }), '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff');
  assert.equal(formatIp(parseIp('::ffff:10.1.2.3')!), '::ffff:a01:203');
  assert.equal(parseIp('1::2::3'), undefined);
  assert.equal(parseIp('fe80::1%eth0'), undefined);
  assert.equal((parseCidr('10.0.0.1/8') as Cidr).hostBitsSet, true);
  assert.equal(normalize(subtract([rangeOf(parseCidr('0.0.0.0/0') as Cidr)], [rangeOf(parseCidr('128.0.0.0/1') as Cidr)])).map(formatRange).join(), '0.0.0.0/1');
  assert.deepEqual(publicPart([rangeOf(parseCidr('10.0.0.0/8') as Cidr)]), []);
  assert.equal(publicPart([rangeOf(parseCidr('fd00::/8') as Cidr), rangeOf(parseCidr('2001:db8::/32') as Cidr)]).map(formatRange).join(), '2001:db8::/32');
});
