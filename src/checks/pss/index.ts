/**
 * Pod Security Standards evaluator with the semantics of Kubernetes' pod-security-admission
 * library: which controls apply at a level and version, and what each finds in a pod.
 */
import { containersOf, formatPath, isObj, memoizeLast, RecentMessages, type CheckInfo, type ContainerRef, type Finding, type PodSpecRef, type Resource } from '../../model/index.js';
import { BASELINE_CONTROLS } from './baseline.js';
import { RESTRICTED_CONTROLS } from './restricted.js';
import { refStrings } from '../catalogue/refs.js';
import { screenPod } from '../screen.js';
import type { PodContext, PssControl, PssLevel, Violation } from './types.js';

export type { PssControl, PssLevel, Violation } from './types.js';
export { BASELINE_CONTROLS, RESTRICTED_CONTROLS };

/** Newest policy version this evaluator knows; `latest` means this one. */
export const LATEST_MINOR = 37;
export const PSS_LEVELS: readonly PssLevel[] = ['baseline', 'restricted'];

export interface PssPolicy {
  level: PssLevel;
  /** Minor version: v1.N → N. */
  minor: number;
}

/**
 * Parses `latest` or `v1.N` the way the admission plugin does; versions newer than the
 * newest known one evaluate as latest. Returns undefined for anything else.
 */
export function parsePssVersion(text: string): number | undefined {
  if (text === 'latest') return LATEST_MINOR;
  const m = /^v1\.(0|[1-9][0-9]{0,3})$/.exec(text);
  if (!m) return undefined;
  return Math.min(Number(m[1]), LATEST_MINOR);
}

export function formatPssVersion(minor: number): string {
  return `v1.${minor}`;
}

/** The controls in force at a level and version (restricted = baseline + restricted − overridden). */
const controlCache = new Map<string, PssControl[]>();

/** Called for every pod, with the same policy object: the key is built only for a new one. */
export const controlsFor = memoizeLast((policy: PssPolicy): PssControl[] => {
  const key = `${policy.level}:${policy.minor}`;
  let controls = controlCache.get(key);
  if (!controls) controlCache.set(key, (controls = computeControls(policy)));
  return controls;
});

function computeControls(policy: PssPolicy): PssControl[] {
  const active = (c: PssControl) => c.since <= policy.minor;
  const baseline = BASELINE_CONTROLS.filter(active);
  if (policy.level === 'baseline') return baseline;
  const restricted = RESTRICTED_CONTROLS.filter(active);
  const overridden = new Set(restricted.flatMap((c) => c.overrides ?? []));
  return [...baseline.filter((c) => !overridden.has(c.id)), ...restricted];
}

export function pssCheckId(control: PssControl): string {
  return sharedOf(control).id;
}

/**
 * What every finding of a control shares: its check id and references (one copy per control,
 * not per finding: findings are kept to the end of a scan), and its recent messages.
 */
interface ControlShared {
  id: string;
  refs: string[];
  messages: RecentMessages;
}

const PSS_DOCS = 'https://kubernetes.io/docs/concepts/security/pod-security-standards/';
const shared = new Map<PssControl, ControlShared>();

function sharedOf(c: PssControl): ControlShared {
  let s = shared.get(c);
  if (!s) {
    s = {
      id: `pss/${c.level}/${c.id}`,
      // The control itself, then its equivalents in CIS and other tools, then the PSS page.
      refs: refStrings({ ...(c.refs ?? {}), pss: [`${c.level}/${c.id}`], links: [...(c.refs?.links ?? []), PSS_DOCS] }),
      messages: new RecentMessages(),
    };
    shared.set(c, s);
  }
  return s;
}

export interface ControlResult {
  control: PssControl;
  violations: Violation[];
}

function contextFor(pod: PodSpecRef, minor: number, containers: readonly ContainerRef[]): PodContext {
  const os = pod.spec.os;
  const annotations = isObj(pod.meta.annotations) ? (pod.meta.annotations as Record<string, unknown>) : {};
  return {
    pod,
    spec: pod.spec,
    annotations,
    containers,
    userNamespace: pod.spec.hostUsers === false,
    windows: isObj(os) && os.name === 'windows',
    minor,
  };
}

