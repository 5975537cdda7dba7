/** A hand-built scan result shared by the reporter tests (test-only; not imported by index.ts). */

import type { CheckInfo, Finding, ResourceRef, ScanResult } from '../model/types.js';

export const DEPLOY: ResourceRef = {
  apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'web', name: 'api', file: 'deploy.yaml', line: 12,
};
export const SERVICE: ResourceRef = {
  apiVersion: 'v1', kind: 'Service', namespace: 'web', name: 'api-svc', file: 'deploy.yaml', line: 45,
};
export const ROLE: ResourceRef = {
  apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: 'ops-admin', file: 'rbac/roles.yaml', line: 1,
};

export const TRICKY_MESSAGE = `ClusterRole grants verbs "*" on <all> resources & it's bound`;

export const CHECKS: CheckInfo[] = [
  {
    id: 'host-network', title: 'Pod uses the host network', severity: 'high',
    description: 'hostNetwork gives the pod the node network namespace.',
    remediation: 'Remove spec.hostNetwork.', stride: ['I', 'E'],
  },
  {
    id: 'privileged-container', title: 'Container runs privileged', severity: 'critical',
    description: 'A privileged container has all capabilities and access to host devices.',
    remediation: 'Set securityContext.privileged to false.', stride: ['E'],
    refs: ['https://kubernetes.io/docs/concepts/security/pod-security-standards/'],
    helpUri: 'https://palisade.dev/checks/privileged-container',
  },
  {
    id: 'run-as-root', title: 'Container may run as root', severity: 'high',
    description: 'Without runAsNonRoot the image decides the user, often root.',
    remediation: 'Set securityContext.runAsNonRoot: true.', stride: ['E', 'T'],
  },
  {
    id: 'missing-resource-limits', title: 'No resource limits', severity: 'medium',
    description: 'A container without limits can starve its neighbours.',
    remediation: 'Set resources.limits.cpu and resources.limits.memory.', stride: ['D'],
  },
  {
    id: 'service-nodeport', title: 'Service exposes a NodePort', severity: 'low',
    description: 'NodePort services open a port on every node.',
    remediation: 'Use ClusterIP behind an Ingress.', stride: ['I'],
  },
  {
    id: 'rbac-wildcard', title: 'RBAC rule uses wildcards', severity: 'high',
    description: 'Wildcard verbs or resources grant more than intended.',
    remediation: 'List the verbs and resources explicitly.', stride: ['E'],
  },
];

function finding(check: string, resource: ResourceRef, line: number, path: string, extra: Partial<Finding> = {}): Finding {
  const c = CHECKS.find((x) => x.id === check);
  return {
    check,
    severity: c?.severity ?? 'info',
    title: c?.title ?? check,
    message: `${c?.title ?? check} (${path})`,
    resource,
    path,
    line,
    remediation: c?.remediation ?? 'Review it.',
    stride: c?.stride ?? [],
    ...(c?.refs ? { refs: c.refs } : {}),
    suppressed: false,
    ...extra,
  };
}

export function sampleFindings(): Finding[] {
  return [
    finding('privileged-container', DEPLOY, 31, 'spec.template.spec.containers[0].securityContext.privileged',
      { message: 'Container "api" runs privileged' }),
    finding('run-as-root', DEPLOY, 28, 'spec.template.spec.containers[0].securityContext'),
    finding('run-as-root', DEPLOY, 40, 'spec.template.spec.containers[1].securityContext'),
    finding('missing-resource-limits', DEPLOY, 33, 'spec.template.spec.containers[0].resources', {
      suppressed: true, suppression: { kind: 'annotation', reason: 'limits set by LimitRange' },
    }),
    finding('service-nodeport', SERVICE, 52, 'spec.type'),
    finding('rbac-wildcard', ROLE, 8, 'rules[0].verbs', { message: TRICKY_MESSAGE }),
    // A check that is not in `checks` (e.g. a custom rule).
    finding('custom-label-policy', ROLE, 3, 'metadata.labels', {
      severity: 'info', title: 'Missing owner label', message: 'No "owner" label', remediation: 'Add an owner label.',
      stride: ['R'],
    }),
  ];
}

export function sampleResult(): ScanResult {
  return {
    findings: sampleFindings(),
    summary: {
      resources: 3, findings: 6, suppressed: 1,
      bySeverity: { critical: 1, high: 3, medium: 0, low: 1, info: 1 },
    },
    errors: [{ file: 'broken.yaml', line: 3, message: 'bad indentation of a mapping entry' }],
    checks: CHECKS,
    warnings: ['config ignore for run-as-root on web/api expired on 2024-01-01'],
  };
}

export function emptyResult(resources = 4): ScanResult {
  return {
    findings: [],
    summary: { resources, findings: 0, suppressed: 0, bySeverity: { critical: 0, high: 0, medium: 0, low: 0, info: 0 } },
    errors: [],
    checks: CHECKS,
    warnings: [],
  };
}
