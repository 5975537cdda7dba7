/**
 * Latency of evaluateVap with eight typical policies on a three-container Pod (images,
 * privileged, memory limits with quantity(), labels via a variable and optionals, a match
 * condition, ports, hostPath, runAsNonRoot). Run: `npm run build && node dist/admission/vap/bench.js`.
 * The admission server's budget is 5 ms at p99; this measures the policy part of it.
 */
import { evaluateVap } from './evaluate.js';
import type { AdmissionRequestLike, JsonObject, VapInput } from './types.js';

const containers = '(has(object.spec.template) ? object.spec.template.spec.containers : object.spec.containers)';

function policy(name: string, spec: JsonObject): JsonObject {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name },
    spec: { matchConstraints: { resourceRules: [{ apiGroups: ['', 'apps'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['pods', 'deployments'] }] }, ...spec },
  };
}

const policies = [
  policy('images', { validations: [{ expression: `${containers}.all(c, c.image.startsWith('registry.example.com/'))`, messageExpression: "'bad image'" }] }),
  policy('privileged', { validations: [{ expression: `${containers}.all(c, !has(c.securityContext) || !has(c.securityContext.privileged) || !c.securityContext.privileged)` }] }),
  policy('limits', { validations: [{ expression: `${containers}.all(c, has(c.resources) && has(c.resources.limits) && 'memory' in c.resources.limits && quantity(c.resources.limits.memory).isLessThan(quantity('4Gi')))` }] }),
  policy('labels', { variables: [{ name: 'labels', expression: 'object.metadata.?labels.orValue({})' }], validations: [{ expression: "'app' in variables.labels && variables.labels['app'].matches('^[a-z][-a-z0-9]*$')" }] }),
  policy('team', { matchConditions: [{ name: 'not-system', expression: "!request.userInfo.username.startsWith('system:')" }], validations: [{ expression: "object.metadata.?annotations['team'].hasValue()" }] }),
  policy('ports', { validations: [{ expression: `${containers}.all(c, !has(c.ports) || c.ports.all(p, p.containerPort > 1024))` }] }),
  policy('hostpath', { validations: [{ expression: '!has(object.spec.volumes) || object.spec.volumes.all(v, !has(v.hostPath))' }] }),
  policy('runasnonroot', { validations: [{ expression: `${containers}.all(c, c.?securityContext.?runAsNonRoot.orValue(false) == true)` }] }),
];
const bindings = policies.map((p) => ({
  apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding',
  metadata: { name: `${String((p.metadata as JsonObject).name)}-binding` },
  spec: { policyName: (p.metadata as JsonObject).name, validationActions: ['Deny'] },
}));

function request(i: number): AdmissionRequestLike {
  const pod = {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: `p${i}`, namespace: 'shop', labels: { app: 'web', tier: 'front' }, annotations: { team: 'a' } },
    spec: {
      containers: [0, 1, 2].map((j) => ({
        name: `c${j}`, image: `registry.example.com/app:${j}`, ports: [{ containerPort: 8080 + j }],
        resources: { limits: { memory: '512Mi', cpu: '500m' }, requests: { memory: '256Mi' } },
        securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false },
        env: Array.from({ length: 10 }, (_, k) => ({ name: `E${k}`, value: `v${k}` })),
      })),
      volumes: [{ name: 'data', emptyDir: {} }],
    },
  };
  return {
    uid: `u${i}`, kind: { group: '', version: 'v1', kind: 'Pod' }, resource: { group: '', version: 'v1', resource: 'pods' },
    name: `p${i}`, namespace: 'shop', operation: 'CREATE', userInfo: { username: 'alice', groups: ['dev'] }, object: pod,
  };
}

const input: VapInput = { policies, bindings, namespaces: { shop: { metadata: { name: 'shop' } } } };
const requests = Array.from({ length: 2000 }, (_, i) => request(i));
for (let i = 0; i < 2000; i++) evaluateVap(input, requests[i % requests.length]);
const n = 20_000;
const times: number[] = [];
for (let i = 0; i < n; i++) {
  const t = process.hrtime.bigint();
  const r = evaluateVap(input, requests[i % requests.length]);
  times.push(Number(process.hrtime.bigint() - t) / 1e6);
  if (!r.allowed || r.evaluated.length !== policies.length) throw new Error('benchmark request was not admitted by all eight policies');
}
times.sort((a, b) => a - b);
const at = (q: number): string => times[Math.min(n - 1, Math.floor(q * n))].toFixed(3);
console.log(`evaluateVap, 8 policies, 3-container pod, ${n} requests: p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, p99.9 ${at(0.999)} ms, max ${at(1)} ms`);
