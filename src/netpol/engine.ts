/**
 * NetworkPolicy semantics (networking.k8s.io/v1) over a model, precompiled as bit sets:
 * per policy the pods it selects, per rule the pods its peers admit. A connection from pod s
 * to pod d on a port is allowed when egress of s allows it and ingress of d allows it; each
 * side allows everything when no policy isolates that pod in that direction, and otherwise the
 * union of the rules of the policies that do.
 */
import { labelsOf, labelText, selectorMatches, type Labels } from '../model/index.js';
import * as B from './bitset.js';
import { cidrContains, type Ip } from './cidr.js';
import type { Direction, NetpolModel, Peer, Pod, Policy, PortSpec, Probe, Rule } from './types.js';

/** Label selectors evaluated as bit sets through an index of label keys and values. */
class LabelIndex {
  private readonly byValue = new Map<string, Map<string, B.Bits>>();
  private readonly byKey = new Map<string, B.Bits>();
  private readonly memo = new Map<string, B.Bits>();
  readonly all: B.Bits;

  constructor(private readonly n: number, labels: readonly Labels[]) {
    this.all = B.full(n);
    labels.forEach((l, i) => {
      for (const k of Object.keys(l)) {
        let keyBits = this.byKey.get(k);
        if (!keyBits) this.byKey.set(k, (keyBits = B.empty(n)));
        B.set(keyBits, i);
        let values = this.byValue.get(k);
        if (!values) this.byValue.set(k, (values = new Map()));
        let bits = values.get(l[k]);
        if (!bits) values.set(l[k], (bits = B.empty(n)));
        B.set(bits, i);
      }
    });
  }

  private valueBits(key: string, value: string): B.Bits | undefined {
    return this.byValue.get(key)?.get(value);
  }

  /** The members a valid selector selects (callers must not modify the result). */
  select(selector: Record<string, unknown>): B.Bits {
    const key = JSON.stringify(selector);
    const known = this.memo.get(key);
    if (known) return known;
    const out = this.all.slice();
    const ml = selector.matchLabels;
    if (ml && typeof ml === 'object') {
      for (const [k, v] of Object.entries(ml as Record<string, unknown>)) {
        const bits = v === null || v === undefined ? undefined : this.valueBits(k, labelText(v));
        if (!bits) { out.fill(0); break; }
        B.andInto(out, bits);
      }
    }
    const me = selector.matchExpressions;
    if (Array.isArray(me)) {
      for (const e of me as Array<Record<string, unknown>>) {
        const k = labelText(e.key);
        const values = Array.isArray(e.values) ? e.values.map(labelText) : [];
        const anyOf = () => {
          const u = B.empty(this.n);
          for (const v of values) { const b = this.valueBits(k, v); if (b) B.orInto(u, b); }
          return u;
        };
        switch (e.operator) {
          case 'In': B.andInto(out, anyOf()); break;
          case 'NotIn': B.andNotInto(out, anyOf()); break;
          case 'Exists': B.andInto(out, this.byKey.get(k) ?? B.empty(this.n)); break;
          case 'DoesNotExist': { const b = this.byKey.get(k); if (b) B.andNotInto(out, b); break; }
          default: out.fill(0);
        }
      }
    }
    this.memo.set(key, out);
    return out;
  }
}

export interface CompiledRule {
  rule: Rule;
  policy: CompiledPolicy;
  /** Pods admitted by each peer (same order as rule.peers). */
  peerPods: B.Bits[];
  /** Pods admitted by the rule's peers; every pod when the rule has no peers. */
  pods: B.Bits;
}

export interface CompiledPolicy {
  policy: Policy;
  selected: B.Bits;
  ingress: CompiledRule[];
  egress: CompiledRule[];
}

/** A connection end: a pod of the model, or an address outside it. */
export type Endpoint = { pod: Pod } | { ip: Ip; text: string };

export interface RuleVerdict {
  rule: Rule;
  /** Index of the first peer admitting the other end; -1 when none; undefined when the rule has no peers (all admitted). */
  peer?: number;
  /** Index of the first port admitting the probe; -1 when none; undefined when the rule has no ports (all admitted). */
  port?: number;
  allows: boolean;
}

export interface PolicyVerdict {
  policy: Policy;
  rules: RuleVerdict[];
  allows: boolean;
}

