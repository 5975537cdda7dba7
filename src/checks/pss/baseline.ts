/**
 * The Baseline Pod Security Standard: the twelve controls of Kubernetes'
 * pod-security-admission library, with its per-version behaviour.
 */
import { asArray, isObj, someKey, type PssControl, type Violation } from './imports.js';
import { containerLabel, podAndContainerViolations, podSc, podScPath, quoteList, sc, scPath, str } from './util.js';
import { Area } from '../screen.js';

const BASELINE_CAPABILITIES = new Set([
  'AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD',
  'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT',
]);

export const hostNamespaces: PssControl = {
  id: 'hostNamespaces',
  areas: Area.hostNamespaces,
  level: 'baseline',
  since: 0,
  title: 'Host namespaces shared with the pod',
  reason: 'host namespaces',
  severity: 'high',
  stride: ['E', 'I'],
  description: 'Sharing the host network, PID or IPC namespace lets a pod see and reach host processes, interfaces and shared memory.',
  remediation: 'Remove hostNetwork, hostPID and hostIPC from the pod spec (or set them to false).',
  refs: { cis: ['5.2.3', '5.2.4', '5.2.5'], kubesec: ['HostNetwork', 'HostPID', 'HostIPC'], polaris: ['hostNetworkSet', 'hostPIDSet', 'hostIPCSet'], trivy: ['KSV-0008', 'KSV-0009', 'KSV-0010'], kubescape: ['C-0038', 'C-0041'], kubeLinter: ['host-network', 'host-pid', 'host-ipc'] },
  example: `hostNetwork: false
hostPID: false
hostIPC: false
containers:
- name: app
  image: registry.example.com/app:1.4.2`,
  joiner: ', ',
  evaluate(ctx) {
    const out: Violation[] = [];
    for (const field of ['hostNetwork', 'hostPID', 'hostIPC']) {
      if (ctx.spec[field] === true) out.push({ path: [...ctx.pod.specPath, field], detail: `${field}=true` });
    }
    return out;
  },
};

export const privileged: PssControl = {
  id: 'privileged',
  areas: Area.privileged,
  level: 'baseline',
  since: 0,
  title: 'Privileged container',
  reason: 'privileged',
  severity: 'critical',
  stride: ['E'],
  description: 'A privileged container has every capability and full access to host devices; escaping to the node is trivial.',
  remediation: 'Remove securityContext.privileged (or set it to false).',
  refs: { cis: ['5.2.2'], kubesec: ['Privileged'], polaris: ['runAsPrivileged'], trivy: ['KSV-0017'], kubescape: ['C-0057'], kubeLinter: ['privileged-container'], kubeScore: ['container-security-context-privileged'] },
  example: `containers:
- name: app
  image: registry.example.com/app:1.4.2
  securityContext:
    privileged: false`,
  evaluate(ctx) {
    return ctx.containers
      .filter((c) => sc(c)?.privileged === true)
      .map((c) => ({ path: scPath(c, 'privileged'), detail: `${containerLabel(c)} must not set securityContext.privileged=true` }));
  },
};

export const capabilitiesBaseline: PssControl = {
  id: 'capabilities_baseline',
  areas: Area.capabilities,
  level: 'baseline',
  since: 0,
  title: 'Capabilities beyond the default set added',
  reason: 'non-default capabilities',
  severity: 'high',
  stride: ['E'],
  description: 'Adding Linux capabilities outside the container runtime default set (such as SYS_ADMIN or NET_RAW) widens what a compromised process can do to the kernel and the network.',
  remediation: 'Remove the capability from securityContext.capabilities.add; add only what the process needs from the default set.',
  refs: { cis: ['5.2.9'], kubesec: ['CapSysAdmin'], polaris: ['dangerousCapabilities'], trivy: ['KSV-0022', 'KSV-0005'], kubescape: ['C-0046'] },
  example: `containers:
- name: app
  image: registry.example.com/app:1.4.2
  securityContext:
    capabilities:
      drop: ["ALL"]
      add: ["NET_BIND_SERVICE"]`,
  evaluate(ctx) {
    const out: Violation[] = [];
    for (const c of ctx.containers) {
      const caps = sc(c)?.capabilities;
      if (!isObj(caps)) continue;
      const bad = asArray(caps.add).map(str).filter((cap) => !BASELINE_CAPABILITIES.has(cap));
      if (bad.length > 0) {
        out.push({
          path: scPath(c, 'capabilities', 'add'),
          detail: `${containerLabel(c)} must not include ${quoteList(unique(bad))} in securityContext.capabilities.add`,
        });
      }
    }
    return out;
  },
};

