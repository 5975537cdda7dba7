/**
 * The `admission:` section of `.palisade.yaml`: what `palisade serve` enforces, warns about
 * and records, per namespace, and whom it leaves alone. Modes mirror the Pod Security
 * Admission labels (`pod-security.kubernetes.io/{enforce,warn,audit}`); catalogue findings
 * take part by severity threshold. Problems are file:line InputErrors; what is valid loads.
 */
import { isMap, isSeq, type Node } from 'yaml';
import type { Severity } from '../model/index.js';
import { readStringList, type YamlCtx } from './yaml-reader.js';

/** `privileged` is PSS's "no restrictions" level: nothing is evaluated at it. */
export type AdmissionLevel = 'privileged' | 'baseline' | 'restricted';
export const ADMISSION_LEVELS: readonly AdmissionLevel[] = ['privileged', 'baseline', 'restricted'];
/** Catalogue findings at or above this severity trigger the mode; `none` never does. */
export type SeverityThreshold = Severity | 'none';
export const THRESHOLDS: readonly SeverityThreshold[] = ['critical', 'high', 'medium', 'low', 'info', 'none'];

export interface ModeSet<T> {
  enforce: T;
  warn: T;
  audit: T;
}

export interface NamespaceModes {
  /** PSS levels per mode. */
  pss: ModeSet<AdmissionLevel>;
  /** PSS version per mode (`latest` or `v1.N`). */
  versions: ModeSet<string>;
  /** Catalogue severity thresholds per mode. */
  checks: ModeSet<SeverityThreshold>;
}

/** A per-namespace override: the first entry whose globs match the namespace applies. */
export interface NamespaceOverride {
  names: string[];
  pss: Partial<ModeSet<AdmissionLevel>>;
  versions: Partial<ModeSet<string>>;
  checks: Partial<ModeSet<SeverityThreshold>>;
  line?: number;
}

export interface HardeningSwitches {
  seccomp: boolean;
  allowPrivilegeEscalation: boolean;
  dropAll: boolean;
  runAsNonRoot: boolean;
  automountToken: boolean;
}

export interface ImageRulesConfig {
  allowedRegistries?: string[];
  deniedRegistries?: string[];
  requireTag?: boolean;
  denyLatest?: boolean;
  requireDigest?: boolean;
}

export interface AdmissionConfig {
  defaults: NamespaceModes;
  namespaces: NamespaceOverride[];
  exemptions: { namespaces: string[]; usernames: string[]; runtimeClasses: string[] };
  /** Whether namespace labels (`pod-security.kubernetes.io/*`) override the configured PSS levels. */
  namespaceLabels: boolean;
  /** What to answer when a request cannot be evaluated (Palisade's own failure): deny or allow with a warning. */
  onError: 'deny' | 'allow';
  mutate: HardeningSwitches;
  images: ImageRulesConfig & { namespaces?: Record<string, ImageRulesConfig>; breakGlassAnnotation?: string };
}

/**
 * The default with no config: enforce PSS baseline, warn on PSS restricted and on catalogue
 * findings of high severity or above, everywhere but kube-system (the issue's default).
 * Audit records the same as warn, so that a log reader sees what users were told.
 */
export function defaultAdmissionConfig(): AdmissionConfig {
  return {
    defaults: {
      pss: { enforce: 'baseline', warn: 'restricted', audit: 'restricted' },
      versions: { enforce: 'latest', warn: 'latest', audit: 'latest' },
      checks: { enforce: 'none', warn: 'high', audit: 'high' },
    },
    namespaces: [],
    exemptions: { namespaces: ['kube-system'], usernames: [], runtimeClasses: [] },
    namespaceLabels: true,
    onError: 'deny',
    mutate: { seccomp: true, allowPrivilegeEscalation: true, dropAll: true, runAsNonRoot: true, automountToken: true },
    images: {},
  };
}

const TOP = ['enforce', 'warn', 'audit', 'version', 'checks', 'namespaces', 'exemptions', 'namespaceLabels', 'onError', 'mutate', 'images'] as const;
const MODES = ['enforce', 'warn', 'audit'] as const;
const OVERRIDE_KEYS = ['names', 'enforce', 'warn', 'audit', 'version', 'checks'] as const;
const EXEMPTION_KEYS = ['namespaces', 'usernames', 'runtimeClasses'] as const;
const MUTATE_KEYS = ['seccomp', 'allowPrivilegeEscalation', 'dropAll', 'runAsNonRoot', 'automountToken'] as const;
const IMAGE_RULE_KEYS = ['allowedRegistries', 'deniedRegistries', 'requireTag', 'denyLatest', 'requireDigest'] as const;
const IMAGE_KEYS = [...IMAGE_RULE_KEYS, 'namespaces', 'breakGlassAnnotation'] as const;

