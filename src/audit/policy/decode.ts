/**
 * Plain YAML/JSON value → typed Policy, the way kube-apiserver's decoder does it: field names
 * are case-sensitive, a value of the wrong type is an error, `null` is the zero value, and
 * unknown fields are only warned about (the apiserver retries a failed strict decoding
 * leniently, which drops them).
 */
import { type GroupResources, type Level, type Policy, type PolicyProblem, type PolicyRule, type Stage } from './types.js';

export type PathSeg = string | number;
/** 1-based line of a path inside the document (or of its nearest existing ancestor). */
export type LineOf = (path: readonly PathSeg[]) => number;

export const POLICY_API_VERSION = 'audit.k8s.io/v1';

const POLICY_FIELDS = new Set(['apiVersion', 'kind', 'metadata', 'rules', 'omitStages', 'omitManagedFields']);
const RULE_FIELDS = new Set(['level', 'users', 'userGroups', 'verbs', 'resources', 'namespaces', 'nonResourceURLs', 'omitStages', 'omitManagedFields']);
const GROUP_RESOURCES_FIELDS = new Set(['group', 'resources', 'resourceNames']);

export interface Decoded {
  /**
   * Undefined when the document is not an audit.k8s.io/v1 Policy. Fields of the wrong type
   * are errors and decode as their zero value, so that validation can still look at the rest.
   */
  policy?: Policy;
  errors: PolicyProblem[];
  warnings: PolicyProblem[];
  /** Paths (`rules[2].verbs`) of fields with the wrong type. */
  badPaths: string[];
}

/** `rules[3].resources[0].group` */
export function pathText(path: readonly PathSeg[]): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? seg : `.${seg}`;
  return out;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (v instanceof Date) return 'a timestamp';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'number' || typeof v === 'bigint') return 'a number';
  if (typeof v === 'boolean') return 'a boolean';
  return `a ${typeof v}`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date);
}

class Decoder {
  readonly errors: PolicyProblem[] = [];
  readonly warnings: PolicyProblem[] = [];
  /** Fields that had the wrong type (validation says nothing more about them). */
  readonly badPaths: string[] = [];

  constructor(
    private readonly file: string,
    readonly lineOf: LineOf,
  ) {}

  /** A field of the wrong type: `path: message` at the field's line. */
  error(path: readonly PathSeg[], message: string): void {
    this.errors.push({ file: this.file, line: this.lineOf(path), message: path.length > 0 ? `${pathText(path)}: ${message}` : message });
    this.badPaths.push(pathText(path));
  }

  /** A sentence about the document (no field path in front) at the line of `at`. */
  problem(at: readonly PathSeg[], message: string): void {
    this.errors.push({ file: this.file, line: this.lineOf(at), message });
  }

  unknownFields(obj: Record<string, unknown>, known: ReadonlySet<string>, path: readonly PathSeg[]): void {
    for (const key of Object.keys(obj)) {
      if (known.has(key)) continue;
      const near = [...known].find((k) => k.toLowerCase() === key.toLowerCase());
      this.warnings.push({
        file: this.file,
        line: this.lineOf([...path, key]),
        message: `unknown field "${pathText([...path, key])}"${near ? ` (did you mean "${near}"? field names are case-sensitive)` : ''}: kube-apiserver ignores it`,
      });
    }
  }

  string(v: unknown, path: readonly PathSeg[]): string {
    if (v === null || v === undefined) return '';
    if (typeof v === 'string') return v;
    this.error(path, `must be a string, not ${typeName(v)}`);
    return '';
  }

  strings(v: unknown, path: readonly PathSeg[]): string[] {
    if (v === null || v === undefined) return [];
    if (!Array.isArray(v)) {
      this.error(path, `must be a list of strings, not ${typeName(v)}`);
      return [];
    }
    return v.map((item, i) => this.string(item, [...path, i]));
  }

  bool(v: unknown, path: readonly PathSeg[]): boolean | undefined {
    if (v === null || v === undefined) return undefined;
    if (typeof v === 'boolean') return v;
    this.error(path, `must be a boolean (true or false), not ${typeName(v)}`);
    return undefined;
  }

  /** Stages are strings here; whether they are valid stages is validation's business. */
  stages(v: unknown, path: readonly PathSeg[]): Stage[] {
    return this.strings(v, path) as Stage[];
  }

  groupResources(v: unknown, path: readonly PathSeg[]): GroupResources {
    if (v === null || v === undefined) return { group: '', resources: [], resourceNames: [], line: this.lineOf(path) };
    if (!isRecord(v)) {
      this.error(path, `must be a mapping (group, resources, resourceNames), not ${typeName(v)}`);
      return { group: '', resources: [], resourceNames: [] };
    }
    this.unknownFields(v, GROUP_RESOURCES_FIELDS, path);
    return {
      group: this.string(v.group, [...path, 'group']),
      resources: this.strings(v.resources, [...path, 'resources']),
      resourceNames: this.strings(v.resourceNames, [...path, 'resourceNames']),
      line: this.lineOf(path),
    };
  }

