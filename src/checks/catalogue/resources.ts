/** Checks: container CPU and memory requests and limits. */
import {
  containerLabel, QUANTITY_INVALID, QUANTITY_MISSING, rawResourceQuantity, resourceQuantity, type ContainerRef, type JsonPath, type PodSpecRef,
} from '../../model/index.js';
import { Area } from '../screen.js';
import { defineCheck } from './define.js';
import { shownValue } from './util.js';
import type { CheckDef, ResourceContext } from './types.js';

type Section = 'limits' | 'requests';
type ResourceName = 'cpu' | 'memory';

/** An invalid quantity as messages show it (cut to 40 characters). */
function shownQuantity(resources: unknown, section: Section, name: ResourceName): string {
  return shownValue(rawResourceQuantity(resources, section, name), 40);
}

/**
 * Containers that can have resources: init (including sidecars) and regular ones.
 * Ephemeral containers cannot set resources; the API rejects them.
 */
function sized(ctx: ResourceContext): readonly ContainerRef[] {
  // Pods rarely have ephemeral containers (they are added to running pods): then the list as it is.
  const all = ctx.containers;
  return all.some((c) => c.list === 'ephemeralContainers') ? all.filter((c) => c.list !== 'ephemeralContainers') : all;
}

/** Pod-level resources (spec.resources, beta since v1.34) bound every container that sets none. */
function podLevel(pod: PodSpecRef | undefined, section: Section, name: ResourceName): boolean {
  if (!pod) return false;
  const q = resourceQuantity(pod.spec.resources, section, name);
  return q >= 0 && (section === 'requests' || q > 0);
}

/** The shared body of the two limit checks. */
function checkLimit(ctx: ResourceContext, name: ResourceName): void {
  const field = `resources.limits.${name}`;
  for (const c of sized(ctx)) {
    const q = resourceQuantity(c.container.resources, 'limits', name);
    if (q > 0) continue;
    const path: JsonPath = [...c.path, 'resources', 'limits', name];
    if (q === QUANTITY_INVALID) ctx.report(path, `${containerLabel(c)} ${field} ${shownQuantity(c.container.resources, 'limits', name)} is not a valid quantity`, 'low');
    else if (q === 0) ctx.report(path, `${containerLabel(c)} ${field} is 0, which sets no limit`);
    else if (!podLevel(ctx.pod, 'limits', name)) ctx.report(path, `${containerLabel(c)} has no ${name} limit (${field})`);
  }
}

const memoryLimitMissing = defineCheck({
  id: 'resources/memory-limit-missing',
  title: 'Container has no memory limit',
  severity: 'medium',
  defaultOn: true,
  stride: ['D'],
  kinds: 'workload',
  areas: Area.resources,
  description:
    'Without a memory limit a container can use all the memory of its node: a leak or a deliberate allocation then gets other ' +
    'pods, and possibly the kubelet, killed by the kernel\'s OOM killer. The limit confines the damage to the container itself. ' +
    'Init containers count (sidecars run for the pod\'s whole life); a pod-level limit (spec.resources) covers containers that ' +
    'set none. A LimitRange default in the namespace also sets one, but is not visible in the manifest.',
  remediation: 'Set resources.limits.memory on every container (or spec.resources.limits.memory on the pod), sized from observed usage.',
  example: `containers:
- name: app
  image: registry.example.com/app:1.4.2
  resources:
    requests:
      cpu: 250m
      memory: 256Mi
    limits:
      memory: 256Mi`,
  refs: {
    kubesec: ['LimitsMemory'],
    polaris: ['memoryLimitsMissing'],
    trivy: ['KSV-0018'],
    kubescape: ['C-0271', 'C-0004'],
    kubeLinter: ['unset-memory-requirements'],
    kubeScore: ['container-resources'],
  },
  rationale: 'A quantity that does not parse is reported as such (low), not taken as a limit; a limit of 0 sets none.',
  run(ctx) {
    checkLimit(ctx, 'memory');
  },
});

