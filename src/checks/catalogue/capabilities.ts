/** Checks: Linux capabilities that matter more than the Pod Security Standards' allow-list says. */
import { containerLabel, isObj, isWindowsPod, memoizeString, securityContextOf, type ContainerRef, type JsonPath } from '../../model/index.js';
import { defineCheck } from './define.js';
import { Area } from '../screen.js';
import type { CheckDef } from './types.js';

/** `cap_sys_admin`, `CAP_SYS_ADMIN`, ` sys_admin ` → `SYS_ADMIN`. */
function capName(raw: string): string {
  return isCanonicalCap(raw) ? raw : normalisedCap(raw);
}

const normalisedCap = memoizeString((raw) => raw.trim().toUpperCase().replace(/^CAP_/, ''), 1024);

/** Already as capName returns it (upper-case letters, digits and `_`, no `CAP_`): the usual spelling, checked without a lookup. */
function isCanonicalCap(raw: string): boolean {
  if (raw.length === 0 || raw.startsWith('CAP_')) return false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (!((c >= 65 && c <= 90) || c === 95 || (c >= 48 && c <= 57))) return false;
  }
  return true;
}

/**
 * The entries of `capabilities.add` or `.drop`, as written: the list itself (not a copy: this
 * runs for every container), or the names a plain string holds (`add: SYS_ADMIN`, or
 * `"SYS_ADMIN,NET_ADMIN"`), so a malformed manifest is still judged on what it asks for.
 * `listed` tells which: an entry's path has its index only in a list.
 */
function capList(c: ContainerRef, list: 'add' | 'drop'): { items: readonly unknown[]; listed: boolean } {
  const caps = securityContextOf(c)?.capabilities;
  const value = isObj(caps) ? caps[list] : undefined;
  if (Array.isArray(value)) return { items: value, listed: true };
  if (typeof value === 'string') return { items: value.split(/[\s,]+/).filter((x) => x !== ''), listed: false };
  return NO_CAPS;
}

const NO_CAPS = { items: [], listed: false };

/** The capability name of an entry (undefined for an entry that names none). */
function entryName(raw: unknown): string | undefined {
  return typeof raw === 'string' && raw.trim() !== '' ? capName(raw) : undefined;
}

/** Index of the first entry naming `name`, or -1. */
function indexOfCap(items: readonly unknown[], name: string): number {
  for (let i = 0; i < items.length; i++) if (entryName(items[i]) === name) return i;
  return -1;
}

/** Where entry `i` of a capability list is reported. */
function capPath(c: ContainerRef, list: 'add' | 'drop', listed: boolean, i: number): JsonPath {
  const path = [...c.path, 'securityContext', 'capabilities', list];
  return listed ? [...path, i] : path;
}

/** What each capability hands a compromised process. */
const DANGEROUS: Readonly<Record<string, string>> = {
  ALL: 'every capability, equivalent to root on the node kernel',
  SYS_ADMIN: 'mount, namespaces and most kernel administration, the usual container escape',
  NET_ADMIN: 'reconfigures interfaces, routes and firewall rules of the pod network',
  SYS_MODULE: 'loads kernel modules, i.e. arbitrary kernel code',
  SYS_PTRACE: 'traces and injects code into other processes',
  SYS_RAWIO: 'raw access to devices and I/O ports',
  SYS_BOOT: 'reboots the node and loads a new kernel',
  BPF: 'loads BPF programs into the kernel',
  PERFMON: 'kernel performance monitoring, which leaks kernel memory layout',
  MAC_ADMIN: 'changes the AppArmor/SELinux policy',
  MAC_OVERRIDE: 'bypasses the AppArmor/SELinux policy',
  DAC_READ_SEARCH: 'reads any file and opens files by handle (the "shocker" escape)',
};

