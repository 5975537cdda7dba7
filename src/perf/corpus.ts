/**
 * Benchmark corpus: realistic Deployment-sized manifests (labels, annotations, two
 * containers with env, ports, probes, resources, volume mounts), most of them hardened
 * (restricted-compliant) and some insecure, so that findings and line resolution happen.
 *
 * Everything is deterministic (seeded), so two runs scan the same text.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Writable } from 'node:stream';

// ---------------------------------------------------------------------------------------
// Deterministic randomness

/** mulberry32: tiny, fast, good enough to vary names and numbers. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)];
}

const TEAMS = ['payments', 'checkout', 'catalog', 'search', 'identity', 'platform', 'data', 'ml', 'edge', 'billing', 'growth', 'ops'];
const APPS = ['api', 'worker', 'gateway', 'frontend', 'indexer', 'scheduler', 'notifier', 'exporter', 'ingest', 'auth', 'cache-warmer', 'reporter'];
const ENVS = ['prod', 'staging', 'dev', 'qa'];
const SIDECARS = [
  { name: 'envoy', image: 'envoyproxy/envoy', tag: 'v1.30.2', port: 15001 },
  { name: 'otel-agent', image: 'otel/opentelemetry-collector', tag: '0.102.1', port: 4317 },
  { name: 'log-shipper', image: 'fluent/fluent-bit', tag: '3.0.7', port: 2020 },
];

/** Ways an insecure document fails the restricted (and sometimes baseline) level. */
export const INSECURE_VARIANTS = ['no-security-context', 'privileged-hostpath', 'root-net-admin', 'host-network', 'unconfined-escalation'] as const;
export type InsecureVariant = (typeof INSECURE_VARIANTS)[number];

// ---------------------------------------------------------------------------------------
// Objects

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObj = { [k: string]: Json };

export interface DeploymentOptions {
  /** Insecure variant, or undefined for a hardened (restricted-compliant) Deployment. */
  insecure?: InsecureVariant;
  /** Add the fields `kubectl get -o json` shows (uid, resourceVersion, status…). */
  live?: boolean;
}

/** One Deployment, as a plain object. `i` makes names unique and seeds the variation. */
export function deployment(i: number, opts: DeploymentOptions = {}): JsonObj {
  const r = rng(i * 2654435761 + 17);
  const team = pick(r, TEAMS);
  const app = pick(r, APPS);
  const env = pick(r, ENVS);
  const name = `${team}-${app}-${String(i).padStart(5, '0')}`;
  const namespace = `${team}-${env}`;
  const version = `${1 + Math.floor(r() * 4)}.${Math.floor(r() * 20)}.${Math.floor(r() * 10)}`;
  const port = pick(r, [8080, 8000, 9000, 3000]);
  const side = pick(r, SIDECARS);
  const v = opts.insecure;
  const selector = { app: name };

  // Hardened for the whole default profile (PSS restricted and the catalogue), so that
  // findings, and the cost of reporting them, come from the insecure documents only.
  const appSc: JsonObj = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } };
  const sideSc: JsonObj = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } };
  const podSc: JsonObj = { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };
  const volumes: Json[] = [{ name: 'tmp', emptyDir: {} }];
  const podSpec: JsonObj = {};

  if (v === 'privileged-hostpath') {
    appSc.privileged = true;
    delete appSc.allowPrivilegeEscalation;
    volumes.push({ name: 'host-logs', hostPath: { path: '/var/log', type: 'Directory' } });
  } else if (v === 'root-net-admin') {
    podSc.runAsUser = 0;
    appSc.capabilities = { add: ['NET_ADMIN'] };
  } else if (v === 'host-network') {
    podSpec.hostNetwork = true;
    sideSc.capabilities = { drop: ['NET_RAW'] };
  } else if (v === 'unconfined-escalation') {
    podSc.seccompProfile = { type: 'Unconfined' };
    sideSc.allowPrivilegeEscalation = true;
  }

  const appContainer: JsonObj = {
    name: app,
    image: `ghcr.io/example/${team}-${app}:${version}`,
    ports: [v === 'host-network' ? { containerPort: port, hostPort: port } : { containerPort: port }],
    env: [
      { name: 'APP_ENV', value: env },
      { name: 'LOG_LEVEL', value: pick(r, ['info', 'warn', 'debug']) },
    ],
    resources: {
      requests: { cpu: `${pick(r, [50, 100, 250])}m`, memory: `${pick(r, [64, 128, 256])}Mi` },
      limits: { cpu: '1', memory: `${pick(r, [256, 512])}Mi` },
    },
    readinessProbe: { httpGet: { path: '/ready', port } },
    livenessProbe: { tcpSocket: { port } },
    securityContext: appSc,
    volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
  };
  if (v === 'privileged-hostpath') (appContainer.volumeMounts as Json[]).push({ name: 'host-logs', mountPath: '/host/logs' });
  const sideContainer: JsonObj = {
    name: side.name,
    image: `${side.image}:${side.tag}`,
    env: [{ name: 'SERVICE', value: name }],
    resources: { requests: { cpu: '20m', memory: '32Mi' }, limits: { cpu: '100m', memory: '64Mi' } },
    securityContext: sideSc,
  };
  if (v === 'no-security-context') {
    delete appContainer.securityContext;
    delete sideContainer.securityContext;
  } else {
    podSpec.securityContext = podSc;
  }
  Object.assign(podSpec, {
    serviceAccountName: `${team}-${app}`,
    automountServiceAccountToken: false,
    containers: [appContainer, sideContainer],
    volumes,
  });

  const metadata: JsonObj = {
    name,
    namespace,
    labels: { ...selector, team },
    annotations: { 'example.com/owner': `${team}@example.com` },
  };
  const spec: JsonObj = {
    replicas: 1 + Math.floor(r() * 5),
    selector: { matchLabels: selector },
    template: {
      metadata: { labels: { ...selector, version } },
      spec: podSpec,
    },
  };
  const obj: JsonObj = { apiVersion: 'apps/v1', kind: 'Deployment', metadata, spec };
  if (opts.live) {
    Object.assign(metadata, {
      creationTimestamp: new Date(Date.UTC(2024, 0, 1) + i * 61_000).toISOString().replace(/\.\d+Z$/, 'Z'),
      generation: 1 + (i % 7),
      resourceVersion: String(1_000_000 + i * 13),
      uid: uuid(r),
    });
    (metadata.annotations as JsonObj)['deployment.kubernetes.io/revision'] = String(1 + (i % 7));
    spec.progressDeadlineSeconds = 600;
    spec.strategy = { rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' }, type: 'RollingUpdate' };
    const replicas = spec.replicas as number;
    obj.status = {
      availableReplicas: replicas,
      observedGeneration: metadata.generation as number,
      readyReplicas: replicas,
      replicas,
      updatedReplicas: replicas,
    };
  }
  return obj;
}