  rule(v: unknown, index: number): PolicyRule {
    const path: PathSeg[] = ['rules', index];
    const rule: PolicyRule = {
      index,
      line: this.lineOf(path),
      level: '' as Level,
      users: [], userGroups: [], verbs: [], resources: [], namespaces: [], nonResourceURLs: [], omitStages: [],
    };
    if (v === null || v === undefined) return rule;
    if (!isRecord(v)) {
      this.error(path, `must be a mapping (a rule with a level), not ${typeName(v)}`);
      return rule;
    }
    this.unknownFields(v, RULE_FIELDS, path);
    const level = this.string(v.level, [...path, 'level']);
    // Any string decodes (as in Go); validation rejects the ones that are not levels.
    rule.level = level as Level;
    rule.users = this.strings(v.users, [...path, 'users']);
    rule.userGroups = this.strings(v.userGroups, [...path, 'userGroups']);
    rule.verbs = this.strings(v.verbs, [...path, 'verbs']);
    rule.namespaces = this.strings(v.namespaces, [...path, 'namespaces']);
    rule.nonResourceURLs = this.strings(v.nonResourceURLs, [...path, 'nonResourceURLs']);
    rule.omitStages = this.stages(v.omitStages, [...path, 'omitStages']);
    const resources = v.resources;
    if (resources !== null && resources !== undefined) {
      if (Array.isArray(resources)) rule.resources = resources.map((gr, i) => this.groupResources(gr, [...path, 'resources', i]));
      else this.error([...path, 'resources'], `must be a list of {group, resources, resourceNames}, not ${typeName(resources)}`);
    }
    const omf = this.bool(v.omitManagedFields, [...path, 'omitManagedFields']);
    if (omf !== undefined) rule.omitManagedFields = omf;
    return rule;
  }
}

/** Decodes the first document of a policy file. `value` is what the YAML parser produced. */
export function decodePolicy(value: unknown, file: string, lineOf: LineOf): Decoded {
  const d = new Decoder(file, lineOf);
  const done = (policy?: Policy): Decoded => ({ policy, errors: d.errors, warnings: d.warnings, badPaths: d.badPaths });
  if (value === null || value === undefined) {
    d.problem([], `empty document: expected an ${POLICY_API_VERSION} Policy`);
    return done();
  }
  if (!isRecord(value)) {
    d.problem([], `the document is ${typeName(value)}, not an ${POLICY_API_VERSION} Policy`);
    return done();
  }
  const { apiVersion, kind } = value;
  if (apiVersion === undefined || apiVersion === null || apiVersion === '') {
    d.problem([], `apiVersion is missing: an audit policy must say apiVersion: ${POLICY_API_VERSION}`);
  } else if (apiVersion !== POLICY_API_VERSION) {
    const old = apiVersion === 'audit.k8s.io/v1beta1' || apiVersion === 'audit.k8s.io/v1alpha1';
    d.problem(['apiVersion'], `apiVersion ${JSON.stringify(apiVersion)} is not accepted: kube-apiserver reads only ${POLICY_API_VERSION} policies${old ? ' (v1alpha1 and v1beta1 were removed in Kubernetes 1.24)' : ''}`);
  }
  if (kind === undefined || kind === null || kind === '') {
    d.problem([], 'kind is missing: an audit policy must say kind: Policy');
  } else if (kind !== 'Policy') {
    d.problem(['kind'], `kind ${JSON.stringify(kind)} is not an audit policy: expected kind: Policy`);
  }
  // Without the right apiVersion and kind the rest would be guesswork.
  if (d.errors.length > 0) return done();

  d.unknownFields(value, POLICY_FIELDS, []);
  if (value.metadata !== undefined && value.metadata !== null && !isRecord(value.metadata)) {
    d.error(['metadata'], `must be a mapping, not ${typeName(value.metadata)}`);
  }
  const policy: Policy = {
    file,
    line: lineOf([]),
    rulesLine: lineOf(value.rules === undefined ? [] : ['rules']),
    omitStages: d.stages(value.omitStages, ['omitStages']),
    omitManagedFields: d.bool(value.omitManagedFields, ['omitManagedFields']) ?? false,
    rules: [],
  };
  const rules = value.rules;
  if (rules !== null && rules !== undefined) {
    if (Array.isArray(rules)) policy.rules = rules.map((r, i) => d.rule(r, i));
    else d.error(['rules'], `must be a list of rules, not ${typeName(rules)}`);
  }
  return done(policy);
}