export interface SideVerdict {
  direction: Direction;
  /** The pod this side is about; undefined for an address outside the model (never isolated). */
  pod?: Pod;
  isolated: boolean;
  allowed: boolean;
  /** The policies that select the pod for this direction, with how each rule judged the connection. */
  policies: PolicyVerdict[];
}

export interface Verdict {
  from: Endpoint;
  to: Endpoint;
  probe: Probe;
  allowed: boolean;
  /** A Pod object's traffic to itself: never subject to NetworkPolicy. */
  self: boolean;
  egress: SideVerdict;
  ingress: SideVerdict;
}

/** Probe matching against one port entry of a rule, the destination pod resolving named ports. */
export function portMatches(spec: PortSpec, dst: Pod | undefined, probe: Probe): boolean {
  if (spec.protocol !== probe.protocol) return false;
  if (spec.port === undefined) return true;
  if (typeof spec.port === 'number') {
    return spec.endPort === undefined ? probe.port === spec.port : probe.port >= spec.port && probe.port <= spec.endPort;
  }
  // A named port matches a container port of the destination with that name and the probe's protocol.
  if (!dst) return false;
  for (const c of dst.ports) if (c.name === spec.port && c.protocol === probe.protocol && c.port === probe.port) return true;
  return false;
}

function ipBlockAdmits(peer: Peer, ip: Ip): boolean {
  const b = peer.ipBlock;
  if (!b || !cidrContains(b.cidr, ip)) return false;
  for (const e of b.except) if (cidrContains(e, ip)) return false;
  return true;
}

export class Engine {
  readonly n: number;
  readonly policies: CompiledPolicy[];
  readonly ingressIsolated: B.Bits;
  readonly egressIsolated: B.Bits;
  private readonly podIndex: LabelIndex;
  private readonly nsIndex: LabelIndex;
  private readonly nsPods: B.Bits[];
  private readonly nsByName: Map<string, number>;
  private readonly podsByIp = new Map<string, Pod>();

  constructor(readonly model: NetpolModel) {
    const n = (this.n = model.pods.length);
    this.podIndex = new LabelIndex(n, model.pods.map((p) => p.labels));
    this.nsIndex = new LabelIndex(model.namespaces.length, model.namespaces.map((ns) => ns.labels));
    this.nsByName = new Map(model.namespaces.map((ns) => [ns.name, ns.index]));
    this.nsPods = model.namespaces.map((ns) => {
      const b = B.empty(n);
      for (const i of ns.pods) B.set(b, i);
      return b;
    });
    for (const p of model.pods) for (const ip of p.ips) this.podsByIp.set(`${ip.family}:${ip.value}`, p);
    this.ingressIsolated = B.empty(n);
    this.egressIsolated = B.empty(n);
    this.policies = [];
    for (const policy of model.policies) {
      if (!policy.valid) continue;
      const cp: CompiledPolicy = { policy, selected: this.podsOf(policy.namespace, undefined, policy.podSelector), ingress: [], egress: [] };
      cp.ingress = policy.ingress.map((r) => this.compileRule(r, cp));
      cp.egress = policy.egress.map((r) => this.compileRule(r, cp));
      if (policy.types.ingress) B.orInto(this.ingressIsolated, cp.selected);
      if (policy.types.egress) B.orInto(this.egressIsolated, cp.selected);
      this.policies.push(cp);
    }
  }

  /** Pods in the namespaces `nsSelector` selects (absent: just `ns`) that `podSelector` selects (absent: all). */
  private podsOf(ns: string, nsSelector: Record<string, unknown> | undefined, podSelector: Record<string, unknown> | undefined): B.Bits {
    const out = B.empty(this.n);
    if (nsSelector === undefined) {
      const i = this.nsByName.get(ns);
      if (i !== undefined) B.orInto(out, this.nsPods[i]);
    } else {
      for (const i of B.members(this.nsIndex.select(nsSelector))) B.orInto(out, this.nsPods[i]);
    }
    if (podSelector !== undefined) B.andInto(out, this.podIndex.select(podSelector));
    return out;
  }

