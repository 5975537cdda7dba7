/**
 * `palisade netpol check`: findings in the project's Finding shape, from the exact semantics
 * (engine.ts) rather than from patterns. The checks in src/checks/catalogue/networkpolicy.ts
 * (pod-not-selected, no-default-deny, selects-nothing) answer the structural questions during
 * `palisade scan`; these answer them with isolation as Kubernetes computes it, and add what
 * only the semantics can tell (DNS after an egress deny, every-namespace peers, invalid input).
 */
import {
  summarize, formatPath, isEmptySelector, selectorMatches,
  type CheckInfo, type Finding, type InputError, type JsonPath, type Labels, type Resource, type ScanResult, type Severity, type Stride,
} from '../model/index.js';
import * as B from './bitset.js';
import { NAME_LABEL } from './build.js';
import { formatIp, parseCidr, publicPart } from './cidr.js';
import { ipBlockRanges, peerText, selectorText } from './describe.js';
import { portMatches, type Engine } from './engine.js';
import { selectsEveryNamespace } from './exposure.js';
import type { Pod, Policy, Probe } from './types.js';

const DOCS = 'https://kubernetes.io/docs/concepts/services-networking/network-policies/';

function info(id: string, title: string, severity: Severity, stride: Stride[], description: string, remediation: string, anchor = ''): CheckInfo {
  return { id, title, severity, stride, description, remediation, refs: [`${DOCS}${anchor}`], helpUri: `${DOCS}${anchor}` };
}

