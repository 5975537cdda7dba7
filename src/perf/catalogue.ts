/**
 * The catalogue benchmark: a mixed corpus (workloads, Services, ConfigMaps, RBAC,
 * NetworkPolicies, ServiceAccounts across 50 namespaces) scanned with no checks (the cost
 * of loading) and with the full `cks` profile (loading + every default check, the
 * cross-resource ones included), at several sizes.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { scan } from '../checks/index.js';
import { selectChecks, resolveParams } from '../checks/catalogue/index.js';
import { parsePssVersion } from '../checks/index.js';
import { emptyConfig } from '../policy/index.js';
import { deployment, toYaml, variantFor, type Json } from './corpus.js';
import { median } from './measure.js';

const execFileAsync = promisify(execFile);
const NAMESPACES = 50;
type Obj = { [k: string]: Json };

function namespaced(obj: Obj, ns: string): Obj {
  return { ...obj, metadata: { ...(obj.metadata as Obj), namespace: ns } };
}

/** Resource `i` of the mixed corpus: 6 in 10 are workloads, the rest what surrounds them. */
export function mixedResource(i: number): Obj {
  const ns = `team-${i % NAMESPACES}`;
  const name = `r${i}`;
  const labels = { app: `app-${Math.floor(i / 10)}` };
  switch (i % 10) {
    case 6:
      return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns, labels }, spec: { selector: labels, ports: [{ port: 80, targetPort: 8080 }] } };
    case 7:
      return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data: { LOG_LEVEL: 'info', 'app.properties': 'feature.x=true\ncache.size=128\n' } };
    case 8:
      return i % 20 === 8
        ? { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name, namespace: ns }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] }, { apiGroups: ['apps'], resources: ['deployments'], verbs: i % 40 === 8 ? ['*'] : ['get'] }] }
        : { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name, namespace: ns }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: i % 60 === 18 ? 'ClusterRole' : 'Role', name: i % 60 === 18 ? 'edit' : `r${i - 10}` }, subjects: [{ kind: 'ServiceAccount', name: `app-${Math.floor(i / 10)}`, namespace: ns }] };
    case 9:
      return i % 20 === 9
        ? { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec: { podSelector: { matchLabels: labels }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { role: 'frontend' } } }], ports: [{ port: 8080 }] }] } }
        : { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: `app-${Math.floor(i / 10)}`, namespace: ns }, automountServiceAccountToken: false };
    default: {
      const insecure = variantFor(i, 0.2);
      return namespaced(deployment(i, { insecure }), ns);
    }
  }
}

/** A YAML file of `count` resources (50 Namespaces with a default deny, a quota and limits, then the mix), written to `dir`. */
export async function writeMixedCorpus(dir: string, count: number): Promise<{ path: string; resources: number; bytes: number }> {
  const docs: string[] = [];
  for (let n = 0; n < NAMESPACES; n++) {
    const ns = `team-${n}`;
    docs.push(toYaml({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { 'pod-security.kubernetes.io/enforce': n % 5 === 0 ? 'baseline' : 'restricted' } } }));
    docs.push(toYaml({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'default-deny', namespace: ns }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } }));
    docs.push(toYaml({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'compute', namespace: ns }, spec: { hard: { 'requests.cpu': '20', 'requests.memory': '40Gi', 'limits.cpu': '40', 'limits.memory': '80Gi' } } }));
    docs.push(toYaml({ apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'defaults', namespace: ns }, spec: { limits: [{ type: 'Container', default: { cpu: '500m', memory: '512Mi' }, defaultRequest: { cpu: '100m', memory: '128Mi' }, max: { cpu: '4', memory: '8Gi' } }] } }));
  }
  for (let i = 0; docs.length < count; i++) docs.push(toYaml(mixedResource(i)));
  const text = `---\n${docs.join('---\n')}`;
  const path = join(dir, `mixed-${count}.yaml`);
  await writeFile(path, text);
  return { path, resources: docs.length, bytes: text.length };
}

/** Wall ms of one in-process scan (one thread) with no checks, or with a profile. */
export async function timeScan(path: string, cwd: string, profile: 'none' | 'cks'): Promise<{ ms: number; resources: number; findings: number }> {
  const minor = parsePssVersion('latest')!;
  const none = { pss: undefined, selection: { checks: [], exclude: [] } };
  const { selection } = selectChecks({ profile: 'cks' });
  const chosen = profile === 'none' ? none : { pss: { level: selection.pssLevel ?? 'restricted', minor }, selection };
  const t0 = performance.now();
  const r = await scan([path], { ...chosen, params: resolveParams(), config: emptyConfig(), now: Date.now(), jobs: 1, cwd });
  return { ms: performance.now() - t0, resources: r.summary.resources, findings: r.summary.findings + r.summary.suppressed };
}

/** The target: the checks cost at most this share on top of loading… */
export const CHECK_OVERHEAD_TARGET = 0.25;
/** …on a corpus of this many resources (other sizes show how the cost grows, without a target). */
export const CHECK_OVERHEAD_SIZE = 10_000;