  private compileRule(rule: Rule, policy: CompiledPolicy): CompiledRule {
    const peerPods = rule.peers.map((peer) => {
      if (peer.ipBlock) {
        // ipBlocks match pods by their IPs when known (the upstream e2e suite requires CNIs to).
        const b = B.empty(this.n);
        for (const pod of this.model.pods) if (pod.ips.some((ip) => ipBlockAdmits(peer, ip))) B.set(b, pod.index);
        return b;
      }
      return this.podsOf(policy.policy.namespace, peer.namespaceSelector, peer.podSelector);
    });
    let pods: B.Bits;
    if (rule.peers.length === 0) pods = B.full(this.n);
    else {
      pods = B.empty(this.n);
      for (const b of peerPods) B.orInto(pods, b);
    }
    return { rule, policy, peerPods, pods };
  }

  /** Whether a pod is selected by a namespace label selector and pod selector (for lints). */
  selectorPods(ns: string, nsSelector: Record<string, unknown> | undefined, podSelector: Record<string, unknown> | undefined): B.Bits {
    return this.podsOf(ns, nsSelector, podSelector);
  }

  /** Namespaces (indexes) a valid namespace selector selects. */
  selectNamespaces(selector: Record<string, unknown>): number[] {
    return B.members(this.nsIndex.select(selector));
  }

  /**
   * The destinations whose ports a rule admits for the probe: 'all', 'none', or the pods with a
   * matching named port.
   */
  private ruleDestinations(rule: Rule, probe: Probe): 'all' | 'none' | B.Bits {
    if (rule.ports.length === 0) return 'all';
    let named: B.Bits | undefined;
    for (const spec of rule.ports) {
      if (spec.protocol !== probe.protocol) continue;
      if (typeof spec.port !== 'string') {
        if (portMatches(spec, undefined, probe)) return 'all';
        continue;
      }
      named ??= B.empty(this.n);
      for (const pod of this.model.pods) if (portMatches(spec, pod, probe)) B.set(named, pod.index);
    }
    return named ?? 'none';
  }

  /**
   * The reachability matrix: rows[s] holds the destinations s may connect to on the probe.
   * Precomputed per rule, so 1,000 pods and 300 policies take milliseconds.
   */
  matrix(probe: Probe): B.Bits[] {
    const n = this.n;
    // inbound[d]: sources allowed into d; outbound[s]: destinations s may reach (isolated pods only).
    const inbound: Array<B.Bits | undefined> = new Array(n);
    const outbound: Array<B.Bits | undefined> = new Array(n);
    for (const i of B.members(this.ingressIsolated)) inbound[i] = B.empty(n);
    for (const i of B.members(this.egressIsolated)) outbound[i] = B.empty(n);
    for (const cp of this.policies) {
      if (cp.policy.types.ingress && cp.ingress.length > 0) {
        const selected = B.members(cp.selected);
        for (const r of cp.ingress) {
          const dst = this.ruleDestinations(r.rule, probe);
          if (dst === 'none') continue;
          for (const d of selected) if (dst === 'all' || B.has(dst, d)) B.orInto(inbound[d]!, r.pods);
        }
      }
      if (cp.policy.types.egress && cp.egress.length > 0) {
        const selected = B.members(cp.selected);
        for (const r of cp.egress) {
          const dst = this.ruleDestinations(r.rule, probe);
          if (dst === 'none') continue;
          const reach = dst === 'all' ? r.pods : B.and(r.pods, dst);
          for (const s of selected) B.orInto(outbound[s]!, reach);
        }
      }
    }
    const all = B.full(n);
    const rows: B.Bits[] = new Array(n);
    for (let s = 0; s < n; s++) {
      const row = (outbound[s] ?? all).slice();
      // Ingress side: clear the destinations whose ingress does not admit s.
      const word = s >>> 5;
      const bit = 1 << (s & 31);
      for (let d = 0; d < n; d++) {
        const inb = inbound[d];
        if (inb !== undefined && (inb[word] & bit) === 0) row[d >>> 5] &= ~(1 << (d & 31));
      }
      if (this.model.pods[s].kind === 'Pod') B.set(row, s);
      rows[s] = row;
    }
    return rows;
  }

  /** The pod with this IP, if the model knows one. */
  podWithIp(ip: Ip): Pod | undefined {
    return this.podsByIp.get(`${ip.family}:${ip.value}`);
  }

  /** Does `peer` of `rule` admit the endpoint? */
  private peerAdmits(cr: CompiledRule, i: number, other: Endpoint): boolean {
    if ('pod' in other) return B.has(cr.peerPods[i], other.pod.index);
    // Addresses outside the model only ever match ipBlocks.
    return ipBlockAdmits(cr.rule.peers[i], other.ip);
  }