export const NETPOL_CHECKS: readonly CheckInfo[] = [
  info('netpol/invalid-policy', 'NetworkPolicy the API server rejects', 'high', ['T', 'E'],
    'A NetworkPolicy with a malformed selector (unknown operator, In/NotIn without values), a CIDR that does not parse or an except outside its cidr, a port out of range, an endPort without a numeric port, or a peer mixing ipBlock and selectors is refused by the API server: the pods it was meant to protect stay as open as before. Palisade does not evaluate it.',
    'Fix the field named in the message and re-apply the policy.'),
  info('netpol/invalid-pod-port', 'Container port that NetworkPolicies cannot use', 'medium', ['D'],
    'A container port out of range, with an unknown protocol or an invalid name cannot be matched by a NetworkPolicy port (named ports resolve against these names).',
    'Use a port from 1 to 65535, protocol TCP, UDP or SCTP and a name of at most 15 lower-case letters, digits and dashes.'),
  info('netpol/duplicate-object', 'Object defined twice', 'medium', ['T'],
    'The same object (kind, namespace, name) appears twice in the input; applying it leaves only the last definition, which may not be the one reviewed.',
    'Keep one definition of each object.'),
  info('netpol/pod-not-isolated', 'Pod not isolated by any NetworkPolicy', 'medium', ['I', 'T', 'E'],
    'No NetworkPolicy with Ingress (or Egress) in its policyTypes selects the pod, so every pod of the cluster and any address can connect to it (or it can connect anywhere). Severity is low when only egress is open.',
    'Add a default-deny policy to the namespace (podSelector: {}, policyTypes [Ingress, Egress]) and allow what the pod needs.', '#the-two-sorts-of-pod-isolation'),
  info('netpol/no-default-deny', 'Namespace without a default deny', 'medium', ['I', 'T', 'E'],
    'No policy of the namespace selects all its pods (podSelector: {}) with Ingress (or Egress) in policyTypes and no rules for that direction, so every new workload starts open.',
    'Add a NetworkPolicy with podSelector: {}, policyTypes [Ingress, Egress] and no rules, then allow traffic in separate policies.', '#default-policies'),
  info('netpol/selects-nothing', 'NetworkPolicy selects no pod', 'low', ['I'],
    'The podSelector matches none of the pods of its namespace in the input: usually a label typo, while the pods it was meant for stay open. Only namespaces with pods in the input are judged.',
    'Make the podSelector match the pod (template) labels, or delete the policy.'),
  info('netpol/all-namespaces', 'Rule admits every namespace', 'medium', ['I', 'E'],
    'A peer with `namespaceSelector: {}` (or a selector that any new namespace matches) admits pods of every namespace, including ones created later by anyone allowed to create namespaces or pods there. Without a podSelector it is every pod of the cluster (medium); with one, any pod carrying those labels anywhere (low).',
    'Select the namespaces that need access by label (kubernetes.io/metadata.name), and put namespaceSelector and podSelector in the same peer.', '#behavior-of-to-and-from-selectors'),
  info('netpol/or-peers', 'namespaceSelector and podSelector as two peers', 'low', ['I'],
    'A rule lists a peer with only a namespaceSelector and another with only a podSelector. Separate peers are ORed: this admits every pod of those namespaces plus the selected pods of the policy\'s namespace, which is rarely what was meant ("pods X in namespaces Y" is one peer with both selectors).',
    'If the intent is pods X in namespaces Y, remove the dash before podSelector so both selectors are in one peer.', '#behavior-of-to-and-from-selectors'),
  info('netpol/egress-without-dns', 'Egress isolation without DNS', 'medium', ['D'],
    'The pod is isolated for egress and no egress rule allows UDP and TCP port 53 to the cluster DNS (kube-system pods k8s-app=kube-dns, or an ipBlock that is not only public addresses): name resolution fails, or fails for large answers that fall back to TCP (low).',
    'Allow egress to namespaceSelector kubernetes.io/metadata.name=kube-system with podSelector k8s-app=kube-dns on UDP 53 and TCP 53.', '#default-deny-all-egress-traffic'),
  info('netpol/implicit-ingress-deny', 'Egress policy that also denies ingress', 'low', ['D'],
    'The policy has egress rules, no ingress rules and no policyTypes: policyTypes defaults to [Ingress, Egress], so the selected pods also lose all inbound traffic not allowed elsewhere.',
    'Write policyTypes: [Egress] if only egress was meant to be restricted.'),
  info('netpol/rules-ignored', 'Rules for a direction not in policyTypes', 'medium', ['I', 'D'],
    'The policy lists ingress (or egress) rules but its policyTypes does not include Ingress (or Egress): Kubernetes ignores those rules, so the traffic they seem to restrict or allow is decided by other policies.',
    'Add the direction to policyTypes, or delete the rules.'),
  info('netpol/peer-selects-nothing', 'Peer selects no pod', 'info', ['D'],
    'A from/to peer with a podSelector (and no namespaceSelector) matches no pod of the policy\'s namespace in the input: the rule allows nothing, often a label typo.',
    'Fix the podSelector to match the intended pods.'),
  info('netpol/named-port-undefined', 'Named port defined on no selected pod', 'low', ['D'],
    'An ingress rule names a port that no pod selected by the policy defines (with that protocol): the rule allows nothing on those pods.',
    'Use a container port name the pods define, or a number.'),
  info('netpol/cidr-host-bits', 'CIDR with host bits set', 'low', ['T'],
    'The ipBlock address has bits set below its prefix (10.0.0.1/8): Kubernetes uses the network (10.0.0.0/8), which is wider than the address suggests.',
    'Write the network address of the block.'),
];

const byId = new Map(NETPOL_CHECKS.map((c) => [c.id, c]));

export interface CheckOptions {
  errors?: InputError[];
  warnings?: string[];
}

