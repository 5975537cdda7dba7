/** The network model NetworkPolicy semantics are computed over. */
import type { JsonPath, Labels, Resource, Severity } from '../model/index.js';
import type { Cidr, Ip } from './cidr.js';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export const PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];

/** A connection attempt's destination port: `80/TCP`. */
export interface Probe {
  port: number;
  protocol: Protocol;
}

export interface ContainerPort {
  name?: string;
  port: number;
  protocol: Protocol;
}

export interface Namespace {
  index: number;
  name: string;
  /** With `kubernetes.io/metadata.name` always set to the name, as the API server does. */
  labels: Labels;
  /** The Namespace object, when the input has one; referenced namespaces exist with the name label only. */
  resource?: Resource;
  /** Indexes of the pods in this namespace. */
  pods: number[];
}

/**
 * A pod: a Pod object, or one representative pod of a workload (its template's labels and
 * ports). Workloads stand for all their replicas: traffic from one to itself is traffic
 * between replicas, which policies govern; a Pod's traffic to itself never is.
 */
export interface Pod {
  index: number;
  /** `namespace/name` (a workload whose name a Pod already uses: `namespace/name[Kind]`). */
  id: string;
  namespace: string;
  name: string;
  kind: string;
  labels: Labels;
  /** status.podIP / status.podIPs of Pod objects; empty when unknown. */
  ips: Ip[];
  ports: ContainerPort[];
  hostNetwork: boolean;
  resource: Resource;
  /** Where the labels are (metadata of the pod or of its template). */
  metaPath: JsonPath;
}

export interface PortSpec {
  index: number;
  /** Defaulted to TCP. */
  protocol: Protocol;
  /** Absent: every port of the protocol. A string is a named port, resolved per destination pod. */
  port?: number | string;
  endPort?: number;
}

export interface Peer {
  index: number;
  ipBlock?: { cidr: Cidr; except: Cidr[] };
  /** Present (possibly {}) when the peer has a podSelector. */
  podSelector?: Record<string, unknown>;
  namespaceSelector?: Record<string, unknown>;
}

export type Direction = 'ingress' | 'egress';

export interface Rule {
  direction: Direction;
  index: number;
  /** `from`/`to`; empty means every source/destination (pods and addresses). */
  peers: Peer[];
  /** Empty means every port and protocol. */
  ports: PortSpec[];
  path: JsonPath;
}

export interface Policy {
  index: number;
  id: string;
  namespace: string;
  name: string;
  resource: Resource;
  /** {} when absent: every pod of the namespace. */
  podSelector: Record<string, unknown>;
  /** After API defaulting: Ingress always when policyTypes is empty, Egress when egress rules exist. */
  types: { ingress: boolean; egress: boolean };
  /** policyTypes was left to defaulting. */
  typesDefaulted: boolean;
  ingress: Rule[];
  egress: Rule[];
  /** False when the API server would reject the policy: it is reported and not evaluated. */
  valid: boolean;
}

/** Something wrong with the input, reported as a finding of `check` at `path` of `resource`. */
export interface Problem {
  check: string;
  severity: Severity;
  resource: Resource;
  path: JsonPath;
  message: string;
}

export interface NetpolModel {
  namespaces: Namespace[];
  pods: Pod[];
  policies: Policy[];
  problems: Problem[];
}