  private judgeRule(cr: CompiledRule, other: Endpoint, dst: Pod | undefined, probe: Probe): RuleVerdict {
    const rule = cr.rule;
    let peer: number | undefined;
    if (rule.peers.length > 0) {
      peer = -1;
      for (let i = 0; i < rule.peers.length; i++) if (this.peerAdmits(cr, i, other)) { peer = i; break; }
    }
    let port: number | undefined;
    if (rule.ports.length > 0) {
      port = -1;
      for (let i = 0; i < rule.ports.length; i++) if (portMatches(rule.ports[i], dst, probe)) { port = i; break; }
    }
    return { rule, peer, port, allows: peer !== -1 && port !== -1 };
  }

  private side(direction: Direction, pod: Pod | undefined, other: Endpoint, dst: Pod | undefined, probe: Probe): SideVerdict {
    if (!pod) return { direction, isolated: false, allowed: true, policies: [] };
    const policies: PolicyVerdict[] = [];
    for (const cp of this.policies) {
      if (!(direction === 'ingress' ? cp.policy.types.ingress : cp.policy.types.egress)) continue;
      if (!B.has(cp.selected, pod.index)) continue;
      const rules = (direction === 'ingress' ? cp.ingress : cp.egress).map((cr) => this.judgeRule(cr, other, dst, probe));
      policies.push({ policy: cp.policy, rules, allows: rules.some((r) => r.allows) });
    }
    const isolated = policies.length > 0;
    return { direction, pod, isolated, allowed: !isolated || policies.some((p) => p.allows), policies };
  }

  /** One connection, with the policies and rules that decide it on each side. */
  explain(from: Endpoint, to: Endpoint, probe: Probe): Verdict {
    const src = 'pod' in from ? from.pod : undefined;
    const dst = 'pod' in to ? to.pod : undefined;
    const egress = this.side('egress', src, to, dst, probe);
    const ingress = this.side('ingress', dst, from, dst, probe);
    const self = src !== undefined && src === dst && src.kind === 'Pod';
    return { from, to, probe, allowed: self || (egress.allowed && ingress.allowed), self, egress, ingress };
  }

  /** allowed(from, to) without the explanation (tests, cross-checks). */
  allowed(from: Pod, to: Pod, probe: Probe): boolean {
    return this.explain({ pod: from }, { pod: to }, probe).allowed;
  }
}

/**
 * The plain reading of §2.1 of the semantics, one connection at a time and with no
 * precomputation: the matrix is checked against it in tests.
 */
export function allowedSlow(model: NetpolModel, from: Pod, to: Pod, probe: Probe): boolean {
  if (from === to && from.kind === 'Pod') return true;
  const nsLabels = new Map(model.namespaces.map((ns) => [ns.name, ns.labels]));
  const selects = (p: Policy, pod: Pod) => p.namespace === pod.namespace && selectorMatches(p.podSelector, pod.labels);
  const peerOk = (p: Policy, peer: Peer, other: Pod) => {
    if (peer.ipBlock) return other.ips.some((ip) => ipBlockAdmits(peer, ip));
    const nsOk = peer.namespaceSelector === undefined ? other.namespace === p.namespace : selectorMatches(peer.namespaceSelector, nsLabels.get(other.namespace) ?? labelsOf({}));
    const podOk = peer.podSelector === undefined || selectorMatches(peer.podSelector, other.labels);
    return nsOk && podOk;
  };
  const ruleOk = (p: Policy, r: Rule, other: Pod) =>
    (r.peers.length === 0 || r.peers.some((peer) => peerOk(p, peer, other))) && (r.ports.length === 0 || r.ports.some((s) => portMatches(s, to, probe)));
  const valid = model.policies.filter((p) => p.valid);
  const eg = valid.filter((p) => p.types.egress && selects(p, from));
  const ing = valid.filter((p) => p.types.ingress && selects(p, to));
  const egOk = eg.length === 0 || eg.some((p) => p.egress.some((r) => ruleOk(p, r, to)));
  const inOk = ing.length === 0 || ing.some((p) => p.ingress.some((r) => ruleOk(p, r, from)));
  return egOk && inOk;
}
