// The precompiled bit-set matrix against the one-connection-at-a-time evaluator, on random
// policies over the e2e world (random selectors, peers, ports, named ports, ipBlocks, types).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as B from './bitset.js';
import { allowedSlow, Engine } from './engine.js';
import { e2eWorld, modelOf, ns, policy, probe } from './testkit.js';

const podSel = fc.constantFrom<Record<string, unknown>>(
  {}, { matchLabels: { pod: 'a' } }, { matchLabels: { pod: 'b' } },
  { matchExpressions: [{ key: 'pod', operator: 'In', values: ['a', 'c'] }] },
  { matchExpressions: [{ key: 'pod', operator: 'NotIn', values: ['a'] }] },
  { matchExpressions: [{ key: 'pod', operator: 'Exists' }] },
  { matchExpressions: [{ key: 'pod', operator: 'DoesNotExist' }] },
);
const nsSel = fc.constantFrom<Record<string, unknown>>(
  {}, { matchLabels: { team: 'blue' } }, { matchLabels: { 'kubernetes.io/metadata.name': 'z' } },
  { matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['blue'] }] },
);
const peer = fc.oneof(
  fc.record({ podSelector: podSel }),
  fc.record({ namespaceSelector: nsSel }),
  fc.record({ podSelector: podSel, namespaceSelector: nsSel }),
  fc.constantFrom({ ipBlock: { cidr: '10.0.0.0/16', except: ['10.0.2.0/24'] } }, { ipBlock: { cidr: '10.0.1.2/32' } }, { ipBlock: { cidr: '0.0.0.0/0' } }),
);
const port = fc.constantFrom<Record<string, unknown>>(
  { port: 80 }, { port: 81, protocol: 'UDP' }, { port: 'serve-80-tcp' }, { port: 'serve-81-udp', protocol: 'UDP' },
  { port: 79, endPort: 81 }, { protocol: 'UDP' }, {},
);
const rule = (field: 'from' | 'to') => fc.record({ [field]: fc.option(fc.array(peer, { maxLength: 3 }), { nil: undefined }), ports: fc.option(fc.array(port, { maxLength: 2 }), { nil: undefined }) }, { requiredKeys: [] });
const spec = fc.record({
  podSelector: podSel,
  policyTypes: fc.option(fc.constantFrom(['Ingress'], ['Egress'], ['Ingress', 'Egress']), { nil: undefined }),
  ingress: fc.option(fc.array(rule('from'), { maxLength: 2 }), { nil: undefined }),
  egress: fc.option(fc.array(rule('to'), { maxLength: 2 }), { nil: undefined }),
}, { requiredKeys: ['podSelector'] });

test('property: the bit-set matrix equals the plain evaluator for every pair', () => {
  fc.assert(fc.property(
    fc.array(fc.tuple(fc.constantFrom('x', 'y', 'z'), spec), { minLength: 1, maxLength: 5 }),
    fc.constantFrom('80/TCP', '81/TCP', '80/UDP', '81/UDP'),
    (policies, p) => {
      const yaml = e2eWorld().replace(/name: y\n  labels: \{\}/, 'name: y\n  labels: {"team":"blue"}') + ns('w', { team: 'blue' })
        + policies.map(([n, s], i) => policy(n, `p${i}`, JSON.parse(JSON.stringify(s)))).join('');
      const model = modelOf(yaml);
      const engine = new Engine(model);
      const pr = probe(p);
      const rows = engine.matrix(pr);
      for (const s of model.pods) {
        for (const d of model.pods) {
          assert.equal(B.has(rows[s.index], d.index), allowedSlow(model, s, d, pr), `${s.id} -> ${d.id} ${p}`);
        }
      }
    },
  ), { numRuns: 300 });
});

test('property: arbitrary values where a policy or pod expects structure never crash the model, engine or findings', async () => {
  const { parseYamlText } = await import('../model/index.js');
  const { buildModel } = await import('./build.js');
  const { checkFindings } = await import('./findings.js');
  const { exposure } = await import('./exposure.js');
  const json = fc.jsonValue({ maxDepth: 4 });
  const anyRule = fc.oneof(json, fc.record({ from: fc.oneof(json, fc.array(fc.oneof(json, peer))), to: fc.oneof(json, fc.array(fc.oneof(json, peer))), ports: fc.oneof(json, fc.array(fc.oneof(json, port))) }, { requiredKeys: [] }));
  fc.assert(fc.property(
    fc.record({ podSelector: fc.oneof(json, podSel), policyTypes: json, ingress: fc.oneof(json, fc.array(anyRule)), egress: fc.oneof(json, fc.array(anyRule)) }, { requiredKeys: [] }),
    fc.record({ labels: json, ports: json, status: json }, { requiredKeys: [] }),
    (spec, podBits) => {
      const objects = [
        { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'x' }, spec },
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', namespace: 'x', labels: podBits.labels }, spec: { containers: [{ name: 'c', image: 'i', ports: podBits.ports }] }, status: podBits.status },
      ];
      const { resources } = parseYamlText(objects.map((o) => JSON.stringify(o)).join('\n---\n'), 'fuzz.yaml');
      const model = buildModel(resources);
      const engine = new Engine(model);
      engine.matrix(probe('80/TCP'));
      if (model.pods.length > 0) engine.explain({ pod: model.pods[0] }, { pod: model.pods[0] }, probe('53/UDP'));
      checkFindings(engine);
      exposure(engine);
      for (const p of model.problems) assert.ok(p.resource.lineOf(p.path) >= 1);
    },
  ), { numRuns: 400 });
});