export function checkFindings(engine: Engine, opts: CheckOptions = {}): ScanResult {
  const model = engine.model;
  const findings: Finding[] = [];
  const add = (id: string, resource: Resource, path: JsonPath, message: string, severity?: Severity) => {
    const c = byId.get(id)!;
    findings.push({
      check: id, severity: severity ?? c.severity, title: c.title, message,
      resource: resource.ref(), path: formatPath(path), line: resource.lineOf(path),
      remediation: c.remediation, stride: c.stride, refs: c.refs, suppressed: false,
    });
  };

  for (const p of model.problems) add(p.check, p.resource, p.path, p.message, p.severity);

  // Pods not isolated (hostNetwork pods are outside NetworkPolicy altogether).
  for (const pod of model.pods) {
    if (pod.hostNetwork) continue;
    const ing = B.has(engine.ingressIsolated, pod.index);
    const eg = B.has(engine.egressIsolated, pod.index);
    if (ing && eg) continue;
    const what = pod.kind === 'Pod' ? `pod ${pod.id}` : `${pod.kind} ${pod.id}`;
    const open = !ing && !eg ? 'ingress or egress' : !ing ? 'ingress' : 'egress';
    const consequence = !ing && !eg ? 'any pod or address can connect to it and it can connect anywhere'
      : !ing ? 'any pod or address can connect to it' : 'it can connect anywhere';
    add('netpol/pod-not-isolated', pod.resource, [...pod.metaPath], `${what} is not selected by any NetworkPolicy with ${open} in policyTypes: ${consequence}`, ing ? 'low' : 'medium');
  }

  // Namespaces without a default deny: those with a Namespace object or pods in the input.
  for (const ns of model.namespaces) {
    if (!ns.resource && ns.pods.length === 0) continue;
    const mine = engine.policies.filter((cp) => cp.policy.namespace === ns.name && isEmptySelector(cp.policy.podSelector));
    const ingress = mine.some((cp) => cp.policy.types.ingress && cp.policy.ingress.length === 0);
    const egress = mine.some((cp) => cp.policy.types.egress && cp.policy.egress.length === 0);
    if (ingress && egress) continue;
    const missing = !ingress && !egress ? 'ingress or egress' : !ingress ? 'ingress' : 'egress';
    const at = ns.resource ? { r: ns.resource, path: ['metadata', 'name'] as JsonPath } : { r: model.pods[ns.pods[0]].resource, path: ['metadata', 'namespace'] as JsonPath };
    add('netpol/no-default-deny', at.r, at.path, `namespace ${ns.name} has no default-deny NetworkPolicy for ${missing} (podSelector: {}, that policy type, no rules)${ns.resource ? '' : ' (no Namespace object in the input; reported at its first pod)'}`, !ingress ? 'medium' : 'low');
  }

  const nsHasPods = new Set(model.namespaces.filter((n) => n.pods.length > 0).map((n) => n.name));
  const nsLabels = new Map(model.namespaces.map((n) => [n.name, n.labels]));
  for (const cp of engine.policies) {
    const p = cp.policy;
    const r = p.resource;
    if (nsHasPods.has(p.namespace) && B.isEmpty(cp.selected)) {
      add('netpol/selects-nothing', r, ['spec', 'podSelector'], `podSelector ${selectorText(p.podSelector)} matches no pod of namespace ${p.namespace} in the input`);
    }
    for (const [dir, inTypes, rules, type] of [['ingress', p.types.ingress, p.ingress, 'Ingress'], ['egress', p.types.egress, p.egress, 'Egress']] as const) {
      if (!inTypes && rules.length > 0) add('netpol/rules-ignored', r, ['spec', dir], `${rules.length} ${dir} rule(s) are ignored: policyTypes [${p.types.ingress ? 'Ingress' : ''}${p.types.egress ? 'Egress' : ''}] does not include ${type}`);
    }
    if (p.typesDefaulted && p.egress.length > 0 && p.ingress.length === 0) {
      add('netpol/implicit-ingress-deny', r, ['spec'], `no policyTypes and egress rules only: policyTypes defaults to [Ingress, Egress], so the ${B.count(cp.selected)} selected pod(s) also accept no ingress this policy does not allow`);
    }
    for (const cr of [...cp.ingress, ...cp.egress]) {
      const rule = cr.rule;
      const field = rule.direction === 'ingress' ? 'from' : 'to';
      const nsOnly = rule.peers.filter((x) => x.namespaceSelector !== undefined && x.podSelector === undefined && !isEmptySelector(x.namespaceSelector));
      const podOnly = rule.peers.filter((x) => x.podSelector !== undefined && x.namespaceSelector === undefined && !isEmptySelector(x.podSelector));
      if (nsOnly.length > 0 && podOnly.length > 0) {
        add('netpol/or-peers', r, [...rule.path, field], `${rule.direction}[${rule.index}] has separate peers "${peerText(nsOnly[0], p.namespace)}" and "${peerText(podOnly[0], p.namespace)}": they are ORed, not ANDed`);
      }
      rule.peers.forEach((peer, i) => {
        const path = [...rule.path, field, i];
        if (peer.ipBlock?.cidr.hostBitsSet) add('netpol/cidr-host-bits', r, [...path, 'ipBlock', 'cidr'], `ipBlock cidr ${peer.ipBlock.cidr.text} has host bits set; Kubernetes reads it as ${networkText(peer.ipBlock.cidr.text)}`);
        for (const e of peer.ipBlock?.except ?? []) if (e.hostBitsSet) add('netpol/cidr-host-bits', r, [...path, 'ipBlock', 'except'], `ipBlock except ${e.text} has host bits set; Kubernetes reads it as ${networkText(e.text)}`);
        if (peer.namespaceSelector !== undefined && selectsEveryNamespace(peer.namespaceSelector)) {
          const everyPod = peer.podSelector === undefined || isEmptySelector(peer.podSelector);
          const how = isEmptySelector(peer.namespaceSelector) ? 'namespaceSelector: {}' : `namespaceSelector ${selectorText(peer.namespaceSelector)} (which any new namespace matches)`;
          const dir = rule.direction === 'ingress' ? 'from' : 'to';
          const message = everyPod
            ? `${rule.direction}[${rule.index}] allows traffic ${dir} every pod of every namespace (${how})`
            : `${rule.direction}[${rule.index}] allows traffic ${dir} pods ${selectorText(peer.podSelector!)} in every namespace (${how}): anyone who can create a pod with these labels in any namespace is admitted`;
          add('netpol/all-namespaces', r, [...path, 'namespaceSelector'], message, everyPod && rule.direction === 'ingress' ? 'medium' : 'low');
        }
        if (peer.namespaceSelector === undefined && peer.podSelector !== undefined && !isEmptySelector(peer.podSelector) && nsHasPods.has(p.namespace) && B.isEmpty(cr.peerPods[i])) {
          add('netpol/peer-selects-nothing', r, [...path, 'podSelector'], `${field}[${i}] podSelector ${selectorText(peer.podSelector)} matches no pod of namespace ${p.namespace} in the input`);
        }
      });
      if (rule.direction === 'ingress' && !B.isEmpty(cp.selected)) {
        rule.ports.forEach((spec, i) => {
          if (typeof spec.port !== 'string') return;
          const name = spec.port;
          const defined = B.members(cp.selected).some((d) => model.pods[d].ports.some((c) => c.name === name && c.protocol === spec.protocol));
          if (!defined) add('netpol/named-port-undefined', r, [...rule.path, 'ports', i, 'port'], `ingress[${rule.index}] names port ${name}/${spec.protocol}, which none of the ${B.count(cp.selected)} selected pod(s) defines`);
        });
      }
    }
  }

  dnsFindings(engine, nsLabels, add);

  findings.sort((a, b) => (a.resource.file < b.resource.file ? -1 : a.resource.file > b.resource.file ? 1 : 0) || a.line - b.line || (a.check < b.check ? -1 : a.check > b.check ? 1 : 0));
  const summary = summarize(findings, model.pods.length + model.policies.length + model.namespaces.filter((n) => n.resource).length);
  return { findings, summary, errors: opts.errors ?? [], checks: [...NETPOL_CHECKS], warnings: opts.warnings ?? [] };
}