const dangerousAdd = defineCheck({
  id: 'capabilities/dangerous-add',
  title: 'Dangerous capability added',
  severity: 'critical',
  defaultOn: true,
  stride: ['E', 'T'],
  kinds: 'workload',
  areas: Area.capabilities,
  description:
    'Some capabilities are as good as root on the node: SYS_ADMIN, SYS_MODULE, SYS_RAWIO, BPF or DAC_READ_SEARCH each have ' +
    'known container escapes, NET_ADMIN rewrites the pod\'s networking, SYS_PTRACE reads the memory of other processes. The ' +
    'Pod Security Standards reject any capability outside the default set, but rate them all alike; this check singles out ' +
    'the ones that hand over the node. Names are matched case-insensitively and with or without the `CAP_` prefix, so no ' +
    'spelling a runtime might accept slips through.',
  remediation: 'Remove the capability from securityContext.capabilities.add; give the task to a narrower capability or a node-level component.',
  example: `containers:
- name: app
  image: registry.example.com/app:1.4.2
  securityContext:
    capabilities:
      drop: ["ALL"]
      add: ["NET_BIND_SERVICE"]`,
  refs: {
    cis: ['5.2.9'],
    kubesec: ['CapSysAdmin'],
    polaris: ['dangerousCapabilities'],
    trivy: ['KSV-0005', 'KSV-0120'],
    kubescape: ['C-0046'],
  },
  run(ctx) {
    if (isWindowsPod(ctx.pod)) return;
    for (const c of ctx.containers) {
      const { items, listed } = capList(c, 'add');
      let seen: Set<string> | undefined;
      for (let i = 0; i < items.length; i++) {
        const name = entryName(items[i]);
        const why = name === undefined ? undefined : DANGEROUS[name];
        if (name === undefined || why === undefined || seen?.has(name)) continue;
        (seen ??= new Set()).add(name);
        const raw = items[i] as string;
        const shown = raw === name ? name : `${JSON.stringify(raw)} (${name})`;
        ctx.report(capPath(c, 'add', listed, i), `${containerLabel(c)} adds capability ${shown} in securityContext.capabilities.add: ${why}`);
      }
    }
  },
});

const netRawNotDropped = defineCheck({
  id: 'capabilities/net-raw-not-dropped',
  title: 'NET_RAW capability not dropped',
  severity: 'medium',
  defaultOn: true,
  stride: ['S', 'T', 'I'],
  kinds: 'workload',
  areas: Area.capabilities,
  description:
    'NET_RAW is in the container runtimes\' default capability set, so every container has it unless it is dropped. It lets a ' +
    'process craft raw packets: ARP and DNS spoofing of neighbouring pods, and the basis of several kernel exploits. Few ' +
    'applications need it (ping can use unprivileged ICMP sockets).',
  remediation: 'Add NET_RAW, or better ALL, to securityContext.capabilities.drop, and do not add NET_RAW back.',
  example: `containers:
- name: app
  image: registry.example.com/app:1.4.2
  securityContext:
    capabilities:
      drop: ["ALL"]`,
  refs: {
    cis: ['5.2.8'],
    polaris: ['insecureCapabilities'],
    trivy: ['KSV-0119'],
    kubescape: ['C-0199'],
    kubeLinter: ['drop-net-raw-capability'],
  },
  rationale:
    'Follows containerd\'s order: add ALL, drop ALL, then individual adds, then individual drops. So ' +
    '`drop: [ALL]` with `add: [NET_RAW]` keeps NET_RAW, and dropping NET_RAW by name wins over adding it. Under PSS restricted ' +
    'the same containers also miss `drop: [ALL]`; this check stays on because it names the concrete risk and is the only ' +
    'signal when PSS runs at baseline.',
  run(ctx) {
    if (isWindowsPod(ctx.pod)) return;
    for (const c of ctx.containers) {
      const drop = capList(c, 'drop').items;
      if (indexOfCap(drop, 'NET_RAW') !== -1) continue;
      const add = capList(c, 'add');
      const added = indexOfCap(add.items, 'NET_RAW');
      const dropsAll = indexOfCap(drop, 'ALL') !== -1;
      if (added !== -1) {
        ctx.report(capPath(c, 'add', add.listed, added), `${containerLabel(c)} adds NET_RAW in securityContext.capabilities.add${dropsAll ? ' after dropping ALL' : ''}`);
      } else if (!dropsAll) {
        ctx.report([...c.path, 'securityContext', 'capabilities', 'drop'], `${containerLabel(c)} keeps NET_RAW: securityContext.capabilities.drop has neither NET_RAW nor ALL`);
      }
    }
  },
});

export const CHECKS: CheckDef[] = [dangerousAdd, netRawNotDropped];