export const hostPathVolumes: PssControl = {
  id: 'hostPathVolumes',
  areas: Area.hostPath,
  level: 'baseline',
  since: 0,
  title: 'hostPath volume',
  reason: 'hostPath volumes',
  severity: 'high',
  stride: ['E', 'I', 'T'],
  description: 'A hostPath volume exposes the node filesystem to the pod; writable paths such as / or the container runtime socket give control of the node.',
  remediation: 'Replace the hostPath volume with emptyDir, a ConfigMap/Secret, or a PersistentVolumeClaim.',
  refs: { cis: ['5.2.12'], polaris: ['hostPathSet'], trivy: ['KSV-0023'], kubescape: ['C-0048'] },
  example: `containers:
- name: app
  image: registry.example.com/app:1.4.2
  volumeMounts:
  - name: data
    mountPath: /data
volumes:
- name: data
  persistentVolumeClaim:
    claimName: app-data`,
  joiner: ', ',
  evaluate(ctx) {
    const out: Violation[] = [];
    asArray(ctx.spec.volumes).forEach((v, i) => {
      if (isObj(v) && v.hostPath !== undefined && v.hostPath !== null) {
        out.push({ path: [...ctx.pod.specPath, 'volumes', i, 'hostPath'], detail: `volume ${JSON.stringify(str(v.name))}` });
      }
    });
    return out;
  },
};

export const hostPorts: PssControl = {
  id: 'hostPorts',
  areas: Area.hostPorts,
  level: 'baseline',
  since: 0,
  title: 'hostPort used',
  reason: 'hostPort',
  severity: 'medium',
  stride: ['I', 'S'],
  description: 'A hostPort binds the container to the node network interface, bypassing Service and NetworkPolicy expectations.',
  remediation: 'Remove ports[].hostPort and expose the container through a Service.',
  refs: { cis: ['5.2.13'], polaris: ['hostPortSet'], trivy: ['KSV-0024'], kubescape: ['C-0044'] },
  example: `# Expose the port through a Service, not the node.
containers:
- name: app
  image: registry.example.com/app:1.4.2
  ports:
  - containerPort: 8080`,
  evaluate(ctx) {
    const out: Violation[] = [];
    for (const c of ctx.containers) {
      const ports = asArray(c.container.ports);
      for (let i = 0; i < ports.length; i++) {
        const p = ports[i];
        if (isObj(p) && p.hostPort !== undefined && p.hostPort !== null && p.hostPort !== 0) {
          out.push({ path: [...c.path, 'ports', i, 'hostPort'], detail: `${containerLabel(c)} uses hostPort ${str(p.hostPort)}` });
        }
      }
    }
    return out;
  },
};

const APPARMOR_ANNOTATION = 'container.apparmor.security.beta.kubernetes.io/';

function allowedAppArmorAnnotation(v: string): boolean {
  return v === '' || v === 'runtime/default' || v.startsWith('localhost/');
}

function allowedAppArmorType(t: unknown): boolean {
  return t === 'RuntimeDefault' || t === 'Localhost';
}