const cpuLimitMissing = defineCheck({
  id: 'resources/cpu-limit-missing',
  title: 'Container has no CPU limit',
  severity: 'low',
  defaultOn: true,
  stride: ['D'],
  kinds: 'workload',
  areas: Area.resources,
  description:
    'Without a CPU limit a busy or compromised container (a crypto miner is the usual case) can use every idle core of its ' +
    'node. Requests still guarantee other pods their share, so the impact is smaller than for memory; some teams prefer no ' +
    'CPU limits to avoid throttling and rely on requests and a namespace LimitRange instead.',
  remediation: 'Set resources.limits.cpu on every container (or spec.resources.limits.cpu on the pod), or suppress this check if you deliberately run without CPU limits.',
  example: `containers:
- name: app
  image: registry.example.com/app:1.4.2
  resources:
    requests:
      cpu: 250m
      memory: 256Mi
    limits:
      cpu: "1"
      memory: 256Mi`,
  refs: {
    kubesec: ['LimitsCPU'],
    polaris: ['cpuLimitsMissing'],
    trivy: ['KSV-0011'],
    kubescape: ['C-0270', 'C-0050'],
    kubeLinter: ['unset-cpu-requirements'],
    kubeScore: ['container-resources'],
  },
  run(ctx) {
    checkLimit(ctx, 'cpu');
  },
});

const requestsMissing = defineCheck({
  id: 'resources/requests-missing',
  title: 'Container has no CPU or memory request',
  severity: 'low',
  defaultOn: true,
  stride: ['D'],
  kinds: 'workload',
  areas: Area.resources,
  description:
    'Requests are what the scheduler reserves for a container. Without them pods are packed onto nodes that cannot run them ' +
    'under load, are the first evicted under memory pressure (BestEffort), and ResourceQuotas on requests cannot be applied.',
  remediation: 'Set resources.requests.cpu and resources.requests.memory on every container, from observed usage.',
  example: `containers:
- name: app
  image: registry.example.com/app:1.4.2
  resources:
    requests:
      cpu: 250m
      memory: 256Mi`,
  refs: {
    kubesec: ['RequestsCPU', 'RequestsMemory'],
    polaris: ['cpuRequestsMissing', 'memoryRequestsMissing'],
    trivy: ['KSV-0015', 'KSV-0016'],
    kubescape: ['C-0050', 'C-0004'],
    kubeLinter: ['unset-cpu-requirements', 'unset-memory-requirements'],
    kubeScore: ['container-resources'],
  },
  rationale:
    'A request left unset next to a limit is not reported: the API server sets the request to the limit. Pod-level requests ' +
    '(spec.resources) also count.',
  run(ctx) {
    for (const c of sized(ctx)) {
      const missing: ResourceName[] = [];
      for (const name of ['cpu', 'memory'] as const) {
        const q = resourceQuantity(c.container.resources, 'requests', name);
        if (q === QUANTITY_INVALID) {
          ctx.report([...c.path, 'resources', 'requests', name], `${containerLabel(c)} resources.requests.${name} ${shownQuantity(c.container.resources, 'requests', name)} is not a valid quantity`);
        } else if (q === QUANTITY_MISSING && resourceQuantity(c.container.resources, 'limits', name) < 0 && !podLevel(ctx.pod, 'requests', name)) {
          missing.push(name);
        }
      }
      if (missing.length === 2) {
        ctx.report([...c.path, 'resources', 'requests'], `${containerLabel(c)} has no cpu or memory request (resources.requests)`);
      } else if (missing.length === 1) {
        ctx.report([...c.path, 'resources', 'requests', missing[0]], `${containerLabel(c)} has no ${missing[0]} request (resources.requests.${missing[0]})`);
      }
    }
  },
});

export const CHECKS: CheckDef[] = [memoryLimitMissing, cpuLimitMissing, requestsMissing];
