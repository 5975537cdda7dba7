// The README's first command: every planted problem in examples/insecure is found at its
// line, and examples/hardened is clean under the default (cks) profile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function scan(...args: string[]) {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'palisade.js'), 'scan', ...args, '--format', 'json', '--fail-on', 'none'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { findings: Array<{ check: string; line: number; resource: { file: string } }>; summary: { resources: number; findings: number }; errors: unknown[]; warnings: string[] };
}

test('examples/hardened: no finding under the default profile', () => {
  const report = scan('examples/hardened');
  assert.deepEqual(report.errors, []);
  assert.deepEqual(report.findings.map((f) => `${f.resource.file}:${f.line} ${f.check}`), []);
  assert.equal(report.summary.resources, 31);
});

test('examples/hardened: the storefront reaches Postgres and nothing else outside DNS', () => {
  const explain = (from: string, to: string, port: string) =>
    spawnSync(process.execPath, [join(root, 'bin', 'palisade.js'), 'netpol', 'explain', '--from', from, '--to', to, '--port', port, 'examples/hardened'], { encoding: 'utf8', cwd: root });
  assert.equal(explain('web/storefront', 'data/postgres', '5432/TCP').status, 0);
  assert.equal(explain('web/storefront', 'ops/db-backup', '5432/TCP').status, 1);
  assert.equal(explain('ops/db-backup', 'data/postgres', '5432/TCP').status, 0);
});

// [file, check, line]: the problems written into examples/insecure, and where they are.
const PLANTED: Array<[string, string, number]> = [
  ['web-deployment.yaml', 'image/latest-tag', 39],
  ['web-deployment.yaml', 'capabilities/dangerous-add', 55],
  ['web-deployment.yaml', 'pss/restricted/runAsUser', 65],
  ['web-deployment.yaml', 'pss/restricted/restrictedVolumes', 71],
  ['web-deployment.yaml', 'host/sensitive-hostpath', 72],
  ['web-deployment.yaml', 'resources/memory-limit-missing', 48],
  ['web-deployment.yaml', 'pss/restricted/allowPrivilegeEscalation', 52],
  ['web-deployment.yaml', 'service/load-balancer-open', 86],
  ['backup-cronjob.yaml', 'pss/baseline/hostNamespaces', 23],
  ['backup-cronjob.yaml', 'image/latest-tag', 27],
  ['backup-cronjob.yaml', 'secrets/env-from-secret', 39],
  ['backup-cronjob.yaml', 'pss/baseline/privileged', 44],
  ['backup-cronjob.yaml', 'pss/restricted/restrictedVolumes', 50],
  ['monitoring-daemonset.yaml', 'pss/baseline/appArmorProfile', 25],
  ['monitoring-daemonset.yaml', 'pss/baseline/hostNamespaces', 27],
  ['monitoring-daemonset.yaml', 'pss/restricted/seccompProfile_restricted', 32],
  ['monitoring-daemonset.yaml', 'capabilities/dangerous-add', 54],
  ['monitoring-daemonset.yaml', 'host/sensitive-hostpath', 64],
  ['monitoring-daemonset.yaml', 'host/sensitive-hostpath', 67],
  ['rbac.yaml', 'rbac/secrets-access', 21],
  ['rbac.yaml', 'rbac/exec-attach-portforward', 24],
  ['rbac.yaml', 'rbac/wildcard', 22],
  ['rbac.yaml', 'rbac/cluster-admin-binding', 40],
  ['rbac.yaml', 'rbac/cluster-admin-binding', 56],
  ['rbac.yaml', 'rbac/privileged-subject', 60],
  ['ingress.yaml', 'ingress/nginx-snippet-annotation', 11],
  ['ingress.yaml', 'ingress/no-tls', 15],
  ['debug-pod.json', 'pss/baseline/hostNamespaces', 16],
  ['debug-pod.json', 'pss/baseline/seLinuxOptions', 19],
  ['debug-pod.json', 'pss/baseline/sysctls', 24],
  ['debug-pod.json', 'pss/baseline/hostPorts', 38],
  ['debug-pod.json', 'pss/restricted/procMount_restricted', 43],
];

test('examples/insecure: every planted problem is found at its line', () => {
  const report = scan('examples/insecure');
  assert.deepEqual(report.errors, []);
  assert.deepEqual(report.warnings, []);
  const found = new Set(report.findings.map((f) => `${f.resource.file.replace('examples/insecure/', '')}|${f.check}|${f.line}`));
  const missing = PLANTED.filter(([file, check, line]) => !found.has(`${file}|${check}|${line}`));
  assert.deepEqual(missing, []);
});