const PSS_VERSION = /^(latest|v1\.(0|[1-9]\d{0,3}))$/;

/** Reads `admission:`; returns the defaults with whatever the section validly sets. */
export function readAdmission(ctx: YamlCtx, node: Node | null, keyNode: Node): AdmissionConfig {
  const config = defaultAdmissionConfig();
  if (!isMap(node)) {
    ctx.error(node ?? keyNode, `admission: expected a mapping with keys ${TOP.join(', ')} (found ${ctx.describe(node)})`);
    return config;
  }
  for (const { key, keyNode: k, value } of ctx.entries(node, TOP, 'admission')) {
    const label = `admission.${key}`;
    if (key === 'enforce' || key === 'warn' || key === 'audit') {
      const v = ctx.enumValue(value, label, ADMISSION_LEVELS);
      if (v) config.defaults.pss[key] = v;
    } else if (key === 'version') {
      const v = readVersion(ctx, value, label);
      if (v) config.defaults.versions = { enforce: v, warn: v, audit: v };
    } else if (key === 'checks') {
      Object.assign(config.defaults.checks, readThresholds(ctx, value, k, label));
    } else if (key === 'namespaces') {
      config.namespaces = readOverrides(ctx, value, k);
    } else if (key === 'exemptions') {
      if (!isMap(value)) {
        ctx.error(value ?? k, `${label}: expected a mapping with keys ${EXEMPTION_KEYS.join(', ')} (found ${ctx.describe(value)})`);
        continue;
      }
      for (const e of ctx.entries(value, EXEMPTION_KEYS, label)) {
        const list = e.value === null ? [] : readStringList(ctx, e.value, `${label}.${e.key}`);
        if (list) config.exemptions[e.key] = list;
      }
    } else if (key === 'namespaceLabels') {
      const v = readBool(ctx, value, label);
      if (v !== undefined) config.namespaceLabels = v;
    } else if (key === 'onError') {
      const v = ctx.enumValue(value, label, ['deny', 'allow'] as const);
      if (v) config.onError = v;
    } else if (key === 'mutate') {
      if (!isMap(value)) {
        ctx.error(value ?? k, `${label}: expected a mapping with keys ${MUTATE_KEYS.join(', ')} (found ${ctx.describe(value)})`);
        continue;
      }
      for (const e of ctx.entries(value, MUTATE_KEYS, label)) {
        const v = readBool(ctx, e.value, `${label}.${e.key}`);
        if (v !== undefined) config.mutate[e.key] = v;
      }
    } else if (key === 'images') {
      config.images = readImages(ctx, value, k, label);
    }
  }
  return config;
}

function readVersion(ctx: YamlCtx, node: Node | null, label: string): string | undefined {
  const v = ctx.scalarValue(node);
  if (typeof v === 'string' && PSS_VERSION.test(v)) return v;
  ctx.error(node, `${label}: expected "latest" or "v1.N" (got ${ctx.describe(node)})`);
  return undefined;
}

function readBool(ctx: YamlCtx, node: Node | null, label: string): boolean | undefined {
  const v = ctx.scalarValue(node);
  if (typeof v === 'boolean') return v;
  ctx.error(node, `${label}: expected true or false (got ${ctx.describe(node)})`);
  return undefined;
}

function readThresholds(ctx: YamlCtx, node: Node | null, keyNode: Node, label: string): Partial<ModeSet<SeverityThreshold>> {
  const out: Partial<ModeSet<SeverityThreshold>> = {};
  if (!isMap(node)) {
    ctx.error(node ?? keyNode, `${label}: expected a mapping with keys enforce, warn, audit (found ${ctx.describe(node)})`);
    return out;
  }
  for (const e of ctx.entries(node, MODES, label)) {
    const v = ctx.enumValue(e.value, `${label}.${e.key}`, THRESHOLDS);
    if (v) out[e.key] = v;
  }
  return out;
}

