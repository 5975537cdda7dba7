/** Checks: what a pod takes from its node beyond the Pod Security Standards (which forbid any hostPath). */
import { asArray, containerLabel, isObj, memoizeLast, type Severity } from '../../model/index.js';
import { defineCheck } from './define.js';
import { Area } from '../screen.js';
import type { CheckDef } from './types.js';

/** File names of container runtime API sockets, wherever they live (k3s, microk8s and others move them). */
const RUNTIME_SOCKET_NAMES = new Set([
  'docker.sock', 'containerd.sock', 'crio.sock', 'cri-dockerd.sock', 'dockershim.sock', 'cri-containerd.sock', 'podman.sock',
  'frakti.sock', 'rktlet.sock',
]);

/** Where the runtime sockets usually are: mounting any directory above one exposes the socket too. */
const RUNTIME_SOCKETS = [
  '/var/run/docker.sock', '/run/docker.sock', '/run/containerd/containerd.sock', '/var/run/containerd/containerd.sock',
  '/run/k3s/containerd/containerd.sock', '/run/crio/crio.sock', '/var/run/crio/crio.sock', '/run/cri-dockerd.sock',
  '/var/run/cri-dockerd.sock', '/var/run/dockershim.sock', '/run/podman/podman.sock', '/var/snap/microk8s/common/run/containerd.sock',
];

/** Windows named pipes of Docker and containerd (`\\.\pipe\docker_engine`). */
const RUNTIME_PIPE = /^[\\/]{2}\.[\\/]pipe[\\/](docker_engine|containerd-containerd)$/i;

/** `//var/./run/../lib/` → `/var/lib`: what the kubelet will bind-mount. */
export function normaliseHostPath(path: string): string {
  const out: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return `/${out.join('/')}`;
}

/** The configured sensitive paths, normalised once per list (not for every pod with a hostPath). */
const sensitivePaths = memoizeLast((list: unknown): string[] => asArray(list)
  .filter((e): e is string => typeof e === 'string' && e.trim() !== '')
  .map((e) => normaliseHostPath(e.trim())));

/** `a` is a directory above `b`. */
function isAncestor(a: string, b: string): boolean {
  return a === '/' ? b !== '/' : b.startsWith(`${a}/`);
}

interface Exposure {
  /** Why the path matters, e.g. `the container runtime socket`, `sensitive host path /etc`. */
  what: string;
  /** A runtime socket: read-only does not help (connect() on a socket is not a filesystem write). */
  socket: boolean;
}

function exposureOf(raw: string, path: string, sensitive: readonly string[]): Exposure | undefined {
  if (RUNTIME_PIPE.test(raw)) return { what: 'the container runtime named pipe', socket: true };
  const base = path.slice(path.lastIndexOf('/') + 1);
  if (RUNTIME_SOCKET_NAMES.has(base)) return { what: 'the container runtime socket', socket: true };
  if (path === '/') return { what: "the node's root filesystem, runtime socket included", socket: true };
  const socket = RUNTIME_SOCKETS.find((s) => isAncestor(path, s));
  if (socket) return { what: `a directory holding the container runtime socket ${socket}`, socket: true };
  if (sensitive.includes(path)) return { what: 'a sensitive host path', socket: false };
  // The most specific entry the path falls under (`/` only matches itself).
  const under = sensitive.filter((e) => e !== '/' && isAncestor(e, path)).sort((a, b) => b.length - a.length)[0];
  if (under) return { what: `a path under sensitive ${under}`, socket: false };
  const inside = sensitive.filter((e) => isAncestor(path, e));
  if (inside.length > 0) {
    const shown = inside.slice(0, 3).join(', ') + (inside.length > 3 ? ', …' : '');
    return { what: `a directory holding sensitive ${shown}`, socket: false };
  }
  return undefined;
}

