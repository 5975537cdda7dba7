// Strange objects (wrong types where Kubernetes expects others, missing parts) never make a
// check throw: every check reports what it can and the scan goes on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const STRANGE = `apiVersion: v1
kind: Pod
metadata: {name: strange, namespace: web}
spec:
  securityContext: null
  containers:
  - name: a
    image: nginx:1.25
    securityContext: null
    ports:
    - containerPort: "8080"
      hostPort: "9090"
    resources:
      limits: {cpu: 1, memory: 512}
      requests: {cpu: 0.5, memory: "lots"}
  - name: b
    image: 42
    securityContext:
      capabilities:
        add: "SYS_ADMIN"
        drop: "ALL"
  - "not a container"
  volumes: {name: oops}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: no-template, namespace: web}
spec:
  schedule: "* * * * *"
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: r, namespace: web}
rules: "everything"
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: np, namespace: web}
spec:
  podSelector: "app=web"
---
apiVersion: v1
kind: Service
metadata: {name: s, namespace: web}
spec:
  type: 7
  externalIPs: "1.2.3.4"
`;

test('strange objects: securityContext null, ports as strings, a capability string, numbers for quantities, no jobTemplate', () => {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'palisade.js'), 'scan', '-', '--profile', 'all', '--format', 'json'], { input: STRANGE, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 1, r.stderr);
  const report = JSON.parse(r.stdout) as { findings: Array<{ check: string; line: number; message: string }>; errors: unknown[]; warnings: string[]; summary: { resources: number } };
  assert.deepEqual(report.errors, []);
  assert.deepEqual(report.warnings, [], 'no check failed');
  assert.equal(report.summary.resources, 5);
  const at = (check: string, line: number) => report.findings.find((f) => f.check === check && f.line === line)?.message;
  assert.equal(at('pss/baseline/hostPorts', 12), 'hostPort (container "a" uses hostPort 9090)');
  assert.match(at('resources/requests-missing', 15) ?? '', /"lots" is not a valid quantity/);
  assert.equal(at('image/invalid-reference', 17), 'container "b" image 42 is a number, not a string');
  assert.match(at('capabilities/dangerous-add', 20) ?? '', /adds capability SYS_ADMIN/);
  assert.match(at('service/external-ips', 47) ?? '', /1\.2\.3\.4/);
  // Numbers are valid quantities: container "a" has its limits.
  assert.ok(!report.findings.some((f) => f.check.startsWith('resources/') && f.line === 13));
});
