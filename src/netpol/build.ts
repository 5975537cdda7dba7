/**
 * From loaded Resources to the network model: namespaces (given, or referenced and then
 * carrying only `kubernetes.io/metadata.name`), pods (Pod objects and one representative pod
 * per workload) and NetworkPolicies read with the API server's defaulting and validation.
 * Whatever the API server would reject becomes a Problem with its path; a rejected policy is
 * not evaluated (it would not exist in a cluster), the rest of the input still is.
 */
import {
  apiGroupOf, asArray, isObj, isWorkload, labelsOf, podSpecOf, selectorProblems,
  type JsonPath, type Obj, type Resource, type Severity,
} from '../model/index.js';
import { parseCidr, parseIp, strictSubset, type Cidr, type Ip } from './cidr.js';
import {
  PROTOCOLS, type ContainerPort, type Direction, type Namespace, type NetpolModel, type Peer, type Pod,
  type Policy, type PortSpec, type Problem, type Protocol, type Rule,
} from './types.js';

export const NAME_LABEL = 'kubernetes.io/metadata.name';

/** Objects without metadata.namespace land in `default` (what kubectl does without -n). */
const DEFAULT_NAMESPACE = 'default';

export function isNetworkPolicy(r: Resource): boolean {
  if (r.kind !== 'NetworkPolicy') return false;
  const g = apiGroupOf(r.apiVersion);
  return r.apiVersion === '' || g === 'networking.k8s.io' || g === 'extensions';
}

function isNamespace(r: Resource): boolean {
  return r.kind === 'Namespace' && (r.apiVersion === '' || apiGroupOf(r.apiVersion) === '');
}

/** Kinds whose pods are modelled (PodTemplate runs nothing by itself). */
function isPodSource(r: Resource): boolean {
  return r.kind !== 'PodTemplate' && isWorkload(r.object);
}

function nsOf(r: Resource): string {
  return r.namespace ?? DEFAULT_NAMESPACE;
}

function where(r: Resource): string {
  return `${r.file}:${r.line}`;
}

/** IANA_SVC_NAME, what a named port must be (apimachinery IsValidPortName). */
export function isPortName(s: string): boolean {
  return s.length >= 1 && s.length <= 15 && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(s) && /[a-z]/.test(s) && !s.includes('--');
}

function isPortNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535;
}

export function buildModel(resources: readonly Resource[]): NetpolModel {
  const problems: Problem[] = [];
  const problem = (check: string, severity: Severity, resource: Resource, path: JsonPath, message: string) => {
    problems.push({ check, severity, resource, path, message });
  };

  // Duplicates: the last definition wins, as after `kubectl apply` of the whole input.
  const latest = new Map<string, Resource>();
  const relevant = resources.filter((r) => isNamespace(r) || isNetworkPolicy(r) || isPodSource(r));
  for (const r of relevant) {
    const key = `${isNamespace(r) ? 'Namespace' : r.kind}\u0000${isNamespace(r) ? '' : nsOf(r)}\u0000${r.name}`;
    const before = latest.get(key);
    if (before) {
      const what = isNamespace(r) ? `Namespace ${r.name}` : `${r.kind} ${nsOf(r)}/${r.name}`;
      problem('netpol/duplicate-object', 'medium', r, ['metadata', 'name'], `${what} is defined twice (first at ${where(before)}); the last definition is used, as applying the input would leave it`);
    }
    latest.set(key, r);
  }
  const kept = [...latest.values()];

  // Namespaces given in the input.
  const namespaces: Namespace[] = [];
  const nsByName = new Map<string, Namespace>();
  const addNamespace = (name: string, resource?: Resource) => {
    const labels = resource ? { ...labelsOf(resource.metadata.labels) } : {};
    labels[NAME_LABEL] = name;
    const ns: Namespace = { index: namespaces.length, name, labels, resource, pods: [] };
    namespaces.push(ns);
    nsByName.set(name, ns);
    return ns;
  };
  for (const r of kept) if (isNamespace(r) && r.name !== '') addNamespace(r.name, r);
  const namespace = (name: string) => nsByName.get(name) ?? addNamespace(name);

  // Pods. A workload owned by a controller that is itself in the input (a ReplicaSet of a
  // Deployment, a Job of a CronJob) is represented by that owner.
  const present = new Set(kept.filter(isPodSource).map((r) => `${r.kind}\u0000${nsOf(r)}\u0000${r.name}`));
  const pods: Pod[] = [];
  const usedIds = new Set<string>();
  for (const r of kept) {
    if (!isPodSource(r)) continue;
    if (r.kind !== 'Pod' && ownedByPresent(r, present)) continue;
    const ref = podSpecOf(r.object);
    if (!ref) continue;
    const ns = nsOf(r);
    let id = `${ns}/${r.name}`;
    if (usedIds.has(id)) id = `${id}[${r.kind}]`;
    usedIds.add(id);
    const pod: Pod = {
      index: pods.length,
      id,
      namespace: ns,
      name: r.name,
      kind: r.kind,
      labels: labelsOf(ref.meta.labels),
      ips: r.kind === 'Pod' ? podIps(r.object) : [],
      ports: containerPorts(r, ref.spec, ref.specPath, problem),
      hostNetwork: ref.spec.hostNetwork === true,
      resource: r,
      metaPath: ref.metaPath,
    };
    pods.push(pod);
    namespace(ns).pods.push(pod.index);
  }

  const policies: Policy[] = [];
  for (const r of kept) {
    if (!isNetworkPolicy(r)) continue;
    const p = readPolicy(r, policies.length, problem);
    policies.push(p);
    namespace(p.namespace);
  }
  return { namespaces, pods, policies, problems };
}