/** The block as Kubernetes reads it: 10.0.0.1/8 → 10.0.0.0/8. */
function networkText(text: string): string {
  const c = parseCidr(text);
  return typeof c === 'string' ? text : `${formatIp({ family: c.family, value: c.first })}/${c.prefix}`;
}

const DNS_UDP: Probe = { port: 53, protocol: 'UDP' };
const DNS_TCP: Probe = { port: 53, protocol: 'TCP' };

/** The cluster DNS as CoreDNS ships it, for inputs without its pods. */
function virtualDns(): Pod {
  return {
    index: -1, id: 'kube-system/kube-dns', namespace: 'kube-system', name: 'kube-dns', kind: 'Deployment',
    labels: { 'k8s-app': 'kube-dns' }, ips: [], hostNetwork: false,
    ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }, { name: 'metrics', port: 9153, protocol: 'TCP' }],
    resource: undefined as unknown as Resource, metaPath: [],
  };
}

/** Whether `policy`'s egress rules let a pod reach `dns` (a pod of the model or the virtual one) on `probe`. */
function egressReachesDns(policy: Policy, dns: Pod, nsLabels: Map<string, Labels>, probe: Probe): boolean {
  const dnsNs = nsLabels.get(dns.namespace) ?? { [NAME_LABEL]: dns.namespace };
  return policy.egress.some((rule) => {
    if (rule.ports.length > 0 && !rule.ports.some((s) => portMatches(s, dns, probe))) return false;
    if (rule.peers.length === 0) return true;
    return rule.peers.some((peer) => {
      if (peer.ipBlock) {
        // The DNS address is unknown offline: an ipBlock reaching anything but public addresses
        // (cluster ranges, NodeLocal DNSCache's link-local 169.254.20.10) gets the benefit of the doubt.
        const admitted = ipBlockRanges(peer);
        const pub = publicPart(admitted);
        const size = (rs: typeof admitted) => rs.reduce((n, x) => n + (x.hi - x.lo + 1n), 0n);
        return size(admitted) > size(pub);
      }
      const nsOk = peer.namespaceSelector === undefined ? policy.namespace === dns.namespace : selectorMatches(peer.namespaceSelector, dnsNs);
      return nsOk && (peer.podSelector === undefined || selectorMatches(peer.podSelector, dns.labels));
    });
  });
}

