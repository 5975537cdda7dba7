/**
 * Which pods can be reached from outside the cluster or from every namespace, and through
 * which rule: the ingress side only (a new pod in any namespace, or an outside client, has no
 * egress policy of ours to stop it).
 */
import { selectorMatches } from '../model/index.js';
import * as B from './bitset.js';
import { normalize, publicPart, subtract, type Range } from './cidr.js';
import { ipBlockRanges, peerText, rangesText, rulePortsText, selectorText } from './describe.js';
import type { CompiledRule, Engine } from './engine.js';
import { NAME_LABEL } from './build.js';
import type { Pod, Rule } from './types.js';

export type ExposureKind = 'not-isolated' | 'all-sources' | 'ip-block' | 'all-namespaces';

export interface Exposure {
  kind: ExposureKind;
  /** Who can connect, in words. */
  from: string;
  /** Addresses outside the cluster it admits (ip-block; every address for not-isolated and all-sources). */
  ranges?: string;
  /** Admits public internet addresses. */
  internet: boolean;
  /** Admits addresses outside the cluster. */
  external: boolean;
  /** Admits pods of every namespace, including namespaces created later. */
  allNamespaces: boolean;
  ports: string;
  policy?: { id: string; file: string; line: number };
  rule?: { name: string; line: number };
}

export interface PodExposure {
  pod: Pod;
  external: boolean;
  internet: boolean;
  allNamespaces: boolean;
  exposures: Exposure[];
}

export interface ExposureOptions {
  /** Pod and service CIDRs of the cluster: addresses inside them are not outside the cluster. */
  clusterRanges?: Range[];
}

/** Does a namespace selector admit a namespace that does not exist yet (only its name label)? */
export function selectsEveryNamespace(selector: Record<string, unknown>): boolean {
  return selectorMatches(selector, { [NAME_LABEL]: '\u0000a namespace created tomorrow' });
}

/** A rule admits nothing on this pod when every port it lists is a named port the pod does not define. */
function rulePortsDeadFor(rule: Rule, pod: Pod): boolean {
  if (rule.ports.length === 0) return false;
  return rule.ports.every((s) => typeof s.port === 'string' && !pod.ports.some((c) => c.name === s.port && c.protocol === s.protocol));
}

function ruleRef(cr: CompiledRule): Pick<Exposure, 'policy' | 'rule'> {
  const p = cr.policy.policy;
  return {
    policy: { id: p.id, file: p.resource.file, line: p.resource.line },
    rule: { name: `ingress[${cr.rule.index}]`, line: p.resource.lineOf(cr.rule.path) },
  };
}

export function exposure(engine: Engine, opts: ExposureOptions = {}): PodExposure[] {
  const cluster = opts.clusterRanges ?? [];
  const out: PodExposure[] = [];
  for (const pod of engine.model.pods) {
    const exposures: Exposure[] = [];
    if (!B.has(engine.ingressIsolated, pod.index)) {
      exposures.push({ kind: 'not-isolated', from: 'anywhere: no NetworkPolicy with Ingress selects this pod', ranges: 'all addresses', internet: true, external: true, allNamespaces: true, ports: 'all ports' });
    } else {
      for (const cp of engine.policies) {
        if (!cp.policy.types.ingress || !B.has(cp.selected, pod.index)) continue;
        for (const cr of cp.ingress) {
          const rule = cr.rule;
          if (rulePortsDeadFor(rule, pod)) continue;
          const ports = rulePortsText(rule, pod);
          if (rule.peers.length === 0) {
            exposures.push({ kind: 'all-sources', from: 'anywhere: the rule has no from list', ranges: 'all addresses', internet: true, external: true, allNamespaces: true, ports, ...ruleRef(cr) });
            continue;
          }
          for (const peer of rule.peers) {
            if (peer.ipBlock) {
              const admitted = normalize(subtract(ipBlockRanges(peer), cluster));
              if (admitted.length === 0) continue;
              const internet = publicPart(admitted).length > 0;
              exposures.push({
                kind: 'ip-block', from: `${peerText(peer, cp.policy.namespace)}${internet ? ' (includes public internet addresses)' : ''}`,
                ranges: rangesText(admitted), internet, external: true, allNamespaces: false, ports, ...ruleRef(cr),
              });
            } else if (peer.namespaceSelector !== undefined && selectsEveryNamespace(peer.namespaceSelector)) {
              const nsWords = selectorText(peer.namespaceSelector) === '{}' ? 'namespaceSelector {}' : `namespaceSelector ${selectorText(peer.namespaceSelector)}, which any new namespace matches`;
              exposures.push({
                kind: 'all-namespaces', from: `${peerText(peer, cp.policy.namespace)} (${nsWords})`,
                internet: false, external: false, allNamespaces: true, ports, ...ruleRef(cr),
              });
            }
          }
        }
      }
    }
    if (exposures.length === 0) continue;
    out.push({
      pod,
      external: exposures.some((e) => e.external),
      internet: exposures.some((e) => e.internet),
      allNamespaces: exposures.some((e) => e.allNamespaces),
      exposures,
    });
  }
  return out;
}