/**
 * Evaluates a pod spec; returns only the controls that found something. `containers` are the
 * pod's, when the caller has them already, and `areas` its screen (screen.ts): controls whose
 * areas are all unmarked are not evaluated.
 */
export function evaluatePodSpec(
  pod: PodSpecRef,
  policy: PssPolicy,
  containers: readonly ContainerRef[] = containersOf(pod),
  areas: number = screenPod(pod, containers),
): ControlResult[] {
  // Made for the first control the screen lets through: most pods in an input are hardened
  // alike, and their screen lets none through.
  let ctx: PodContext | undefined;
  const out: ControlResult[] = [];
  for (const control of controlsFor(policy)) {
    if (control.areas !== undefined && (control.areas & areas) === 0) continue;
    const violations = control.evaluate((ctx ??= contextFor(pod, policy.minor, containers)));
    if (violations.length > 0) out.push({ control, violations });
  }
  return out;
}

/**
 * The admission plugin's one-line summary, e.g.
 * `allowPrivilegeEscalation != false (container "a" must set …), unrestricted capabilities (…)`.
 */
export function formatPssViolations(results: readonly ControlResult[]): string {
  return results.map((r) => `${r.control.reason} (${groupDetails(r.violations.map((v) => v.detail)).join(r.control.joiner ?? '; ')})`).join(', ');
}

/** `container "a" X` + `container "b" X` → `containers "a", "b" X`, as the plugin words it. */
function groupDetails(details: readonly string[]): string[] {
  const groups = new Map<string, string[]>();
  const order: string[] = [];
  for (const d of details) {
    const m = /^(pod or )?container ("(?:[^"\\]|\\.)*") (.*)$/.exec(d);
    const key = m ? `${m[1] ?? ''}\u0000${m[3]}` : `\u0001${d}`;
    if (!groups.has(key)) { groups.set(key, []); order.push(key); }
    if (m) groups.get(key)!.push(m[2]);
  }
  return order.map((key) => {
    if (key.startsWith('\u0001')) return key.slice(1);
    const [prefix, rest] = key.split('\u0000');
    const names = groups.get(key)!;
    return `${prefix}${names.length === 1 ? 'container' : 'containers'} ${names.join(', ')} ${rest}`;
  });
}

/**
 * Findings for one resource: one per offending field, each with its own line. `areas` is the
 * pod's screen when the caller has it (ALL_AREAS evaluates every control).
 */
export function pssFindings(resource: Resource, policy: PssPolicy, areas?: number): Finding[] {
  const pod = resource.pod;
  if (!pod) return [];
  const results = evaluatePodSpec(pod, policy, resource.containers, areas);
  if (results.length === 0) return [];
  // Kept to the end of a scan: sized once, not grown finding by finding.
  let count = 0;
  for (const r of results) count += r.violations.length;
  const findings: Finding[] = new Array(count);
  let n = 0;
  // Resolving lines parses the document again with positions: only now that it is needed.
  const ref = resource.ref();
  for (const { control, violations } of results) {
    const { id, refs, messages } = sharedOf(control);
    for (const v of violations) {
      findings[n++] = {
        check: id,
        severity: control.severity,
        title: control.title,
        message: messages.intern(`${control.reason} (${v.detail})`),
        resource: ref,
        path: formatPath(v.path),
        line: resource.lineOf(v.path),
        remediation: control.remediation,
        stride: control.stride,
        refs,
        suppressed: false,
      };
    }
  }
  return findings;
}

export function pssCheckInfos(policy: PssPolicy): CheckInfo[] {
  return controlsFor(policy).map((c) => ({
    id: pssCheckId(c),
    title: c.title,
    severity: c.severity,
    description: c.description,
    remediation: c.example ? `${c.remediation}\n\n${c.example.trimEnd()}` : c.remediation,
    stride: c.stride,
    refs: sharedOf(c).refs,
    helpUri: PSS_DOCS,
  }));
}