export const appArmorProfile: PssControl = {
  id: 'appArmorProfile',
  areas: Area.appArmor | Area.profileAnnotations,
  level: 'baseline',
  since: 0,
  title: 'AppArmor disabled or overridden',
  reason: 'forbidden AppArmor profile',
  severity: 'medium',
  stride: ['E'],
  description: 'The runtime default AppArmor profile confines containers; setting Unconfined removes that confinement.',
  remediation: 'Use appArmorProfile.type RuntimeDefault or Localhost (or the annotation values runtime/default or localhost/<profile>).',
  refs: { kubesec: ['ApparmorUnconfined'], trivy: ['KSV-0002'] },
  example: `securityContext:
  appArmorProfile:
    type: RuntimeDefault
containers:
- name: app
  image: registry.example.com/app:1.4.2`,
  evaluate(ctx) {
    const out = podAndContainerViolations(ctx, 'appArmorProfile', ['type'], (p) =>
      isObj(p) && !allowedAppArmorType(p.type) ? `must not set securityContext.appArmorProfile.type=${JSON.stringify(str(p.type))}` : undefined);
    // Most pods have no AppArmor annotation: look before sorting the keys.
    if (!someKey(ctx.annotations, (key) => key.startsWith(APPARMOR_ANNOTATION))) return out;
    for (const key of Object.keys(ctx.annotations).sort()) {
      if (!key.startsWith(APPARMOR_ANNOTATION)) continue;
      const value = str(ctx.annotations[key]);
      if (!allowedAppArmorAnnotation(value)) {
        out.push({ path: [...ctx.pod.metaPath, 'annotations', key], detail: `${key}=${JSON.stringify(value)}` });
      }
    }
    return out;
  },
};

const SELINUX_TYPES_1_0 = ['', 'container_t', 'container_init_t', 'container_kvm_t'];
const SELINUX_TYPES_1_31 = [...SELINUX_TYPES_1_0, 'container_engine_t'];

export const seLinuxOptions: PssControl = {
  id: 'seLinuxOptions',
  areas: Area.seLinux,
  level: 'baseline',
  since: 0,
  title: 'Custom SELinux type, user or role',
  reason: 'seLinuxOptions',
  severity: 'medium',
  stride: ['E'],
  description: 'Setting a custom SELinux type (such as spc_t, the unconfined "super privileged container"), user or role can lift the SELinux confinement of containers.',
  remediation: 'Remove seLinuxOptions.user and .role, and use only the container_t family of types (or leave the type unset).',
  refs: { trivy: ['KSV-0025'] },
  example: `# Only the level may be customised; type stays in the container_t family.
securityContext:
  seLinuxOptions:
    level: "s0:c123,c456"
containers:
- name: app
  image: registry.example.com/app:1.4.2`,
  evaluate(ctx) {
    const allowed = ctx.minor >= 31 ? SELINUX_TYPES_1_31 : SELINUX_TYPES_1_0;
    const check = (opts: unknown): string[] => {
      if (!isObj(opts)) return [];
      const problems: string[] = [];
      const type = str(opts.type);
      if (!allowed.includes(type)) problems.push(`type ${JSON.stringify(type)}`);
      if (str(opts.user) !== '') problems.push('user may not be set');
      if (str(opts.role) !== '') problems.push('role may not be set');
      return problems;
    };
    return podAndContainerViolations(ctx, 'seLinuxOptions', [], (opts) => {
      const problems = check(opts);
      return problems.length > 0 ? `set forbidden securityContext.seLinuxOptions: ${problems.join('; ')}` : undefined;
    });
  },
};

/** Containers whose procMount is set to something other than Default. */
export function procMountViolations(ctx: Parameters<PssControl['evaluate']>[0]): Violation[] {
  const out: Violation[] = [];
  for (const c of ctx.containers) {
    const pm = sc(c)?.procMount;
    if (pm !== undefined && pm !== null && pm !== 'Default') {
      out.push({ path: scPath(c, 'procMount'), detail: `${containerLabel(c)} must not set securityContext.procMount to ${JSON.stringify(str(pm))}` });
    }
  }
  return out;
}

export const procMount: PssControl = {
  id: 'procMount',
  areas: Area.procMount,
  level: 'baseline',
  since: 0,
  title: 'Unmasked /proc',
  reason: 'procMount',
  severity: 'medium',
  stride: ['I', 'E'],
  description: 'An Unmasked procMount exposes kernel interfaces under /proc that the runtime normally hides from containers.',
  remediation: 'Remove securityContext.procMount (or set it to Default).',
  refs: { polaris: ['procMount'], trivy: ['KSV-0027'], kubeLinter: ['unsafe-proc-mount'] },
  example: `containers:
- name: app
  image: registry.example.com/app:1.4.2
  securityContext:
    procMount: Default`,
  evaluate(ctx) {
    // Since v1.35, a pod in its own user namespace may unmask /proc at baseline.
    if (ctx.minor >= 35 && ctx.userNamespace) return [];
    return procMountViolations(ctx);
  },
};