function ownedByPresent(r: Resource, present: Set<string>): boolean {
  for (const o of asArray(r.metadata.ownerReferences)) {
    if (isObj(o) && o.controller === true && typeof o.kind === 'string' && typeof o.name === 'string' && present.has(`${o.kind}\u0000${nsOf(r)}\u0000${o.name}`)) return true;
  }
  return false;
}

function podIps(obj: Obj): Ip[] {
  const status = isObj(obj.status) ? obj.status : {};
  const texts = new Set<string>();
  if (typeof status.podIP === 'string') texts.add(status.podIP);
  for (const p of asArray(status.podIPs)) if (isObj(p) && typeof p.ip === 'string') texts.add(p.ip);
  const out: Ip[] = [];
  for (const t of texts) {
    const ip = parseIp(t);
    if (ip) out.push(ip);
  }
  return out;
}

type Report = (check: string, severity: Severity, resource: Resource, path: JsonPath, message: string) => void;

/** Ports of the containers (and of sidecar init containers, restartPolicy: Always): named ports resolve against these. */
function containerPorts(r: Resource, spec: Obj, specPath: JsonPath, report: Report): ContainerPort[] {
  const out: ContainerPort[] = [];
  for (const list of ['containers', 'initContainers'] as const) {
    asArray(spec[list]).forEach((c, ci) => {
      if (!isObj(c)) return;
      if (list === 'initContainers' && c.restartPolicy !== 'Always') return;
      asArray(c.ports).forEach((p, pi) => {
        if (!isObj(p)) return;
        const path = [...specPath, list, ci, 'ports', pi];
        const protocol = p.protocol === undefined || p.protocol === null ? 'TCP' : p.protocol;
        if (!isPortNumber(p.containerPort)) {
          report('netpol/invalid-pod-port', 'medium', r, [...path, 'containerPort'], `containerPort ${JSON.stringify(p.containerPort)} is not a port number (1 to 65535); this port is ignored`);
          return;
        }
        if (!PROTOCOLS.includes(protocol as Protocol)) {
          report('netpol/invalid-pod-port', 'medium', r, [...path, 'protocol'], `protocol ${JSON.stringify(protocol)} is not TCP, UDP or SCTP; this port is ignored`);
          return;
        }
        let name: string | undefined;
        if (p.name !== undefined && p.name !== null) {
          if (typeof p.name !== 'string' || !isPortName(p.name)) {
            report('netpol/invalid-pod-port', 'medium', r, [...path, 'name'], `port name ${JSON.stringify(p.name)} is not a valid port name (at most 15 lower-case letters, digits and '-', with a letter); NetworkPolicies cannot refer to it`);
          } else name = p.name;
        }
        out.push(name === undefined ? { port: p.containerPort, protocol: protocol as Protocol } : { name, port: p.containerPort, protocol: protocol as Protocol });
      });
    });
  }
  return out;
}

