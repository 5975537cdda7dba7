import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding } from '../../model/index.js';
import { CHECKS } from './services.js';
import { findingsOf, rows } from './testkit.js';

const scan = (id: string, text: string): Finding[] => findingsOf(text, id);

test('the topic exports its three checks', () => {
  assert.deepEqual(CHECKS.map((c) => c.id), ['service/external-ips', 'service/node-port', 'service/load-balancer-open']);
  assert.ok(CHECKS[0].refs.links?.some((l) => l.includes('CVE-2020-8554')));
});

test('external-ips: any externalIPs entry is high, reported at the field', () => {
  const text = `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports: [{port: 80}]
  externalIPs:
  - 203.0.113.10
  - 203.0.113.11
`;
  assert.deepEqual(rows(scan('service/external-ips', text)), [
    ['service/external-ips', 'spec.externalIPs', 'Service "web" sets spec.externalIPs (203.0.113.10, 203.0.113.11); traffic to these addresses can be hijacked cluster-wide (CVE-2020-8554)', 8, 'high'],
  ]);
});

test('external-ips: empty lists, other kinds of values and CRDs are fine', () => {
  assert.deepEqual(scan('service/external-ips', `apiVersion: v1
kind: Service
metadata: {name: a}
spec: {externalIPs: []}
---
apiVersion: v1
kind: Service
metadata: {name: b}
spec: {externalIPs: [null, 5, ""]}
---
apiVersion: v1
kind: Service
metadata: {name: c}
spec: null
---
apiVersion: serving.knative.dev/v1
kind: Service
metadata: {name: d}
spec: {externalIPs: [1.2.3.4]}
`), []);
});

test('node-port: type NodePort is low, at spec.type', () => {
  const text = `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: NodePort
  ports: [{port: 80, nodePort: 30080}]
`;
  assert.deepEqual(rows(scan('service/node-port', text)), [['service/node-port', 'spec.type', 'Service "web" is of type NodePort: its ports are open on every node', 6, 'low']]);
  assert.deepEqual(scan('service/node-port', text.replace('NodePort', 'ClusterIP')), []);
});

test('load-balancer-open: no source ranges, or 0.0.0.0/0, is low', () => {
  const text = `apiVersion: v1
kind: Service
metadata:
  name: open
spec:
  type: LoadBalancer
  ports: [{port: 443}]
---
apiVersion: v1
kind: Service
metadata:
  name: world
spec:
  type: LoadBalancer
  loadBalancerSourceRanges:
  - 10.0.0.0/8
  - 0.0.0.0/0
---
apiVersion: v1
kind: Service
metadata:
  name: legacy
  annotations:
    service.beta.kubernetes.io/load-balancer-source-ranges: "10.0.0.0/8, ::/0"
spec:
  type: LoadBalancer
`;
  assert.deepEqual(rows(scan('service/load-balancer-open', text)), [
    ['service/load-balancer-open', 'spec.type', 'Service "open" is of type LoadBalancer without spec.loadBalancerSourceRanges: reachable from any address', 6, 'low'],
    ['service/load-balancer-open', 'spec.loadBalancerSourceRanges[1]', 'Service "world" is of type LoadBalancer with source range 0.0.0.0/0: reachable from any address', 17, 'low'],
    [
      'service/load-balancer-open',
      'metadata.annotations["service.beta.kubernetes.io/load-balancer-source-ranges"]',
      'Service "legacy" is of type LoadBalancer with source range ::/0: reachable from any address',
      24,
      'low',
    ],
  ]);
});

test('load-balancer-open: restricted and internal load balancers are fine', () => {
  assert.deepEqual(scan('service/load-balancer-open', `apiVersion: v1
kind: Service
metadata: {name: restricted}
spec:
  type: LoadBalancer
  loadBalancerSourceRanges: [203.0.113.0/24]
---
apiVersion: v1
kind: Service
metadata:
  name: legacy
  annotations: {service.beta.kubernetes.io/load-balancer-source-ranges: "10.0.0.0/8"}
spec: {type: LoadBalancer}
---
apiVersion: v1
kind: Service
metadata:
  name: internal-aws
  annotations: {service.beta.kubernetes.io/aws-load-balancer-scheme: internal}
spec: {type: LoadBalancer}
---
apiVersion: v1
kind: Service
metadata:
  name: internal-gke
  annotations: {networking.gke.io/load-balancer-type: Internal}
spec: {type: LoadBalancer}
---
apiVersion: v1
kind: Service
metadata:
  name: internal-azure
  annotations: {service.beta.kubernetes.io/azure-load-balancer-internal: "true"}
spec: {type: LoadBalancer}
---
apiVersion: v1
kind: Service
metadata: {name: odd, annotations: null}
spec: {type: LoadBalancer, loadBalancerSourceRanges: "192.168.0.0/16"}
`), []);
});

test('service checks survive malformed Services', () => {
  const text = `apiVersion: v1
kind: Service
metadata: null
spec: [1, 2]
---
apiVersion: v1
kind: Service
spec: {type: [LoadBalancer], externalIPs: {a: 1}, loadBalancerSourceRanges: [null, 3]}
---
kind: Service
metadata: {name: noversion}
spec: {type: NodePort, externalIPs: "1.2.3.4"}
`;
  const all = CHECKS.flatMap((c) => scan(c.id, text));
  assert.deepEqual(all.map((x) => [x.check, x.path]), [
    ['service/external-ips', 'spec.externalIPs'],
    ['service/node-port', 'spec.type'],
  ]);
});