const SECCOMP_POD_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';
const SECCOMP_CONTAINER_ANNOTATION = 'container.seccomp.security.alpha.kubernetes.io/';

function validSeccompAnnotation(v: string): boolean {
  return v === 'runtime/default' || v === 'docker/default' || v.startsWith('localhost/');
}

export function validSeccompType(t: unknown): boolean {
  return t === 'RuntimeDefault' || t === 'Localhost';
}

export const seccompProfileBaseline: PssControl = {
  id: 'seccompProfile_baseline',
  areas: Area.seccomp | Area.profileAnnotations,
  level: 'baseline',
  since: 0,
  title: 'Seccomp explicitly disabled',
  reason: 'seccompProfile',
  severity: 'medium',
  stride: ['E'],
  description: 'An Unconfined seccomp profile lets the container make every system call, including those behind most kernel escapes.',
  remediation: 'Set seccompProfile.type to RuntimeDefault (or Localhost with a profile), never Unconfined.',
  refs: { kubesec: ['SeccompUnconfined'], trivy: ['KSV-0104'] },
  example: `securityContext:
  seccompProfile:
    type: RuntimeDefault
containers:
- name: app
  image: registry.example.com/app:1.4.2`,
  evaluate(ctx) {
    const out: Violation[] = [];
    if (ctx.minor < 19) {
      // Before v1.19 the profile was set by annotations.
      const pod = ctx.annotations[SECCOMP_POD_ANNOTATION];
      if (pod !== undefined && !validSeccompAnnotation(str(pod))) {
        out.push({ path: [...ctx.pod.metaPath, 'annotations', SECCOMP_POD_ANNOTATION], detail: `forbidden annotation ${SECCOMP_POD_ANNOTATION}=${JSON.stringify(str(pod))}` });
      }
      for (const c of ctx.containers) {
        const key = SECCOMP_CONTAINER_ANNOTATION + c.name;
        const v = ctx.annotations[key];
        if (v !== undefined && !validSeccompAnnotation(str(v))) {
          out.push({ path: [...ctx.pod.metaPath, 'annotations', key], detail: `forbidden annotation ${key}=${JSON.stringify(str(v))}` });
        }
      }
      return out;
    }
    return podAndContainerViolations(ctx, 'seccompProfile', ['type'], (p) =>
      isObj(p) && !validSeccompType(p.type) ? `must not set securityContext.seccompProfile.type to ${JSON.stringify(str(p.type))}` : undefined);
  },
};

/** The safe sysctl set of each policy version (policy/check_sysctls.go). */
const SAFE_SYSCTLS: ReadonlyArray<[number, readonly string[]]> = [
  [0, ['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_unprivileged_port_start']],
  [27, ['net.ipv4.ip_local_reserved_ports']],
  [29, ['net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes']],
  [32, ['net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem']],
  [37, ['net.ipv4.tcp_slow_start_after_idle', 'net.ipv4.tcp_notsent_lowat']],
];

/** The safe set of a policy version (built once per version; callers must not modify it). */
export function safeSysctls(minor: number): ReadonlySet<string> {
  let out = safeSysctlSets.get(minor);
  if (!out) {
    const set = new Set<string>();
    for (const [since, names] of SAFE_SYSCTLS) if (minor >= since) names.forEach((n) => set.add(n));
    safeSysctlSets.set(minor, (out = set));
  }
  return out;
}

const safeSysctlSets = new Map<number, ReadonlySet<string>>();