/** Reads one NetworkPolicy, recording each validation error (ValidateNetworkPolicySpec) as a Problem. */
function readPolicy(r: Resource, index: number, report: Report): Policy {
  let valid = true;
  const invalid = (path: JsonPath, message: string) => {
    valid = false;
    report('netpol/invalid-policy', 'high', r, path, `${message} — the API server rejects this NetworkPolicy, so it is not evaluated`);
  };
  const namespace = nsOf(r);
  if (r.name === '') invalid(['metadata'], 'metadata.name is required');
  const spec = isObj(r.object.spec) ? r.object.spec : {};
  if (r.object.spec !== undefined && !isObj(r.object.spec)) invalid(['spec'], 'spec must be an object');

  let podSelector: Record<string, unknown> = {};
  if (spec.podSelector !== undefined && spec.podSelector !== null) {
    const sp = selectorProblems(spec.podSelector);
    for (const p of sp) invalid(['spec', 'podSelector', ...p.path], `podSelector: ${p.message}`);
    if (isObj(spec.podSelector)) podSelector = spec.podSelector;
  }

  // policyTypes
  let typesDefaulted = false;
  const types = { ingress: false, egress: false };
  const written = spec.policyTypes;
  if (written !== undefined && written !== null && !Array.isArray(written)) invalid(['spec', 'policyTypes'], 'policyTypes must be a list');
  const list = Array.isArray(written) ? written : [];
  if (list.length > 2) invalid(['spec', 'policyTypes'], 'policyTypes may not list more than two types');
  list.forEach((t, i) => {
    if (t === 'Ingress') types.ingress = true;
    else if (t === 'Egress') types.egress = true;
    else invalid(['spec', 'policyTypes', i], `policyTypes[${i}] ${JSON.stringify(t)} is not Ingress or Egress`);
  });

  const ingress = readRules(spec.ingress, 'ingress', invalid);
  const egress = readRules(spec.egress, 'egress', invalid);
  if (list.length === 0) {
    // Defaulting (SetDefaults_NetworkPolicySpec): Ingress always; Egress when egress rules exist.
    typesDefaulted = true;
    types.ingress = true;
    types.egress = Array.isArray(spec.egress) && spec.egress.length > 0;
  }
  return { index, id: `${namespace}/${r.name}`, namespace, name: r.name, resource: r, podSelector, types, typesDefaulted, ingress, egress, valid };
}

type Invalid = (path: JsonPath, message: string) => void;

function readRules(value: unknown, direction: Direction, invalid: Invalid): Rule[] {
  if (value === undefined || value === null) return [];
  const base: JsonPath = ['spec', direction];
  if (!Array.isArray(value)) {
    invalid(base, `${direction} must be a list of rules`);
    return [];
  }
  const peerField = direction === 'ingress' ? 'from' : 'to';
  return value.map((raw, i) => {
    const path = [...base, i];
    // A null list item decodes to the zero rule ({}): every peer, every port.
    const rule = raw === null ? {} : raw;
    if (!isObj(rule)) {
      invalid(path, `${direction}[${i}] must be an object`);
      return { direction, index: i, peers: [], ports: [], path };
    }
    const peers = readPeers(rule[peerField], [...path, peerField], invalid);
    const ports = readPorts(rule.ports, [...path, 'ports'], invalid);
    return { direction, index: i, peers, ports, path };
  });
}