type Add = (id: string, resource: Resource, path: JsonPath, message: string, severity?: Severity) => void;

function dnsFindings(engine: Engine, nsLabels: Map<string, Labels>, add: Add): void {
  const model = engine.model;
  const real = model.pods.filter((p) => p.namespace === 'kube-system' && p.labels['k8s-app'] === 'kube-dns');
  const targets = real.length > 0 ? real : [virtualDns()];
  for (const s of B.members(engine.egressIsolated)) {
    const pod = model.pods[s];
    if (pod.hostNetwork) continue;
    const policies = engine.policies.filter((cp) => cp.policy.types.egress && B.has(cp.selected, s)).map((cp) => cp.policy);
    const reaches = (probe: Probe) => targets.some((t) => policies.some((p) => egressReachesDns(p, t, nsLabels, probe)));
    const udp = reaches(DNS_UDP);
    const tcp = reaches(DNS_TCP);
    if (udp && tcp) continue;
    const what = pod.kind === 'Pod' ? `pod ${pod.id}` : `${pod.kind} ${pod.id}`;
    const dns = real.length > 0 ? 'the kube-dns pods' : 'kube-system pods k8s-app=kube-dns';
    const names = policies.map((p) => p.id).join(', ');
    if (!udp && !tcp) add('netpol/egress-without-dns', pod.resource, [...pod.metaPath], `${what} is isolated for egress (${names}) and may not reach ${dns} on UDP or TCP 53: name resolution fails`);
    else add('netpol/egress-without-dns', pod.resource, [...pod.metaPath], `${what} may reach ${dns} on ${udp ? 'UDP' : 'TCP'} 53 but not ${udp ? 'TCP' : 'UDP'} 53 (${names}): ${udp ? 'answers too large for UDP are retried over TCP and fail' : 'most lookups use UDP and fail'}`, udp ? 'low' : 'medium');
  }
}