function uuid(r: () => number): string {
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(r() * 16).toString(16)).join('');
  return `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
}

/** Which documents are insecure: a fixed, evenly spread share, cycling through the variants. */
export function variantFor(i: number, insecureShare: number): InsecureVariant | undefined {
  // Document i is insecure when it crosses a multiple of 1/share: spreads them evenly.
  const before = Math.floor(i * insecureShare);
  const after = Math.floor((i + 1) * insecureShare);
  return after > before ? INSECURE_VARIANTS[before % INSECURE_VARIANTS.length] : undefined;
}

// ---------------------------------------------------------------------------------------
// YAML emitter (block style, sequences as kubectl writes them; enough for these objects)

const PLAIN_OK = /^[A-Za-z0-9_/][A-Za-z0-9_./@:=%+-]*$/;
const LOOKS_TYPED = /^(?:true|false|yes|no|on|off|y|n|null|~|[-+]?(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|0x[0-9a-fA-F]+|0o[0-7]+)$/i;

function scalar(v: Json): string {
  if (typeof v === 'string') {
    return PLAIN_OK.test(v) && !LOOKS_TYPED.test(v) && !v.includes(': ') && !v.endsWith(':') ? v : JSON.stringify(v);
  }
  return JSON.stringify(v);
}

function isEmptyContainer(v: Json): boolean {
  return v !== null && typeof v === 'object' && Object.keys(v).length === 0;
}

function emitMap(obj: JsonObj, indent: string, out: string[], firstPrefix?: string): void {
  let first = true;
  for (const [k, v] of Object.entries(obj)) {
    const lead = first && firstPrefix !== undefined ? firstPrefix : indent;
    first = false;
    emitEntry(k, v, lead, indent, out);
  }
}

function emitEntry(k: string, v: Json, lead: string, indent: string, out: string[]): void {
  const key = scalar(k);
  if (v === null || typeof v !== 'object' || isEmptyContainer(v)) {
    out.push(`${lead}${key}: ${isEmptyContainer(v) ? (Array.isArray(v) ? '[]' : '{}') : scalar(v)}\n`);
  } else if (Array.isArray(v)) {
    // kubectl style: the dashes line up with the key
    out.push(`${lead}${key}:\n`);
    emitSeq(v, indent, out);
  } else {
    out.push(`${lead}${key}:\n`);
    emitMap(v, `${indent}  `, out);
  }
}

function emitSeq(items: Json[], indent: string, out: string[]): void {
  for (const item of items) {
    if (item !== null && typeof item === 'object' && !Array.isArray(item) && !isEmptyContainer(item)) {
      emitMap(item, `${indent}  `, out, `${indent}- `);
    } else if (Array.isArray(item) && item.length > 0) {
      out.push(`${indent}-\n`);
      emitSeq(item, `${indent}  `, out);
    } else {
      out.push(`${indent}- ${isEmptyContainer(item) ? (Array.isArray(item) ? '[]' : '{}') : scalar(item)}\n`);
    }
  }
}

/** Block-style YAML for one object (no leading `---`). */
export function toYaml(obj: JsonObj): string {
  const out: string[] = [];
  emitMap(obj, '', out);
  return out.join('');
}

/** Document `i` of a multi-document YAML stream, with its `---` line. */
export function yamlDocument(i: number, insecureShare: number): string {
  return `---\n${toYaml(deployment(i, { insecure: variantFor(i, insecureShare) }))}`;
}

// ---------------------------------------------------------------------------------------
// Files

export interface YamlCorpus {
  dir: string;
  files: string[];
  documents: number;
  insecure: number;
  bytes: number;
}

/** `documents` YAML documents over `fileCount` files in `dir` (created). */
export async function writeYamlCorpus(dir: string, documents: number, fileCount: number, insecureShare: number): Promise<YamlCorpus> {
  await mkdir(dir, { recursive: true });
  const files: string[] = [];
  let bytes = 0;
  let insecure = 0;
  const perFile = Math.ceil(documents / fileCount);
  for (let f = 0, i = 0; f < fileCount && i < documents; f++) {
    const parts: string[] = [`# Generated benchmark corpus, file ${f + 1} of ${fileCount}\n`];
    for (const end = Math.min(documents, i + perFile); i < end; i++) {
      if (variantFor(i, insecureShare)) insecure++;
      parts.push(yamlDocument(i, insecureShare));
    }
    const text = parts.join('');
    const path = join(dir, `deployments-${String(f).padStart(2, '0')}.yaml`);
    await writeFile(path, text);
    files.push(path);
    bytes += Buffer.byteLength(text);
  }
  return { dir, files, documents, insecure, bytes };
}