function readPeers(value: unknown, base: JsonPath, invalid: Invalid): Peer[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    invalid(base, `${String(base[base.length - 1])} must be a list of peers`);
    return [];
  }
  const out: Peer[] = [];
  value.forEach((raw, i) => {
    const path = [...base, i];
    const p = isObj(raw) ? raw : {};
    if (raw !== null && !isObj(raw)) {
      invalid(path, 'a peer must be an object with podSelector, namespaceSelector or ipBlock');
      return;
    }
    const has = (k: string) => p[k] !== undefined && p[k] !== null;
    const peer: Peer = { index: i };
    if (!has('podSelector') && !has('namespaceSelector') && !has('ipBlock')) {
      invalid(path, 'a peer must specify podSelector, namespaceSelector or ipBlock');
      return;
    }
    if (has('ipBlock') && (has('podSelector') || has('namespaceSelector'))) {
      invalid(path, 'a peer may not have both ipBlock and a podSelector/namespaceSelector (write them as separate peers)');
    }
    for (const key of ['podSelector', 'namespaceSelector'] as const) {
      if (!has(key)) continue;
      for (const sp of selectorProblems(p[key])) invalid([...path, key, ...sp.path], `${key}: ${sp.message}`);
      if (isObj(p[key])) peer[key] = p[key] as Record<string, unknown>;
    }
    if (has('ipBlock')) {
      const block = readIpBlock(p.ipBlock, [...path, 'ipBlock'], invalid);
      if (block) peer.ipBlock = block;
    }
    out.push(peer);
  });
  return out;
}

function readIpBlock(value: unknown, path: JsonPath, invalid: Invalid): Peer['ipBlock'] | undefined {
  if (!isObj(value)) {
    invalid(path, 'ipBlock must be an object with cidr and optional except');
    return undefined;
  }
  const cidr = parseCidr(value.cidr);
  if (typeof cidr === 'string') {
    invalid([...path, 'cidr'], value.cidr === undefined ? 'ipBlock.cidr is required' : `ipBlock.cidr ${cidr}`);
    return undefined;
  }
  const except: Cidr[] = [];
  if (value.except !== undefined && value.except !== null && !Array.isArray(value.except)) invalid([...path, 'except'], 'ipBlock.except must be a list of CIDRs');
  asArray(value.except).forEach((e, i) => {
    const c = parseCidr(e);
    if (typeof c === 'string') invalid([...path, 'except', i], `ipBlock.except[${i}] ${c}`);
    else if (!strictSubset(c, cidr)) invalid([...path, 'except', i], `ipBlock.except[${i}] ${c.text} is not a strict subset of cidr ${cidr.text}`);
    else except.push(c);
  });
  return { cidr, except };
}

function readPorts(value: unknown, base: JsonPath, invalid: Invalid): PortSpec[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    invalid(base, 'ports must be a list');
    return [];
  }
  const out: PortSpec[] = [];
  value.forEach((raw, i) => {
    const path = [...base, i];
    const p = raw === null ? {} : raw;
    if (!isObj(p)) {
      invalid(path, 'a port must be an object with protocol, port and endPort');
      return;
    }
    let ok = true;
    const bad = (at: JsonPath, message: string) => { ok = false; invalid(at, message); };
    const protocol = p.protocol === undefined || p.protocol === null ? 'TCP' : p.protocol;
    if (!PROTOCOLS.includes(protocol as Protocol)) bad([...path, 'protocol'], `protocol ${JSON.stringify(protocol)} is not TCP, UDP or SCTP (case matters)`);
    const spec: PortSpec = { index: i, protocol: protocol as Protocol };
    const port = p.port;
    if (port !== undefined && port !== null) {
      if (typeof port === 'number') {
        if (!isPortNumber(port)) bad([...path, 'port'], `port ${port} is out of range (1 to 65535)`);
        else spec.port = port;
      } else if (typeof port === 'string') {
        if (!isPortName(port)) bad([...path, 'port'], `port ${JSON.stringify(port)} is not a port number or a valid port name (at most 15 lower-case letters, digits and '-', with a letter)`);
        else spec.port = port;
      } else bad([...path, 'port'], `port must be a number or a port name, not ${typeof port}`);
    }
    const endPort = p.endPort;
    if (endPort !== undefined && endPort !== null) {
      if (!isPortNumber(endPort)) bad([...path, 'endPort'], `endPort ${JSON.stringify(endPort)} is out of range (1 to 65535)`);
      else if (port === undefined || port === null) bad([...path, 'endPort'], 'endPort may not be given without port');
      else if (typeof port === 'string') bad([...path, 'endPort'], 'endPort may not be given with a named port');
      else if (typeof port === 'number' && endPort < port) bad([...path, 'endPort'], `endPort ${endPort} is below port ${port}`);
      else spec.endPort = endPort;
    }
    if (ok) out.push(spec);
  });
  return out;
}
