/**
 * The validating webhook's decision for one AdmissionRequest: Pod Security Standards per
 * namespace mode (enforce → deny, warn → warnings, audit → audit annotations, with Pod Security
 * Admission's wording, exemptions and update rules), catalogue findings by severity threshold,
 * and ValidatingAdmissionPolicies. Pure apart from the namespace labels it learns.
 */
import picomatch from 'picomatch';
import {
  ALL_AREAS, CatalogueRunner, evaluatePodSpec, formatPssVersion, formatPssViolations, parsePssVersion, screenOf,
  type CheckParams, type ControlResult, type PssLevel,
} from '../checks/index.js';
import { Resource, fixedLocator, formatPath, podSpecOf, severityRank, type Finding, type KubeObject, type PodSpecRef, type Severity } from '../model/index.js';
import { Suppressor, defaultAdmissionConfig, type AdmissionConfig, type AdmissionLevel, type NamespaceModes, type PalisadeConfig, type SeverityThreshold } from '../policy/index.js';
import { evaluateVap, type VapInput } from './vap/index.js';
import { NamespaceRegistry, invalidPssLabels, pssLabels } from './namespaces.js';
import { OPERATIONS, type AdmissionDecision, type AdmissionRequest } from './review.js';

export type Mode = 'enforce' | 'warn' | 'audit';
const MODES: readonly Mode[] = ['enforce', 'warn', 'audit'];

export interface ValidatorOptions {
  admission?: AdmissionConfig;
  /** `.palisade.yaml`: its `ignore` rules apply (annotations on the object do not: its author controls them). */
  config: PalisadeConfig;
  /** Catalogue check ids that take part. */
  checks: readonly string[];
  params: CheckParams;
  /** ValidatingAdmissionPolicies, bindings and params evaluated on every request. */
  vap?: VapInput;
  namespaces?: NamespaceRegistry;
}

/** Why a request was decided as it was, for metrics: one entry per check and mode. */
export interface Reason {
  check: string;
  mode: Mode;
}

export interface Verdict {
  decision: AdmissionDecision;
  reasons: Reason[];
  /** Set when the request was not evaluated (exempt, not a reviewed operation…). */
  skipped?: string;
}

/** Kinds whose pod spec Pod Security Admission evaluates (its own list). */
const POD_SUBRESOURCES = new Set(['', 'ephemeralcontainers']);

function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function levelAtLeast(severity: Severity, threshold: SeverityThreshold): boolean {
  return threshold !== 'none' && severityRank(severity) <= severityRank(threshold);
}

export class Validator {
  readonly admission: AdmissionConfig;
  readonly namespaces: NamespaceRegistry;
  private readonly catalogue: CatalogueRunner;
  private suppressor: Suppressor;
  private suppressorMadeAt = Date.now();
  private readonly overrideMatchers: { match: (ns: string) => boolean; index: number }[];
  private readonly exemptNamespace: (ns: string) => boolean;

  constructor(private readonly opts: ValidatorOptions) {
    this.admission = opts.admission ?? defaultAdmissionConfig();
    this.namespaces = opts.namespaces ?? new NamespaceRegistry();
    this.catalogue = new CatalogueRunner(opts.checks, opts.params);
    // What the checks make of a review lasts only as long as the review: nothing outlives its text.
    this.catalogue.copyStrings = false;
    this.suppressor = new Suppressor(opts.config);
    this.overrideMatchers = this.admission.namespaces.map((o, index) => ({ match: picomatch(o.names, { dot: true }), index }));
    const exempt = this.admission.exemptions.namespaces;
    this.exemptNamespace = exempt.length > 0 ? picomatch(exempt, { dot: true }) : () => false;
  }

