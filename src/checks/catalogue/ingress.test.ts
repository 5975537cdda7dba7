import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding } from '../../model/index.js';
import { CHECKS } from './ingress.js';
import { findingsOf, rows } from './testkit.js';

const scan = (id: string, text: string): Finding[] => findingsOf(text, id);

const PLAIN = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
spec:
  rules:
  - host: shop.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service: {name: shop, port: {number: 80}}
`;

const HARDENED = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
  annotations:
    nginx.ingress.kubernetes.io/ssl-redirect: "true"
spec:
  tls:
  - hosts: ["shop.example.com", "*.api.example.com"]
    secretName: shop-tls
  rules:
  - host: shop.example.com
  - host: v1.api.example.com
  - host: SHOP.example.com
  - http: {paths: []}
`;

test('the topic exports its three checks', () => {
  assert.deepEqual(CHECKS.map((c) => c.id), ['ingress/no-tls', 'ingress/host-not-covered-by-tls', 'ingress/nginx-snippet-annotation']);
});

test('no-tls: an Ingress without spec.tls (or with an empty list) is medium', () => {
  assert.deepEqual(rows(scan('ingress/no-tls', PLAIN)), [['ingress/no-tls', 'spec', 'Ingress "shop" has no spec.tls: it serves plain HTTP', 5, 'medium']]);
  const empty = `apiVersion: extensions/v1beta1
kind: Ingress
metadata: {name: legacy}
spec:
  tls: []
  backend: {serviceName: x, servicePort: 80}
`;
  assert.deepEqual(rows(scan('ingress/no-tls', empty)), [['ingress/no-tls', 'spec.tls', 'Ingress "legacy" has no spec.tls: it serves plain HTTP', 5, 'medium']]);
});

test('no-tls: TLS in spec or at a cloud load balancer, ACME solvers and CRDs are fine', () => {
  assert.deepEqual(scan('ingress/no-tls', `${HARDENED}---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: alb
  annotations:
    alb.ingress.kubernetes.io/certificate-arn: arn:aws:acm:eu-west-1:123456789012:certificate/abc
spec: {rules: [{host: a.example.com}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: cm-acme-http-solver-abcde
  labels: {acme.cert-manager.io/http01-solver: "true"}
spec: {rules: [{host: a.example.com}]}
---
apiVersion: example.com/v1
kind: Ingress
metadata: {name: crd}
spec: {}
`), []);
});

test('host-not-covered-by-tls: uncovered hosts are low, TLS entries without secretName are info', () => {
  const text = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
spec:
  tls:
  - hosts:
    - shop.example.com
    - "*.example.com"
    secretName: shop-tls
  - hosts: [admin.internal]
  rules:
  - host: shop.example.com
  - host: www.example.com
  - host: example.com
  - host: a.b.example.com
  - host: "*.other.example.com"
  - host: admin.internal
`;
  const f = scan('ingress/host-not-covered-by-tls', text);
  assert.deepEqual(rows(f), [
    ['ingress/host-not-covered-by-tls', 'spec.tls[1]', 'spec.tls[1] (hosts "admin.internal") has no secretName: the controller\'s default certificate is served', 11, 'info'],
    ['ingress/host-not-covered-by-tls', 'spec.rules[2].host', 'Ingress "shop" host "example.com" is not listed in any spec.tls[].hosts: it is served without its certificate', 15, 'low'],
    ['ingress/host-not-covered-by-tls', 'spec.rules[3].host', 'Ingress "shop" host "a.b.example.com" is not listed in any spec.tls[].hosts: it is served without its certificate', 16, 'low'],
    ['ingress/host-not-covered-by-tls', 'spec.rules[4].host', 'Ingress "shop" host "*.other.example.com" is not listed in any spec.tls[].hosts: it is served without its certificate', 17, 'low'],
  ]);
});

test('host-not-covered-by-tls: fully covered, TLS-less (reported by no-tls) and odd Ingresses are fine', () => {
  assert.deepEqual(scan('ingress/host-not-covered-by-tls', `${HARDENED}---
${PLAIN}---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: odd}
spec:
  tls: [null, "x", {hosts: "a.example.com", secretName: s}, {hosts: [5, null], secretName: t}]
  rules: [null, {host: 7}, {host: ""}]
`), []);
});

test('nginx-snippet-annotation: every *-snippet annotation is high, at the annotation', () => {
  const text = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
  annotations:
    nginx.ingress.kubernetes.io/rewrite-target: /
    nginx.ingress.kubernetes.io/configuration-snippet: |
      more_set_headers "X-Frame-Options: DENY";
    nginx.ingress.kubernetes.io/server-snippet: "location /x { return 403; }"
    nginx.ingress.kubernetes.io/auth-snippet: "proxy_set_header Foo bar;"
    nginx.org/location-snippets: "add_header X-Test 1;"
spec:
  tls: [{hosts: [shop.example.com], secretName: t}]
`;
  const msg = (k: string) => `annotation "${k}" injects raw NGINX configuration into the ingress controller (CVE-2021-25742, CVE-2023-5043)`;
  assert.deepEqual(rows(scan('ingress/nginx-snippet-annotation', text)), [
    ['ingress/nginx-snippet-annotation', 'metadata.annotations["nginx.ingress.kubernetes.io/configuration-snippet"]', msg('nginx.ingress.kubernetes.io/configuration-snippet'), 7, 'high'],
    ['ingress/nginx-snippet-annotation', 'metadata.annotations["nginx.ingress.kubernetes.io/server-snippet"]', msg('nginx.ingress.kubernetes.io/server-snippet'), 9, 'high'],
    ['ingress/nginx-snippet-annotation', 'metadata.annotations["nginx.ingress.kubernetes.io/auth-snippet"]', msg('nginx.ingress.kubernetes.io/auth-snippet'), 10, 'high'],
    ['ingress/nginx-snippet-annotation', 'metadata.annotations["nginx.org/location-snippets"]', msg('nginx.org/location-snippets'), 11, 'high'],
  ]);
  assert.deepEqual(scan('ingress/nginx-snippet-annotation', HARDENED), []);
});

test('ingress checks survive malformed Ingresses', () => {
  const text = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {annotations: [a, b], labels: "x"}
spec: "oops"
---
kind: Ingress
metadata: null
spec: {tls: {hosts: [a]}, rules: {host: a}}
`;
  const all = CHECKS.flatMap((c) => scan(c.id, text));
  assert.deepEqual(all.map((x) => [x.check, x.path]), [
    ['ingress/no-tls', 'spec'],
    ['ingress/no-tls', 'spec.tls'],
  ]);
});
