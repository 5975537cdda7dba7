/** Checks: Namespaces — Pod Security admission labels, and objects placed in `default`. */
import { apiGroupOf, isObj, WORKLOAD_KINDS } from '../../model/index.js';
import { defineCheck } from './define.js';
import { kindAndName, shownValue } from './util.js';
import type { CheckDef } from './types.js';

const ENFORCE = 'pod-security.kubernetes.io/enforce';
const LEVELS = ['privileged', 'baseline', 'restricted'];
/** Control-plane namespaces: their system pods legitimately need the privileged level. */
const SYSTEM_NAMESPACES = ['kube-system', 'kube-public', 'kube-node-lease'];

const noPssEnforce = defineCheck({
  id: 'namespace/no-pss-enforce',
  title: 'Namespace does not enforce a Pod Security level',
  severity: 'medium',
  defaultOn: true,
  stride: ['E'],
  kinds: ['Namespace'],
  description:
    'Pod Security admission applies the level named by the `pod-security.kubernetes.io/enforce` label of each ' +
    'namespace. Without the label the cluster default applies, which is `privileged` (no restrictions) unless the ' +
    'API server was configured otherwise; `enforce: privileged` disables the protection explicitly. An invalid value is ' +
    'rejected by the API server. kube-system, kube-public and kube-node-lease are skipped.',
  remediation: 'Label the namespace pod-security.kubernetes.io/enforce: restricted (baseline where workloads cannot run restricted yet).',
  example: `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    pod-security.kubernetes.io/enforce: restricted
    pod-security.kubernetes.io/enforce-version: latest`,
  refs: {
    cis: ['5.2.1'],
    links: ['https://kubernetes.io/docs/concepts/security/pod-security-admission/', 'https://kubernetes.io/docs/tasks/configure-pod-container/enforce-standards-namespace-labels/'],
  },
  run(ctx) {
    if (apiGroupOf(ctx.object.apiVersion) !== '') return;
    const name = ctx.resource.name;
    if (SYSTEM_NAMESPACES.includes(name)) return;
    const ns = name ? `Namespace "${name}"` : 'Namespace';
    const labels = ctx.resource.metadata.labels;
    const raw = isObj(labels) ? labels[ENFORCE] : undefined;
    if (raw === undefined || raw === null) {
      const path = isObj(labels) ? ['metadata', 'labels'] : ['metadata'];
      ctx.report(path, `${ns} has no ${ENFORCE} label; set it to "restricted" (or "baseline")`);
      return;
    }
    const path = ['metadata', 'labels', ENFORCE];
    if (raw === 'privileged') {
      ctx.report(path, `${ns} enforces the "privileged" Pod Security level (no restrictions); set ${ENFORCE} to "restricted" (or "baseline")`);
    } else if (typeof raw !== 'string' || !LEVELS.includes(raw)) {
      // A label value that is not a string (a number, a mapping) is shown as written, as JSON.
      const shown = typeof raw === 'string' ? `"${raw}"` : shownValue(raw, 60);
      ctx.report(path, `${ns} has an invalid ${ENFORCE} value ${shown} (expected privileged, baseline or restricted); set it to "restricted" (or "baseline")`);
    }
  },
});

/** Namespaced kinds that carry an application or its permissions (not the hardening objects of a namespace). */
const APP_KINDS = [
  ...Object.keys(WORKLOAD_KINDS),
  'Service',
  'ConfigMap',
  'Secret',
  'ServiceAccount',
  'Role',
  'RoleBinding',
  'Ingress',
  'PersistentVolumeClaim',
  'HorizontalPodAutoscaler',
  'PodDisruptionBudget',
  'Endpoints',
  'EndpointSlice',
];

const defaultNamespace = defineCheck({
  id: 'namespace/default-namespace',
  title: 'Object in the default namespace',
  severity: 'low',
  defaultOn: true,
  stride: ['E'],
  kinds: APP_KINDS,
  description:
    'The `default` namespace is where everything lands by accident: it usually has no Pod Security label, no ' +
    'NetworkPolicy, no quota, and RBAC granted on it for convenience leaks to everything else placed there. Give each ' +
    'application its own namespace. Objects without `metadata.namespace` are not reported (see rationale).',
  remediation: 'Set metadata.namespace to a dedicated namespace (or deploy with kubectl -n / kustomize namespace: / helm --namespace).',
  example: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
  namespace: shop`,
  refs: {
    trivy: ['KSV-0110'],
    kubescape: ['C-0061'],
    kubeLinter: ['use-namespace'],
  },
  rationale:
    'Only an explicit `namespace: default` is reported. A missing namespace usually means the namespace is chosen at ' +
    'apply time (kubectl -n, a kustomization `namespace:`, helm --namespace, Argo CD destinations), which is the ' +
    'recommended way to write reusable manifests; flagging it would flag nearly every Helm chart and kustomize base. ' +
    'NetworkPolicies, ResourceQuotas and LimitRanges in `default` harden it and are not reported.',
  run(ctx) {
    if (ctx.resource.metadata.namespace !== 'default') return;
    const what = kindAndName(ctx);
    ctx.report(['metadata', 'namespace'], `${what} is in the "default" namespace; use a dedicated namespace`);
  },
});

export const CHECKS: CheckDef[] = [noPssEnforce, defaultNamespace];