  /** The PSS levels and catalogue thresholds in force in a namespace, labels applied. */
  modesFor(namespace: string | undefined): NamespaceModes {
    const d = this.admission.defaults;
    const modes: NamespaceModes = { pss: { ...d.pss }, versions: { ...d.versions }, checks: { ...d.checks } };
    if (namespace === undefined) return modes;
    const o = this.overrideMatchers.find((m) => m.match(namespace));
    if (o) {
      const over = this.admission.namespaces[o.index];
      Object.assign(modes.pss, over.pss);
      Object.assign(modes.versions, over.versions);
      Object.assign(modes.checks, over.checks);
    }
    if (this.admission.namespaceLabels) {
      const { level, version } = pssLabels(this.namespaces.get(namespace));
      for (const m of MODES) {
        if (level[m]) modes.pss[m] = level[m] as AdmissionLevel;
        if (version[m]) modes.versions[m] = version[m]!;
      }
    }
    return modes;
  }

  /**
   * Why the request is exempt (Pod Security Admission's three exemptions), or undefined. `pod` is
   * the object's pod spec (podSpecOf), which the caller has found already.
   */
  isExempt(req: AdmissionRequest, pod: PodSpecRef | undefined): 'namespace' | 'user' | 'runtimeClass' | undefined {
    if (req.namespace !== undefined && this.exemptNamespace(req.namespace)) return 'namespace';
    const user = req.userInfo.username ?? '';
    if (user !== '' && this.admission.exemptions.usernames.includes(user)) return 'user';
    const rc = pod?.spec.runtimeClassName;
    if (typeof rc === 'string' && this.admission.exemptions.runtimeClasses.includes(rc)) return 'runtimeClass';
    return undefined;
  }