export interface CatalogueMeasurement {
  resources: number;
  /** Best wall ms with no checks (loading alone) and with the cks profile. */
  load: number;
  full: number;
  /** What the checks add, as a share of loading: best run over best run, and median over median. */
  overhead: number;
  medianOverhead: number;
  /**
   * The median over rounds of (cks ÷ loading) − 1, each round's two runs back to back: the
   * machine's speed drifts between rounds, and a ratio of neighbours cancels most of that.
   */
  pairedOverhead: number;
  findings: number;
  runs: number;
}

/**
 * Loading alone and loading + the cks profile on a corpus already written (see
 * writeMixedCorpus), with the resources the scans counted, run in alternation (so that a noisy moment of the machine hits both),
 * `runs` times each after `warmUpPairs` untimed pairs, in this process.
 */
export async function measureCorpus(path: string, dir: string, runs: number, warmUpPairs: number): Promise<CatalogueMeasurement> {
  for (let i = 0; i < warmUpPairs; i++) {
    await timeScan(path, dir, 'none');
    await timeScan(path, dir, 'cks');
  }
  const loads: number[] = [];
  const fulls: number[] = [];
  let findings = 0;
  let resources = 0;
  for (let i = 0; i < runs; i++) {
    loads.push((await timeScan(path, dir, 'none')).ms);
    const r = await timeScan(path, dir, 'cks');
    fulls.push(r.ms);
    findings = r.findings;
    resources = r.resources;
  }
  const load = Math.min(...loads);
  const full = Math.min(...fulls);
  return {
    resources, load, full,
    overhead: full / load - 1, medianOverhead: median(fulls) / median(loads) - 1,
    pairedOverhead: median(loads.map((l, i) => fulls[i] / l - 1)), findings, runs,
  };
}

/**
 * Untimed pairs before a process's timed runs: one for a large corpus, and for a small one as
 * many as make ~20,000 resources. A fresh process has to compile the checks before its figures
 * mean anything: after 2 pairs of 1,000 resources, one process's best cks run still took 2.5
 * times as long as once warm.
 */
export function warmUpPairsFor(count: number): number {
  return count >= 100_000 ? 1 : Math.max(2, Math.ceil(20_000 / count));
}

/** What measureInProcesses returns. */
export interface ProcessesMeasurement {
  /** Each process's own measurement, in the order they ran. */
  processes: CatalogueMeasurement[];
  /** The median over processes of each one's best-over-best overhead, and its range. */
  overhead: number;
  lowest: number;
  highest: number;
  /** Medians over processes of each one's median-over-median and paired overheads. */
  medianOverhead: number;
  pairedOverhead: number;
  /** Medians over processes of each one's best loading and best cks wall ms. */
  load: number;
  full: number;
}

/**
 * measureCorpus in `processes` fresh Node processes, one after the other, on one corpus of
 * `count` resources. One process's figure is not enough: V8 compiles the checks differently
 * in each process (what it inlines, which code it optimises when), and on the 10,000-resource
 * corpus the best-over-best overhead of single processes ranged over 10 points for the same
 * code, more than a change to the checks would move it. The median over processes is what a
 * run of the CLI can expect; the range says how far one process strays.
 */
export async function measureInProcesses(
  dir: string,
  count: number,
  opts: {
    processes: number; runs: number; warmUpPairs: number;
    /** Options for the child processes' node (e.g. --max-semi-space-size=64); none by default, as `palisade` runs. */
    nodeFlags?: readonly string[];
    onProcess?: (m: CatalogueMeasurement, i: number) => void;
  },
): Promise<ProcessesMeasurement> {
  const corpus = await writeMixedCorpus(dir, count);
  const child = fileURLToPath(new URL('./catalogue-child.js', import.meta.url));
  const processes: CatalogueMeasurement[] = [];
  for (let i = 0; i < opts.processes; i++) {
    let m: CatalogueMeasurement;
    try {
      const { stdout } = await execFileAsync(process.execPath, [...(opts.nodeFlags ?? []), child, corpus.path, dir, String(opts.runs), String(opts.warmUpPairs)], { maxBuffer: 1 << 20 });
      m = JSON.parse(stdout.trim().split('\n').pop()!) as CatalogueMeasurement;
    } catch (err) {
      const stderr = (err as { stderr?: string }).stderr?.trim();
      throw new Error(`catalogue benchmark process ${i + 1} failed: ${stderr || (err instanceof Error ? err.message : String(err))}`);
    }
    processes.push(m);
    opts.onProcess?.(m, i);
  }
  const over = processes.map((m) => m.overhead);
  return {
    processes,
    overhead: median(over), lowest: Math.min(...over), highest: Math.max(...over),
    medianOverhead: median(processes.map((m) => m.medianOverhead)),
    pairedOverhead: median(processes.map((m) => m.pairedOverhead)),
    load: median(processes.map((m) => m.load)),
    full: median(processes.map((m) => m.full)),
  };
}
