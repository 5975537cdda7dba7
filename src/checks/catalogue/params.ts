import type { CheckParams } from './types.js';

/** Defaults for every tunable; `.palisade.yaml` `params:` overrides them key by key. */
export function defaultParams(): CheckParams {
  return {
    allowedRegistries: [],
    deniedRegistries: [],
    untrustedNamespaces: [],
    untrustedSelectors: ['palisade.dev/untrusted=true'],
    sandboxRuntimeClasses: ['gvisor', 'runsc', 'kata', 'kata-containers', 'kata-qemu', 'kata-clh', 'kata-fc'],
    sandboxHandlers: ['runsc', 'kata', 'kata-qemu', 'kata-clh', 'kata-fc', 'kata-runtime'],
    sensitiveHostPaths: [
      '/', '/etc', '/proc', '/sys', '/boot', '/dev', '/root', '/home', '/var/lib/kubelet', '/var/lib/docker',
      '/var/lib/containerd', '/var/run', '/run', '/var/log', '/etc/kubernetes', '/var/lib/etcd',
    ],
    credentialNamePatterns: [],
    minReplicas: 2,
  };
}

/** Defaults, overridden key by key by `.palisade.yaml` `params:`. */
export function resolveParams(config?: Partial<CheckParams>): CheckParams {
  const params = defaultParams();
  if (!config) return params;
  for (const [key, value] of Object.entries(config)) {
    if (value !== undefined) (params as unknown as Record<string, unknown>)[key] = value;
  }
  return params;
}
