/** Words for selectors, peers, ports and rules, shared by explain, exposure and findings. */
import { isEmptySelector, labelText } from '../model/index.js';
import { formatRange, normalize, rangeOf, subtract, type Range } from './cidr.js';
import { PROTOCOLS, type Peer, type Pod, type PortSpec, type Probe, type Protocol, type Rule } from './types.js';

/** `80/TCP`, `53/udp`, `8080` (TCP): a probe, or a sentence saying what is wrong. */
export function parseProbe(text: string): Probe | string {
  const m = /^\s*(\d+)\s*(?:\/\s*([A-Za-z]+))?\s*$/.exec(text);
  if (!m) return `"${text}" is not a port (write it as 80/TCP, 53/UDP or 80)`;
  const port = Number(m[1]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return `port ${m[1]} is out of range (1 to 65535)`;
  const protocol = (m[2] ?? 'TCP').toUpperCase();
  if (!PROTOCOLS.includes(protocol as Protocol)) return `protocol "${m[2]}" is not TCP, UDP or SCTP`;
  return { port, protocol: protocol as Protocol };
}

export function probeText(p: Probe): string {
  return `${p.port}/${p.protocol}`;
}

/** kubectl's selector notation: `app=web,tier in (a,b),!legacy`; `{}` for the empty selector. */
export function selectorText(sel: Record<string, unknown>): string {
  if (isEmptySelector(sel)) return '{}';
  const parts: string[] = [];
  const ml = sel.matchLabels;
  if (ml && typeof ml === 'object') for (const [k, v] of Object.entries(ml as Record<string, unknown>)) parts.push(`${k}=${labelText(v)}`);
  const me = sel.matchExpressions;
  if (Array.isArray(me)) {
    for (const e of me as Array<Record<string, unknown>>) {
      const values = Array.isArray(e.values) ? e.values.map(labelText).join(',') : '';
      switch (e.operator) {
        case 'In': parts.push(`${labelText(e.key)} in (${values})`); break;
        case 'NotIn': parts.push(`${labelText(e.key)} notin (${values})`); break;
        case 'Exists': parts.push(labelText(e.key)); break;
        case 'DoesNotExist': parts.push(`!${labelText(e.key)}`); break;
        default: parts.push(`${labelText(e.key)} ${labelText(e.operator)} (${values})`);
      }
    }
  }
  return parts.join(',');
}

/** The addresses an ipBlock admits: cidr minus except. */
export function ipBlockRanges(peer: Peer): Range[] {
  const b = peer.ipBlock;
  if (!b) return [];
  return normalize(subtract([rangeOf(b.cidr)], b.except.map(rangeOf)));
}

export function peerText(peer: Peer, policyNs: string): string {
  if (peer.ipBlock) {
    const ex = peer.ipBlock.except.map((e) => e.text);
    return `ipBlock ${peer.ipBlock.cidr.text}${ex.length > 0 ? ` except ${ex.join(', ')}` : ''}`;
  }
  const pods = peer.podSelector === undefined || isEmptySelector(peer.podSelector) ? 'all pods' : `pods ${selectorText(peer.podSelector)}`;
  if (peer.namespaceSelector === undefined) return `${pods} in namespace ${policyNs}`;
  if (isEmptySelector(peer.namespaceSelector)) return `${pods} in every namespace`;
  return `${pods} in namespaces ${selectorText(peer.namespaceSelector)}`;
}

export function portSpecText(spec: PortSpec): string {
  if (spec.port === undefined) return `all ${spec.protocol} ports`;
  if (spec.endPort !== undefined) return `${spec.port}-${spec.endPort}/${spec.protocol}`;
  return `${spec.port}/${spec.protocol}`;
}

/** Ports of a rule as they apply to destination `dst` (named ports resolved when it is given). */
export function rulePortsText(rule: Rule, dst?: Pod): string {
  if (rule.ports.length === 0) return 'all ports';
  return rule.ports.map((s) => {
    if (typeof s.port !== 'string' || !dst) return portSpecText(s);
    const hit = dst.ports.find((c) => c.name === s.port && c.protocol === s.protocol);
    return hit ? `${s.port} (${hit.port}/${s.protocol})` : `${s.port}/${s.protocol} (not defined on ${dst.id})`;
  }).join(', ');
}

export function rulePeersText(rule: Rule, policyNs: string): string {
  const field = rule.direction === 'ingress' ? 'from' : 'to';
  if (rule.peers.length === 0) return `${field}: everywhere (no ${field} list)`;
  return rule.peers.map((p) => peerText(p, policyNs)).join(' OR ');
}

export function rangesText(ranges: readonly Range[]): string {
  return ranges.map(formatRange).join(', ');
}