export interface JsonDump {
  path: string;
  items: number;
  insecure: number;
  bytes: number;
}

/** A `kubectl get deployments -A -o json` style List, pretty-printed with 4 spaces. */
export function kubectlListText(items: number, insecureShare: number): { text: string; insecure: number } {
  const objs: JsonObj[] = [];
  let insecure = 0;
  for (let i = 0; i < items; i++) {
    const variant = variantFor(i, insecureShare);
    if (variant) insecure++;
    objs.push(deployment(i, { insecure: variant, live: true }));
  }
  const list = { apiVersion: 'v1', items: objs, kind: 'List', metadata: { resourceVersion: '' } };
  return { text: `${JSON.stringify(list, null, 4)}\n`, insecure };
}

export async function writeJsonDump(path: string, items: number, insecureShare: number): Promise<JsonDump> {
  const { text, insecure } = kubectlListText(items, insecureShare);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
  return { path, items, insecure, bytes: Buffer.byteLength(text) };
}

// ---------------------------------------------------------------------------------------
// Streaming

/** Resolves on 'drain', or when the stream closes or fails (the caller then stops). */
function drained(out: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      out.off('drain', done);
      out.off('close', done);
      out.off('error', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
    out.on('error', done);
  });
}

export interface StreamStats {
  bytes: number;
  documents: number;
  insecure: number;
}

/**
 * Writes about `targetBytes` of multi-document YAML to `out` in chunks of ~`chunkBytes`,
 * waiting for 'drain' whenever the stream asks it to: at most one chunk is held in memory.
 * Ends `out` when done. Stops early (without throwing) if `out` is closed or errors.
 */
export async function streamYaml(out: Writable, targetBytes: number, insecureShare: number, chunkBytes = 256 << 10): Promise<StreamStats> {
  const stats: StreamStats = { bytes: 0, documents: 0, insecure: 0 };
  let failed = false;
  const onError = () => { failed = true; };
  out.on('error', onError);
  let parts: string[] = [];
  let pending = 0;
  const write = async () => {
    const chunk = parts.join('');
    parts = [];
    pending = 0;
    stats.bytes += Buffer.byteLength(chunk);
    if (!out.write(chunk)) {
      await drained(out);
    }
  };
  for (let i = 0; stats.bytes + pending < targetBytes && !failed && !out.destroyed; i++) {
    const doc = yamlDocument(i, insecureShare);
    if (variantFor(i, insecureShare)) stats.insecure++;
    stats.documents++;
    parts.push(doc);
    pending += doc.length; // ASCII only: length == bytes
    if (pending >= chunkBytes) await write();
  }
  if (pending > 0 && !failed && !out.destroyed) await write();
  if (!out.destroyed) out.end();
  return stats;
}