function readOverrides(ctx: YamlCtx, node: Node | null, keyNode: Node): NamespaceOverride[] {
  const out: NamespaceOverride[] = [];
  if (node === null) return out;
  if (!isSeq(node)) {
    ctx.error(node ?? keyNode, `admission.namespaces: expected a list of entries such as "- names: [prod-*]" (found ${ctx.describe(node)})`);
    return out;
  }
  node.items.forEach((raw, i) => {
    const item = ctx.deref(raw as Node | null);
    const where = `admission.namespaces[${i}]`;
    if (!isMap(item)) {
      ctx.error(item ?? node, `${where}: expected a mapping with "names" (found ${ctx.describe(item)}); entry skipped`);
      return;
    }
    const o: NamespaceOverride = { names: [], pss: {}, versions: {}, checks: {}, line: ctx.lineOf(item) };
    for (const e of ctx.entries(item, OVERRIDE_KEYS, where)) {
      const label = `${where}.${e.key}`;
      if (e.key === 'names') o.names = readStringList(ctx, e.value, label) ?? [];
      else if (e.key === 'version') {
        const v = readVersion(ctx, e.value, label);
        if (v) o.versions = { enforce: v, warn: v, audit: v };
      } else if (e.key === 'checks') o.checks = readThresholds(ctx, e.value, e.keyNode, label);
      else {
        const v = ctx.enumValue(e.value, label, ADMISSION_LEVELS);
        if (v) o.pss[e.key] = v;
      }
    }
    if (o.names.length === 0) ctx.error(item, `${where}: "names" (namespace names or globs) is required; entry skipped`);
    else out.push(o);
  });
  return out;
}

function readImageRules(ctx: YamlCtx, node: Node | null, keyNode: Node, label: string, keys: readonly string[]): ImageRulesConfig & Record<string, unknown> {
  const out: ImageRulesConfig & Record<string, unknown> = {};
  if (!isMap(node)) {
    ctx.error(node ?? keyNode, `${label}: expected a mapping with keys ${keys.join(', ')} (found ${ctx.describe(node)})`);
    return out;
  }
  for (const e of ctx.entries(node, keys, label)) {
    const l = `${label}.${e.key}`;
    if (e.key === 'allowedRegistries' || e.key === 'deniedRegistries') {
      const list = readStringList(ctx, e.value, l);
      if (list) out[e.key] = list;
    } else if (e.key === 'requireTag' || e.key === 'denyLatest' || e.key === 'requireDigest') {
      const v = readBool(ctx, e.value, l);
      if (v !== undefined) out[e.key] = v;
    } else {
      out[e.key] = e.value; // handled by the caller
    }
  }
  return out;
}

function readImages(ctx: YamlCtx, node: Node | null, keyNode: Node, label: string): AdmissionConfig['images'] {
  const raw = readImageRules(ctx, node, keyNode, label, IMAGE_KEYS);
  const out: AdmissionConfig['images'] = {};
  for (const k of IMAGE_RULE_KEYS) if (raw[k] !== undefined) (out as Record<string, unknown>)[k] = raw[k];
  if ('breakGlassAnnotation' in raw) {
    const v = ctx.scalarValue(raw.breakGlassAnnotation as Node | null);
    if (typeof v === 'string' && (v === '' || v.includes('.image-policy.k8s.io/'))) out.breakGlassAnnotation = v;
    else ctx.error(raw.breakGlassAnnotation as Node | null, `${label}.breakGlassAnnotation: expected a key containing ".image-policy.k8s.io/" (the API server sends no other annotations), or "" to turn break-glass off (got ${ctx.describe(raw.breakGlassAnnotation as Node | null)})`);
  }
  if ('namespaces' in raw) {
    const ns = raw.namespaces as Node | null;
    if (!isMap(ns)) ctx.error(ns, `${label}.namespaces: expected a mapping from namespace to rules (found ${ctx.describe(ns)})`);
    else {
      out.namespaces = {};
      for (const pair of ns.items) {
        const name = String(ctx.scalarValue(ctx.deref(pair.key)));
        const rules = readImageRules(ctx, ctx.deref(pair.value), ctx.deref(pair.key)!, `${label}.namespaces.${name}`, IMAGE_RULE_KEYS);
        out.namespaces[name] = rules;
      }
    }
  }
  return out;
}