export const sysctls: PssControl = {
  id: 'sysctls',
  areas: Area.sysctls,
  level: 'baseline',
  since: 0,
  title: 'Unsafe sysctl',
  reason: 'forbidden sysctls',
  severity: 'medium',
  stride: ['E', 'D'],
  description: 'Sysctls outside the namespaced safe set can change kernel behaviour for every pod on the node.',
  remediation: 'Remove the sysctl from spec.securityContext.sysctls, or use only the safe set for the target Kubernetes version.',
  refs: { trivy: ['KSV-0026'], kubeLinter: ['unsafe-sysctls'] },
  example: `securityContext:
  sysctls:
  - name: net.ipv4.ip_local_port_range
    value: "1024 65535"
containers:
- name: app
  image: registry.example.com/app:1.4.2`,
  joiner: ', ',
  evaluate(ctx) {
    const list = asArray(podSc(ctx)?.sysctls);
    const out: Violation[] = [];
    if (list.length === 0) return out;
    const safe = safeSysctls(ctx.minor);
    list.forEach((s, i) => {
      const name = isObj(s) ? str(s.name) : '';
      if (!safe.has(name)) out.push({ path: [...podScPath(ctx, 'sysctls'), i, 'name'], detail: name });
    });
    return out;
  },
};

export const windowsHostProcess: PssControl = {
  id: 'windowsHostProcess',
  areas: Area.windowsOptions,
  level: 'baseline',
  since: 0,
  title: 'Windows HostProcess container',
  reason: 'hostProcess',
  severity: 'critical',
  stride: ['E'],
  description: 'A Windows HostProcess container runs directly on the node with host privileges.',
  remediation: 'Remove securityContext.windowsOptions.hostProcess (or set it to false).',
  refs: { cis: ['5.2.11'], polaris: ['hostProcess'], trivy: ['KSV-0103'], kubescape: ['C-0202'] },
  example: `os:
  name: windows
securityContext:
  windowsOptions:
    runAsUserName: ContainerUser
containers:
- name: app
  image: registry.example.com/app:1.4.2`,
  evaluate(ctx) {
    return podAndContainerViolations(ctx, 'windowsOptions', ['hostProcess'], (w) =>
      isObj(w) && w.hostProcess === true ? 'must not set securityContext.windowsOptions.hostProcess=true' : undefined);
  },
};

const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;
const HANDLERS = ['postStart', 'preStop'] as const;

export const hostProbesAndHostLifecycle: PssControl = {
  id: 'hostProbesAndHostLifecycle',
  areas: Area.hostProbes,
  level: 'baseline',
  since: 34,
  title: 'Probe or lifecycle hook aimed at another host',
  reason: 'probe or lifecycle host',
  severity: 'medium',
  stride: ['S', 'I'],
  description: 'A host set on an httpGet or tcpSocket probe or lifecycle hook makes the kubelet connect to an arbitrary address, a server-side request forgery from the node.',
  remediation: 'Remove the host field so the kubelet targets the pod IP.',
  refs: {},
  example: `containers:
- name: app
  image: registry.example.com/app:1.4.2
  livenessProbe:
    httpGet:
      path: /healthz
      port: 8080`,
  evaluate(ctx) {
    const out: Violation[] = [];
    for (const c of ctx.containers) {
      const targets: Array<[unknown, Array<string>]> = [];
      for (const p of PROBES) targets.push([c.container[p], [p]]);
      const lc = c.container.lifecycle;
      if (isObj(lc)) for (const h of HANDLERS) targets.push([lc[h], ['lifecycle', h]]);
      for (const [handler, at] of targets) {
        if (!isObj(handler)) continue;
        for (const kind of ['httpGet', 'tcpSocket']) {
          const action = handler[kind];
          if (isObj(action) && str(action.host) !== '') {
            out.push({
              path: [...c.path, ...at, kind, 'host'],
              detail: `${containerLabel(c)} uses ${at.join('.')}.${kind}.host ${JSON.stringify(str(action.host))}`,
            });
          }
        }
      }
    }
    return out;
  },
};

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

export const BASELINE_CONTROLS: readonly PssControl[] = [
  appArmorProfile,
  capabilitiesBaseline,
  hostNamespaces,
  hostPathVolumes,
  hostPorts,
  hostProbesAndHostLifecycle,
  privileged,
  procMount,
  seccompProfileBaseline,
  seLinuxOptions,
  sysctls,
  windowsHostProcess,
];
