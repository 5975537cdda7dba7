/**
 * Syscall events as `sysdig -j -p` / Palisade's syscall source reads them: one JSON object
 * per event whose keys are Falco field names. The mix of event types is what a Falco sensor
 * with the stable rules' syscalls sees on a busy Kubernetes node: mostly file opens and
 * closes, network calls, some process spawns; a small share in containers does what the
 * rules look for (shells, package managers, sensitive reads), the rest is ordinary work.
 *
 * Deterministic (seeded).
 */
import { rng } from './corpus.js';

type SyscallEvent = Record<string, string | number | boolean | null>;

const PROCS = [
  { name: 'nginx', exe: '/usr/sbin/nginx', pname: 'nginx', image: 'docker.io/library/nginx' },
  { name: 'java', exe: '/opt/java/openjdk/bin/java', pname: 'tini', image: 'registry.example.com/shop/api' },
  { name: 'node', exe: '/usr/local/bin/node', pname: 'dumb-init', image: 'registry.example.com/shop/frontend' },
  { name: 'python3', exe: '/usr/bin/python3', pname: 'gunicorn', image: 'registry.example.com/ml/scorer' },
  { name: 'postgres', exe: '/usr/lib/postgresql/16/bin/postgres', pname: 'postgres', image: 'docker.io/library/postgres' },
  { name: 'kubelet', exe: '/usr/bin/kubelet', pname: 'systemd', image: '' },
  { name: 'containerd', exe: '/usr/bin/containerd', pname: 'systemd', image: '' },
];
const FILES = ['/etc/hosts', '/etc/resolv.conf', '/usr/lib/x86_64-linux-gnu/libc.so.6', '/proc/self/stat', '/var/log/app.log', '/tmp/cache.bin', '/app/config.yaml', '/sys/fs/cgroup/cpu.max', '/etc/ssl/certs/ca-certificates.crt', '/dev/null'];
const SUSPICIOUS: ReadonlyArray<Partial<SyscallEvent>> = [
  { 'evt.type': 'execve', 'proc.name': 'bash', 'proc.exepath': '/bin/bash', 'proc.cmdline': 'bash', 'proc.pname': 'runc', 'proc.tty': 34816 },
  { 'evt.type': 'execve', 'proc.name': 'apt-get', 'proc.exepath': '/usr/bin/apt-get', 'proc.cmdline': 'apt-get install -y nmap', 'proc.pname': 'bash' },
  { 'evt.type': 'openat', 'fd.name': '/etc/shadow', 'fd.directory': '/etc', 'fd.filename': 'shadow', 'evt.is_open_read': true, 'evt.is_open_write': false, 'proc.name': 'cat', 'proc.cmdline': 'cat /etc/shadow' },
  { 'evt.type': 'openat', 'fd.name': '/usr/bin/kubectl', 'fd.directory': '/usr/bin', 'fd.filename': 'kubectl', 'evt.is_open_read': false, 'evt.is_open_write': true, 'proc.name': 'curl', 'proc.cmdline': 'curl -o /usr/bin/kubectl https://dl.k8s.io/kubectl' },
];
/** Event types and their share of the stream (sums to 1). */
const MIX: ReadonlyArray<[string, number]> = [
  ['openat', 0.3], ['close', 0.2], ['read', 0.12], ['write', 0.12], ['connect', 0.05], ['accept4', 0.03], ['sendto', 0.06],
  ['recvfrom', 0.06], ['execve', 0.02], ['clone', 0.015], ['setuid', 0.003], ['ptrace', 0.001], ['unlinkat', 0.011], ['dup2', 0.01],
];

function pickType(x: number): string {
  let acc = 0;
  for (const [t, share] of MIX) {
    acc += share;
    if (x < acc) return t;
  }
  return 'openat';
}

/** `count` events, one every 10 µs from 2026-11-22T00:00:00Z. */
export function* syscallStream(count: number, seed = 11): Generator<SyscallEvent> {
  const r = rng(seed);
  const start = 1_795_305_600_000_000_000n; // 2026-11-22T00:00:00Z in ns
  for (let i = 0; i < count; i++) {
    const p = PROCS[Math.floor(r() * PROCS.length)];
    const inContainer = p.image !== '';
    const type = pickType(r());
    const file = FILES[Math.floor(r() * FILES.length)];
    const ev: SyscallEvent = {
      'evt.num': i + 1,
      'evt.rawtime': String(start + BigInt(i) * 10_000n),
      'evt.type': type,
      'evt.res': 'SUCCESS',
      'evt.rawres': 0,
      'proc.name': p.name,
      'proc.exepath': p.exe,
      'proc.cmdline': `${p.name} --serve`,
      'proc.pname': p.pname,
      'proc.pid': 1000 + Math.floor(r() * 30000),
      'proc.vpid': 1 + Math.floor(r() * 50),
      'proc.tty': 0,
      'user.name': inContainer ? 'app' : 'root',
      'user.uid': inContainer ? 1000 : 0,
      'container.id': inContainer ? `c${Math.floor(r() * 40).toString(16).padStart(11, '0')}` : 'host',
      'container.image.repository': inContainer ? p.image : null,
      'container.privileged': false,
      'k8s.ns.name': inContainer ? 'prod' : null,
      'k8s.pod.name': inContainer ? `${p.name}-7d9f8` : null,
    };
    if (type === 'openat' || type === 'close' || type === 'read' || type === 'write') {
      const write = type === 'openat' && r() < 0.2;
      Object.assign(ev, {
        'fd.num': 3 + Math.floor(r() * 60), 'fd.type': 'file', 'fd.typechar': 'f', 'fd.name': file,
        'fd.directory': file.slice(0, file.lastIndexOf('/')) || '/', 'fd.filename': file.slice(file.lastIndexOf('/') + 1),
        'evt.is_open_read': type === 'openat' && !write, 'evt.is_open_write': write, 'evt.arg.flags': write ? 'O_WRONLY|O_CREAT' : 'O_RDONLY',
      });
    } else if (type === 'connect' || type === 'accept4' || type === 'sendto' || type === 'recvfrom') {
      const external = r() < 0.1;
      const sip = external ? `198.51.100.${Math.floor(r() * 250)}` : `10.96.${Math.floor(r() * 4)}.${Math.floor(r() * 250)}`;
      const sport = [443, 5432, 8080, 53, 6443][Math.floor(r() * 5)];
      Object.assign(ev, {
        'fd.num': 3 + Math.floor(r() * 60), 'fd.type': 'ipv4', 'fd.typechar': '4', 'fd.l4proto': sport === 53 ? 'udp' : 'tcp',
        'fd.sip': sip, 'fd.sport': sport, 'fd.cip': '10.244.1.7', 'fd.cport': 40000 + Math.floor(r() * 20000),
        'fd.name': `10.244.1.7:${40000 + Math.floor(r() * 20000)}->${sip}:${sport}`,
      });
    }
    // One event in 2,000 is something the rules look for.
    if (inContainer && r() < 0.0005) Object.assign(ev, SUSPICIOUS[Math.floor(r() * SUSPICIOUS.length)]);
    yield ev;
  }
}