const sensitiveHostPath = defineCheck({
  id: 'host/sensitive-hostpath',
  title: 'hostPath volume exposes the container runtime or a sensitive node directory',
  severity: 'high',
  defaultOn: true,
  stride: ['E', 'T', 'I'],
  kinds: 'workload',
  areas: Area.hostPath,
  description:
    'Any hostPath volume breaks the pod–node boundary (the Pod Security Standards forbid them all); some are a direct path to ' +
    'owning the node. The container runtime socket (docker.sock, containerd.sock, crio.sock, …) lets the pod start a privileged ' +
    'container on the node: that is critical whatever the mount mode, because connecting to a Unix socket is not a filesystem ' +
    'write and a read-only mount does not stop it. Node directories such as /etc, /proc, /sys, /var/lib/kubelet or /var/log ' +
    '(`params.sensitiveHostPaths`; a path equal to, under or above an entry matches, and `/` matches only itself) leak ' +
    'credentials and kernel state, and mounted writable they allow tampering with the node: then the finding is critical.',
  remediation:
    'Remove the hostPath volume (use emptyDir, a ConfigMap/Secret, a PersistentVolumeClaim or a CSI driver); if a node agent ' +
    'really needs it, mount the narrowest path with readOnly: true and isolate the workload.',
  example: `containers:
- name: app
  image: registry.example.com/app:1.4.2
  volumeMounts:
  - name: logs
    mountPath: /var/log/app
    readOnly: true
volumes:
- name: logs
  persistentVolumeClaim:
    claimName: app-logs`,
  refs: {
    kubesec: ['DockerSock', 'ProcMount'],
    trivy: ['KSV-0006', 'KSV-0121'],
    kubescape: ['C-0074', 'C-0045'],
    kubeLinter: ['docker-sock', 'sensitive-host-mounts', 'writable-host-mount'],
  },
  rationale:
    'A directory that holds a runtime socket (/, /run, /var/run, /run/containerd, …) is treated like the socket itself and is ' +
    'critical even when mounted read-only, for the reason above; §7 would call a read-only `/` or `/var/run` only high. A path ' +
    'above a sensitive entry (`/var`, `/var/lib`) matches too, since it exposes everything below it. Paths are normalised ' +
    '(`//`, `/./`, `..`, trailing `/`) before matching, which substring-matching tools miss or over-match (`/etcd` is not `/etc`).',
  run(ctx) {
    const pod = ctx.pod;
    if (!pod) return;
    const volumes = asArray(pod.spec.volumes);
    if (!volumes.some((v) => isObj(v) && v.hostPath !== undefined && v.hostPath !== null)) return;
    const sensitive = sensitivePaths(ctx.params.sensitiveHostPaths);
    volumes.forEach((v, i) => {
      if (!isObj(v) || !isObj(v.hostPath) || typeof v.hostPath.path !== 'string' || v.hostPath.path === '') return;
      const raw = v.hostPath.path;
      const path = normaliseHostPath(raw);
      const exposure = exposureOf(raw, path, sensitive);
      if (!exposure) return;
      const name = typeof v.name === 'string' ? v.name : undefined;
      // Who mounts it, and how: writable unless every mount of the volume in that container is readOnly: true.
      const mounts: Array<{ who: string; writable: boolean }> = [];
      if (name !== undefined) {
        for (const c of ctx.containers) {
          const own = asArray(c.container.volumeMounts).filter((m) => isObj(m) && m.name === name);
          if (own.length > 0) mounts.push({ who: containerLabel(c), writable: own.some((m) => isObj(m) && m.readOnly !== true) });
        }
      }
      const writable = mounts.some((m) => m.writable);
      const severity: Severity = exposure.socket || writable ? 'critical' : 'high';
      const shownPath = RUNTIME_PIPE.test(raw) || path === raw ? JSON.stringify(raw) : `${JSON.stringify(raw)} (${path})`;
      const where =
        mounts.length === 0
          ? 'not mounted by any container'
          : `mounted ${mounts.map((m) => `${m.writable ? 'read-write' : 'read-only'} by ${m.who}`).join(', ')}`;
      const volume = name !== undefined ? `volume ${JSON.stringify(name)}` : `unnamed volume volumes[${i}]`;
      ctx.report([...pod.specPath, 'volumes', i, 'hostPath', 'path'], `${volume} mounts host path ${shownPath}, ${exposure.what}; ${where}`, severity);
    });
  },
});

const hostAliases = defineCheck({
  id: 'host/host-aliases',
  title: 'Pod overrides name resolution with hostAliases',
  severity: 'low',
  defaultOn: true,
  stride: ['S', 'T'],
  kinds: 'workload',
  areas: Area.hostAliases,
  description:
    'hostAliases writes entries into the pod\'s /etc/hosts, which take precedence over DNS. A manifest can quietly send a ' +
    'dependency\'s hostname (a registry, an API, a metadata endpoint) to another address, where neither DNS monitoring nor ' +
    'DNS-based egress policy sees it; the pinned addresses also go stale without anyone noticing.',
  remediation: 'Remove spec.hostAliases and publish the names in DNS (for example a Service of type ExternalName or a headless Service).',
  example: `# Names come from cluster DNS (e.g. an ExternalName Service), not /etc/hosts.
containers:
- name: app
  image: registry.example.com/app:1.4.2
  env:
  - name: DB_HOST
    value: db.prod.svc.cluster.local`,
  refs: {
    kubesec: ['HostAliases'],
    trivy: ['KSV-0007'],
  },
  run(ctx) {
    const pod = ctx.pod;
    if (!pod) return;
    const aliases = asArray(pod.spec.hostAliases);
    if (aliases.length === 0) return;
    const entries: string[] = [];
    let names = 0;
    for (const a of aliases) {
      if (!isObj(a)) continue;
      const hostnames = asArray(a.hostnames).filter((h): h is string => typeof h === 'string');
      names += hostnames.length;
      const ip = typeof a.ip === 'string' ? a.ip : '?';
      entries.push(`${ip} ${hostnames.length > 0 ? hostnames.join(' ') : '(no hostnames)'}`);
    }
    const shown = entries.slice(0, 3).join(', ') + (entries.length > 3 ? `, … (${entries.length} entries)` : '');
    ctx.report(
      [...pod.specPath, 'hostAliases'],
      `pod spec.hostAliases overrides DNS in /etc/hosts for ${names} ${names === 1 ? 'name' : 'names'}: ${shown || 'invalid entries'}`,
    );
  },
});

export const CHECKS: CheckDef[] = [sensitiveHostPath, hostAliases];