  validate(req: AdmissionRequest): Verdict {
    try {
      return this.decide(req);
    } catch (err) {
      return this.failure(`internal error: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** The answer when Palisade itself cannot evaluate a request, per `onError`. */
  failure(problem: string): Verdict {
    if (this.admission.onError === 'allow') {
      return { decision: { allowed: true, warnings: [`Palisade could not evaluate this request (${problem}); allowed because onError is allow`] }, reasons: [], skipped: 'error' };
    }
    return { decision: { allowed: false, status: { code: 500, reason: 'InternalError', message: `Palisade could not evaluate this request: ${problem}` } }, reasons: [], skipped: 'error' };
  }

  private decide(req: AdmissionRequest): Verdict {
    const unreviewed = unreviewedOperation(req);
    if (unreviewed) return unreviewed;
    const obj = req.object as KubeObject;
    const kind = req.kind.kind;

    if (kind === 'Namespace' && req.kind.group === '' && !req.subResource) return this.namespaceRequest(req, obj);

    const namespace = req.namespace;
    const resource = new Resource(obj, { file: 'admission', doc: 0 }, fixedLocator(0));
    const pod = resource.pod;
    const exemption = this.isExempt(req, pod);
    if (exemption) return exempt(exemption);

    if (pod) {
      if (kind === 'Pod' ? !POD_SUBRESOURCES.has(req.subResource ?? '') : req.subResource !== undefined) {
        return { decision: { allowed: true }, reasons: [], skipped: 'subresource' };
      }
      if (kind === 'Pod' && req.operation === 'UPDATE' && isObj(req.oldObject) && !isSignificantPodUpdate(obj, req.oldObject)) {
        return { decision: { allowed: true }, reasons: [], skipped: 'insignificant update' };
      }
    } else if (req.subResource !== undefined) {
      return { decision: { allowed: true }, reasons: [], skipped: 'subresource' };
    }

    const modes = this.modesFor(namespace);
    // The pod's screen, once for PSS at every mode and for the catalogue (when either reads it).
    const areas = screenOf(resource, MODES.some((m) => modes.pss[m] !== 'privileged') || this.catalogue.screensPods);
    const known = pod !== undefined || this.catalogue.handles(resource.kind);
    const reasons: Reason[] = [];
    const denials: string[] = [];
    const warnings: string[] = [];
    const audit: Record<string, string> = {};

    // Pod Security Standards, evaluated once per distinct level and version.
    const pssPaths: Record<Mode, string[]> = { enforce: [], warn: [], audit: [] };
    if (pod) {
      const cache = new Map<string, ControlResult[]>();
      for (const mode of MODES) {
        const level = modes.pss[mode];
        if (level === 'privileged') continue;
        const minor = parsePssVersion(modes.versions[mode]) ?? parsePssVersion('latest')!;
        const key = `${level}:${minor}`;
        let results = cache.get(key);
        if (!results) cache.set(key, (results = evaluatePodSpec(pod, { level: level as PssLevel, minor }, resource.containers, areas)));
        if (results.length === 0) continue;
        const label = `"${level}:${modes.versions[mode] === 'latest' ? 'latest' : formatPssVersion(minor)}"`;
        const text = formatPssViolations(results);
        for (const r of results) {
          reasons.push({ check: `pss/${r.control.level}/${r.control.id}`, mode });
          for (const v of r.violations) pssPaths[mode].push(formatPath(v.path));
        }
        if (mode === 'enforce') denials.push(`violates PodSecurity ${label}: ${text}`);
        else if (mode === 'warn') warnings.push(`would violate PodSecurity ${label}: ${text}`);
        else audit['audit-violations'] = `would violate PodSecurity ${label}: ${text}`;
      }
      if (modes.pss.enforce !== 'privileged') audit['enforce-policy'] = `${modes.pss.enforce}:${modes.versions.enforce}`;
    }

    // Catalogue findings, each in the strictest mode whose threshold it reaches, unless a PSS
    // control already said the same thing about the same field in that mode or a stricter one.
    const findings = this.catalogueFindings(resource, areas);
    const checkLines: string[] = [];
    for (const f of findings) {
      const mode = MODES.find((m) => levelAtLeast(f.severity, modes.checks[m]));
      if (!mode) continue;
      const stricter = MODES.slice(0, MODES.indexOf(mode) + 1);
      if (stricter.some((m) => pssPaths[m].some((p) => samePlace(p, f.path)))) continue;
      reasons.push({ check: f.check, mode });
      const line = `${f.check} (${f.severity}): ${f.message} at ${f.path}`;
      if (mode === 'enforce') denials.push(line);
      else if (mode === 'warn') warnings.push(line);
      else checkLines.push(`${f.check} at ${f.path}`);
    }
    if (checkLines.length > 0) audit['check-violations'] = checkLines.join('; ');

    // ValidatingAdmissionPolicies.
    const vap = this.opts.vap;
    if (vap && vap.policies.length > 0) {
      const r = evaluateVap({ ...vap, namespaces: (name) => this.namespaceObject(name) }, req);
      for (const d of r.denials) {
        reasons.push({ check: `vap/${d.policy}`, mode: 'enforce' });
        denials.push(d.message);
      }
      warnings.push(...r.warnings);
      Object.assign(audit, r.auditAnnotations);
      if (!r.allowed && r.denials.length === 0 && r.status) denials.push(r.status.message);
    }

    if (!known && reasons.length === 0) warnings.push(`Palisade has no checks for ${kindLabel(req)}; it was admitted without review`);

    const what = `${kind} ${JSON.stringify(resource.name || req.name || '')}`;
    const decision: AdmissionDecision = denials.length > 0
      ? { allowed: false, status: { code: 403, reason: 'Forbidden', message: `${what}: ${denials.join('; ')}` } }
      : { allowed: true };
    if (warnings.length > 0) decision.warnings = warnings;
    if (Object.keys(audit).length > 0) decision.auditAnnotations = audit;
    return { decision, reasons };
  }

  private catalogueFindings(resource: Resource, areas = ALL_AREAS): readonly Finding[] {
    const run = this.catalogue.run(resource, () => [], areas);
    if (run.findings.length === 0) return run.findings;
    // Ignore rules can expire: rebuild the suppressor now and then so "now" moves on.
    if (Date.now() - this.suppressorMadeAt > 60_000) {
      this.suppressor = new Suppressor(this.opts.config);
      this.suppressorMadeAt = Date.now();
    }
    return this.suppressor.applyWith(run.findings, []).filter((f) => !f.suppressed);
  }

  /**
   * The Namespace a request's namespace is, for policies that select on it. One Palisade has
   * not been told about still exists (the API server admits nothing into a missing namespace)
   * and carries the label every namespace gets automatically.
   */
  private namespaceObject(name: string): Record<string, unknown> {
    const labels = this.namespaces.get(name) ?? { 'kubernetes.io/metadata.name': name };
    return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
  }

  /** A Namespace create/update: its PSS labels must be valid; the labels are learned. */
  private namespaceRequest(req: AdmissionRequest, obj: KubeObject): Verdict {
    const problems = invalidPssLabels(obj);
    if (problems.length > 0) {
      return {
        decision: { allowed: false, status: { code: 422, reason: 'Invalid', message: `Namespace ${JSON.stringify(req.name ?? '')}: ${problems.join('; ')}` } },
        reasons: [{ check: 'namespace/pss-labels', mode: 'enforce' }],
      };
    }
    if (!req.dryRun) this.namespaces.observe(obj);
    const resource = new Resource(obj, { file: 'admission', doc: 0 }, fixedLocator(0));
    const warnings: string[] = [];
    const reasons: Reason[] = [];
    const modes = this.modesFor(undefined);
    for (const f of this.catalogueFindings(resource)) {
      if (!levelAtLeast(f.severity, modes.checks.warn) && !levelAtLeast(f.severity, modes.checks.enforce)) continue;
      reasons.push({ check: f.check, mode: 'warn' });
      warnings.push(`${f.check} (${f.severity}): ${f.message}`);
    }
    return { decision: warnings.length > 0 ? { allowed: true, warnings } : { allowed: true }, reasons };
  }
}

/** The answer for DELETE and CONNECT (allowed) and for operations the API server never sends (allowed, saying so). */
export function unreviewedOperation(req: AdmissionRequest): Verdict | undefined {
  if (!OPERATIONS.has(req.operation)) {
    return { decision: { allowed: true, warnings: [`unknown operation ${JSON.stringify(req.operation)}: not reviewed by Palisade`] }, reasons: [], skipped: 'operation' };
  }
  if (req.operation !== 'CREATE' && req.operation !== 'UPDATE') return { decision: { allowed: true }, reasons: [], skipped: 'operation' };
  return undefined;
}

function exempt(why: string): Verdict {
  return { decision: { allowed: true, auditAnnotations: { exempt: why } }, reasons: [], skipped: `exempt ${why}` };
}

function kindLabel(req: AdmissionRequest): string {
  const g = req.kind.group === '' ? req.kind.version : `${req.kind.group}/${req.kind.version}`;
  return `${req.kind.kind} (${g})`;
}

/** Whether a PSS violation path and a catalogue finding path name the same field (or one inside the other). */
function samePlace(pss: string, finding: string): boolean {
  return finding === pss || finding.startsWith(`${pss}[`) || finding.startsWith(`${pss}.`) || pss.startsWith(`${finding}.`);
}

/**
 * Pod Security Admission re-evaluates a pod update only when it can change what runs: a
 * container added or removed, an image changed, a seccomp annotation changed, or an ephemeral
 * container added (pod-security-admission's isSignificantPodUpdate).
 */
export function isSignificantPodUpdate(pod: KubeObject, old: KubeObject): boolean {
  const a = podSpecOf(pod);
  const b = podSpecOf(old);
  if (!a || !b) return true;
  const list = (spec: Record<string, unknown>, key: string) => (Array.isArray(spec[key]) ? (spec[key] as unknown[]) : []);
  const ann = (p: typeof a) => (isObj(p.meta.annotations) ? (p.meta.annotations as Record<string, unknown>) : {});
  const annA = ann(a);
  const annB = ann(b);
  const changed = (c: unknown, o: unknown) => {
    const name = isObj(c) ? c.name : undefined;
    if (!isObj(c) || !isObj(o)) return true;
    if (c.image !== o.image) return true;
    const key = `container.seccomp.security.alpha.kubernetes.io/${String(name)}`;
    return annA[key] !== annB[key];
  };
  for (const key of ['containers', 'initContainers']) {
    const x = list(a.spec, key);
    const y = list(b.spec, key);
    if (x.length !== y.length) return true;
    if (x.some((c, i) => changed(c, y[i]))) return true;
  }
  const oldEphemeral = list(b.spec, 'ephemeralContainers');
  for (const c of list(a.spec, 'ephemeralContainers')) {
    const o = oldEphemeral.find((e) => isObj(e) && isObj(c) && e.name === c.name);
    if (!o || changed(c, o)) return true;
  }
  return false;
}

