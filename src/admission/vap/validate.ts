/**
 * kube-apiserver's validation of ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding
 * (pkg/apis/admissionregistration/validation), after its defaulting (failurePolicy Fail,
 * matchPolicy Equivalent, empty selectors). CEL expressions are checked in compile.ts.
 * Unknown fields are warnings, as `kubectl apply` reports them by default.
 */
import { isDNS1035Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from '../cel/go/validation.js';
import {
  duplicate, fieldString, forbidden, invalid, notSupported, required, tooMany, wrongType, type FieldError, type FieldPath,
} from './field.js';
import type { JsonObject } from './types.js';

export const isObj = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

const FAILURE_POLICIES = ['Fail', 'Ignore'];
const MATCH_POLICIES = ['Equivalent', 'Exact'];
const OPERATIONS = ['*', 'CONNECT', 'CREATE', 'DELETE', 'UPDATE'];
const SCOPES = ['*', 'Cluster', 'Namespaced'];
const REASONS = ['Forbidden', 'Invalid', 'RequestEntityTooLarge', 'Unauthorized'];
const ACTIONS = ['Audit', 'Deny', 'Warn'];
const MAX_MATCH_CONDITIONS = 64;
const MAX_AUDIT_ANNOTATIONS = 20;
const MAX_AUDIT_VALUE_EXPRESSION = 5 * 1024;

const CEL_RESERVED = new Set(['true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function',
  'if', 'import', 'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while']);

export function isCelIdentifier(name: string): boolean {
  return /^[_a-zA-Z][_a-zA-Z0-9]*$/.test(name) && !CEL_RESERVED.has(name);
}

const KNOWN: Record<string, readonly string[]> = {
  policySpec: ['paramKind', 'matchConstraints', 'validations', 'failurePolicy', 'auditAnnotations', 'matchConditions', 'variables'],
  bindingSpec: ['policyName', 'paramRef', 'matchResources', 'validationActions'],
  matchResources: ['namespaceSelector', 'objectSelector', 'resourceRules', 'excludeResourceRules', 'matchPolicy'],
  rule: ['resourceNames', 'operations', 'apiGroups', 'apiVersions', 'resources', 'scope'],
  validation: ['expression', 'message', 'reason', 'messageExpression'],
  auditAnnotation: ['key', 'valueExpression'],
  matchCondition: ['name', 'expression'],
  variable: ['name', 'expression'],
  paramRef: ['name', 'namespace', 'selector', 'parameterNotFoundAction'],
  paramKind: ['apiVersion', 'kind'],
  selector: ['matchLabels', 'matchExpressions'],
  selectorRequirement: ['key', 'operator', 'values'],
};

export interface Checked {
  errors: FieldError[];
  warnings: FieldError[];
}

function unknownFields(v: JsonObject, kind: keyof typeof KNOWN, path: FieldPath, out: FieldError[]): void {
  for (const k of Object.keys(v)) {
    if (!KNOWN[kind].includes(k)) out.push({ path: [...path, k], message: `unknown field "${fieldString([...path, k])}"` });
  }
}

/** Items of a list field (absent → []); a non-list is an error. */
function list(v: unknown, path: FieldPath, errs: FieldError[]): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    errs.push(wrongType(path, v, 'a list'));
    return [];
  }
  return v;
}

function strings(v: unknown, path: FieldPath, errs: FieldError[]): string[] {
  const items = list(v, path, errs);
  const out: string[] = [];
  items.forEach((x, i) => {
    if (typeof x === 'string') out.push(x);
    else errs.push(wrongType([...path, i], x, 'a string'));
  });
  return out;
}

function optString(v: unknown, path: FieldPath, errs: FieldError[]): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') {
    errs.push(wrongType(path, v, 'a string'));
    return undefined;
  }
  return v;
}

function validateName(meta: unknown, errs: FieldError[]): void {
  const name = isObj(meta) ? meta.name : undefined;
  if (typeof name !== 'string' || name === '') {
    errs.push(required(['metadata', 'name'], 'name or generateName is required'));
    return;
  }
  for (const m of isDNS1123Subdomain(name)) errs.push(invalid(['metadata', 'name'], name, m));
}

function validateQualifiedName(value: string, path: FieldPath, errs: FieldError[]): void {
  for (const m of isQualifiedName(value)) errs.push(invalid(path, value, m));
}

export function validateLabelSelector(sel: unknown, path: FieldPath, errs: FieldError[], warns: FieldError[]): void {
  if (sel === undefined || sel === null) return;
  if (!isObj(sel)) {
    errs.push(wrongType(path, sel, 'a label selector'));
    return;
  }
  unknownFields(sel, 'selector', path, warns);
  if (sel.matchLabels !== undefined && sel.matchLabels !== null) {
    if (!isObj(sel.matchLabels)) errs.push(wrongType([...path, 'matchLabels'], sel.matchLabels, 'a map of strings'));
    else {
      for (const [k, v] of Object.entries(sel.matchLabels)) {
        validateQualifiedName(k, [...path, 'matchLabels'], errs);
        if (typeof v !== 'string') errs.push(wrongType([...path, 'matchLabels'], v, 'a string'));
        else for (const m of isValidLabelValue(v)) errs.push(invalid([...path, 'matchLabels'], v, m));
      }
    }
  }
  list(sel.matchExpressions, [...path, 'matchExpressions'], errs).forEach((e, i) => {
    const p = [...path, 'matchExpressions', i];
    if (!isObj(e)) {
      errs.push(wrongType(p, e, 'a label selector requirement'));
      return;
    }
    unknownFields(e, 'selectorRequirement', p, warns);
    const values = strings(e.values, [...p, 'values'], errs);
    switch (e.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errs.push(required([...p, 'values'], "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) errs.push(forbidden([...p, 'values'], "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(invalid([...p, 'operator'], e.operator, 'not a valid selector operator'));
    }
    if (typeof e.key !== 'string') errs.push(required([...p, 'key']));
    else validateQualifiedName(e.key, [...p, 'key'], errs);
    values.forEach((v, j) => {
      for (const m of isValidLabelValue(v)) errs.push(invalid([...p, 'values', j], v, m));
    });
  });
}

function hasWildcard(xs: string[]): boolean {
  return xs.includes('*');
}

function validateResources(resources: string[], path: FieldPath, errs: FieldError[]): void {
  if (resources.length === 0) errs.push(required(path));
  const withWildSub = new Set<string>();
  const subWithWildRes = new Set<string>();
  let doubleWild = false;
  let singleWild = false;
  let plain = false;
  resources.forEach((rs, i) => {
    if (rs === '') {
      errs.push(required([...path, i]));
      return;
    }
    if (rs === '*/*') doubleWild = true;
    if (rs === '*') singleWild = true;
    const slash = rs.indexOf('/');
    if (slash === -1) {
      plain = rs !== '*';
      return;
    }
    const res = rs.slice(0, slash);
    const sub = rs.slice(slash + 1);
    if (withWildSub.has(res)) errs.push(invalid([...path, i], rs, `if '${res}/*' is present, must not specify ${rs}`));
    if (subWithWildRes.has(sub)) errs.push(invalid([...path, i], rs, `if '*/${sub}' is present, must not specify ${rs}`));
    if (sub === '*') withWildSub.add(res);
    if (res === '*') subWithWildRes.add(sub);
  });
  if (resources.length > 1 && doubleWild) errs.push(invalid(path, resources, "if '*/*' is present, must not specify other resources"));
  if (singleWild && plain) errs.push(invalid(path, resources, "if '*' is present, must not specify other resources without subresources"));
}

function validateRule(rule: unknown, path: FieldPath, errs: FieldError[], warns: FieldError[]): void {
  if (!isObj(rule)) {
    errs.push(wrongType(path, rule, 'a rule'));
    return;
  }
  unknownFields(rule, 'rule', path, warns);
  const ops = strings(rule.operations, [...path, 'operations'], errs);
  if (ops.length === 0) errs.push(required([...path, 'operations']));
  if (ops.length > 1 && hasWildcard(ops)) errs.push(invalid([...path, 'operations'], ops, "if '*' is present, must not specify other operations"));
  ops.forEach((op, i) => {
    if (!OPERATIONS.includes(op)) errs.push(notSupported([...path, 'operations', i], op, OPERATIONS));
  });
  const groups = strings(rule.apiGroups, [...path, 'apiGroups'], errs);
  if (groups.length === 0) errs.push(required([...path, 'apiGroups']));
  if (groups.length > 1 && hasWildcard(groups)) errs.push(invalid([...path, 'apiGroups'], groups, "if '*' is present, must not specify other API groups"));
  const versions = strings(rule.apiVersions, [...path, 'apiVersions'], errs);
  if (versions.length === 0) errs.push(required([...path, 'apiVersions']));
  if (versions.length > 1 && hasWildcard(versions)) errs.push(invalid([...path, 'apiVersions'], versions, "if '*' is present, must not specify other API versions"));
  versions.forEach((v, i) => {
    if (v === '') errs.push(required([...path, 'apiVersions', i]));
  });
  validateResources(strings(rule.resources, [...path, 'resources'], errs), [...path, 'resources'], errs);
  if (rule.scope !== undefined && rule.scope !== null && !SCOPES.includes(String(rule.scope))) errs.push(notSupported([...path, 'scope'], rule.scope, SCOPES));
  const seen = new Set<string>();
  strings(rule.resourceNames, [...path, 'resourceNames'], errs).forEach((n, i) => {
    const p = [...path, 'resourceNames', i];
    if (n === '.' || n === '..') errs.push(invalid(p, n, `may not be '${n}'`));
    for (const bad of ['/', '%']) if (n.includes(bad)) errs.push(invalid(p, n, `may not contain '${bad}'`));
    if (seen.has(n)) errs.push(duplicate(p, n));
    seen.add(n);
  });
}

/** Applies kube-apiserver's defaults to a MatchResources object (in place on a copy). */
export function defaultMatchResources(mr: unknown): JsonObject | undefined {
  if (!isObj(mr)) return undefined;
  return {
    ...mr,
    namespaceSelector: mr.namespaceSelector ?? {},
    objectSelector: mr.objectSelector ?? {},
    matchPolicy: mr.matchPolicy ?? 'Equivalent',
  };
}

function validateMatchResources(mr: unknown, path: FieldPath, errs: FieldError[], warns: FieldError[]): void {
  if (mr === undefined || mr === null) return;
  if (!isObj(mr)) {
    errs.push(wrongType(path, mr, 'a MatchResources object'));
    return;
  }
  unknownFields(mr, 'matchResources', path, warns);
  const d = defaultMatchResources(mr) as JsonObject;
  if (!MATCH_POLICIES.includes(String(d.matchPolicy))) errs.push(notSupported([...path, 'matchPolicy'], d.matchPolicy, MATCH_POLICIES));
  validateLabelSelector(d.namespaceSelector, [...path, 'namespaceSelector'], errs, warns);
  validateLabelSelector(d.objectSelector, [...path, 'objectSelector'], errs, warns);
  list(mr.resourceRules, [...path, 'resourceRules'], errs).forEach((r, i) => validateRule(r, [...path, 'resourceRules', i], errs, warns));
  list(mr.excludeResourceRules, [...path, 'excludeResourceRules'], errs).forEach((r, i) => validateRule(r, [...path, 'excludeResourceRules', i], errs, warns));
}

function parseGroupVersion(gv: string): { group: string; version: string } | string {
  if (gv === '' || gv === '/') return { group: '', version: '' };
  const n = gv.split('/').length - 1;
  if (n === 0) return { group: '', version: gv };
  if (n === 1) return { group: gv.slice(0, gv.indexOf('/')), version: gv.slice(gv.indexOf('/') + 1) };
  return `unexpected GroupVersion string: ${gv}`;
}

function validateParamKind(pk: unknown, path: FieldPath, errs: FieldError[], warns: FieldError[]): void {
  if (!isObj(pk)) {
    errs.push(wrongType(path, pk, 'a ParamKind object'));
    return;
  }
  unknownFields(pk, 'paramKind', path, warns);
  const av = optString(pk.apiVersion, [...path, 'apiVersion'], errs);
  if (av === undefined || av === '') errs.push(required([...path, 'apiVersion']));
  else {
    const gv = parseGroupVersion(av);
    if (typeof gv === 'string') errs.push(invalid([...path, 'apiVersion'], av, gv));
    else {
      if (gv.group !== '') {
        const m = isDNS1123Subdomain(gv.group);
        if (m.length > 0) errs.push(invalid([...path, 'apiVersion'], gv.group, m.join(',')));
      }
      if (gv.version === '') errs.push(invalid([...path, 'apiVersion'], av, 'version must be specified'));
      else {
        const m = isDNS1035Label(gv.version);
        if (m.length > 0) errs.push(invalid([...path, 'apiVersion'], gv.version, m.join(',')));
      }
    }
  }
  const kind = optString(pk.kind, [...path, 'kind'], errs);
  if (kind === undefined || kind === '') errs.push(required([...path, 'kind']));
  else {
    const m = isDNS1035Label(kind.toLowerCase());
    if (m.length > 0) errs.push(invalid([...path, 'kind'], kind, `may have mixed case, but should otherwise match: ${m.join(',')}`));
  }
}

/** Structure of a ValidatingAdmissionPolicy (expressions are compiled in compile.ts). */
export function validatePolicyObject(p: JsonObject): Checked {
  const errors: FieldError[] = [];
  const warnings: FieldError[] = [];
  validateName(p.metadata, errors);
  const spec = p.spec;
  if (!isObj(spec)) {
    errors.push(required(['spec']));
    return { errors, warnings };
  }
  unknownFields(spec, 'policySpec', ['spec'], warnings);
  const fp = spec.failurePolicy ?? 'Fail';
  if (!FAILURE_POLICIES.includes(String(fp))) errors.push(notSupported(['spec', 'failurePolicy'], fp, FAILURE_POLICIES));
  if (spec.paramKind !== undefined && spec.paramKind !== null) validateParamKind(spec.paramKind, ['spec', 'paramKind'], errors, warnings);
  if (spec.matchConstraints === undefined || spec.matchConstraints === null) {
    errors.push(required(['spec', 'matchConstraints']));
  } else {
    validateMatchResources(spec.matchConstraints, ['spec', 'matchConstraints'], errors, warnings);
    if (isObj(spec.matchConstraints) && (!Array.isArray(spec.matchConstraints.resourceRules) || spec.matchConstraints.resourceRules.length === 0)) {
      errors.push(required(['spec', 'matchConstraints', 'resourceRules']));
    }
  }
  const conditions = list(spec.matchConditions, ['spec', 'matchConditions'], errors);
  if (conditions.length > MAX_MATCH_CONDITIONS) errors.push(tooMany(['spec', 'matchConditions'], conditions.length, MAX_MATCH_CONDITIONS));
  const condNames = new Set<string>();
  conditions.forEach((c, i) => {
    const p = ['spec', 'matchConditions', i];
    if (!isObj(c)) return void errors.push(wrongType(p, c, 'a MatchCondition'));
    unknownFields(c, 'matchCondition', p, warnings);
    const expr = optString(c.expression, [...p, 'expression'], errors);
    if (expr === undefined || expr.trim() === '') errors.push(required([...p, 'expression']));
    const name = optString(c.name, [...p, 'name'], errors);
    if (name === undefined || name === '') errors.push(required([...p, 'name']));
    else {
      validateQualifiedName(name, [...p, 'name'], errors);
      if (condNames.has(name)) errors.push(duplicate([...p, 'name'], name));
      condNames.add(name);
    }
  });
  list(spec.variables, ['spec', 'variables'], errors).forEach((v, i) => {
    const p = ['spec', 'variables', i];
    if (!isObj(v)) return void errors.push(wrongType(p, v, 'a Variable'));
    unknownFields(v, 'variable', p, warnings);
    const name = optString(v.name, [...p, 'name'], errors);
    if (name === undefined || name.trim() === '') errors.push(required([...p, 'name'], 'name is not specified'));
    else if (!isCelIdentifier(name)) errors.push(invalid([...p, 'name'], name, 'name is not a valid CEL identifier'));
    const expr = optString(v.expression, [...p, 'expression'], errors);
    if (expr === undefined || expr.trim() === '') errors.push(required([...p, 'expression'], 'expression is not specified'));
  });
  const validations = list(spec.validations, ['spec', 'validations'], errors);
  const annotations = list(spec.auditAnnotations, ['spec', 'auditAnnotations'], errors);
  if (validations.length === 0 && annotations.length === 0) {
    errors.push(required(['spec', 'validations'], 'validations or auditAnnotations must contain at least one item'));
    errors.push(required(['spec', 'auditAnnotations'], 'validations or auditAnnotations must contain at least one item'));
  }
  validations.forEach((v, i) => {
    const p = ['spec', 'validations', i];
    if (!isObj(v)) return void errors.push(wrongType(p, v, 'a Validation'));
    unknownFields(v, 'validation', p, warnings);
    const expr = optString(v.expression, [...p, 'expression'], errors);
    if (expr === undefined || expr.trim() === '') errors.push(required([...p, 'expression'], 'expression is not specified'));
    const me = optString(v.messageExpression, [...p, 'messageExpression'], errors);
    if (me !== undefined && me.length > 0 && me.trim() === '') errors.push(invalid([...p, 'messageExpression'], me, 'must be non-empty if specified'));
    const msg = optString(v.message, [...p, 'message'], errors);
    if (msg !== undefined && msg.length > 0 && msg.trim() === '') errors.push(invalid([...p, 'message'], msg, 'message must be non-empty if specified'));
    else if (msg !== undefined && /[\n\r]/.test(msg.trim())) errors.push(invalid([...p, 'message'], msg, 'message must not contain line breaks'));
    if (v.reason !== undefined && v.reason !== null && !REASONS.includes(String(v.reason))) errors.push(notSupported([...p, 'reason'], v.reason, REASONS));
  });
  if (annotations.length > MAX_AUDIT_ANNOTATIONS) errors.push(invalid(['spec', 'auditAnnotations'], `${annotations.length} items`, `must not have more than ${MAX_AUDIT_ANNOTATIONS} auditAnnotations`));
  const keys = new Set<string>();
  const policyName = isObj(p.metadata) && typeof p.metadata.name === 'string' ? p.metadata.name : '';
  annotations.forEach((a, i) => {
    const path = ['spec', 'auditAnnotations', i];
    if (!isObj(a)) return void errors.push(wrongType(path, a, 'an AuditAnnotation'));
    unknownFields(a, 'auditAnnotation', path, warnings);
    const key = optString(a.key, [...path, 'key'], errors) ?? '';
    if (policyName !== '') validateQualifiedName(`${policyName}/${key}`, [...path, 'key'], errors);
    else errors.push(invalid([...path, 'key'], key, 'requires metadata.name be non-empty'));
    const ve = optString(a.valueExpression, [...path, 'valueExpression'], errors);
    if (ve === undefined || ve.trim() === '') errors.push(required([...path, 'valueExpression'], 'valueExpression is not specified'));
    else if (ve.trim().length > MAX_AUDIT_VALUE_EXPRESSION) errors.push(required([...path, 'valueExpression'], `must not exceed ${MAX_AUDIT_VALUE_EXPRESSION} bytes in length`));
    if (keys.has(key)) errors.push(duplicate([...path, 'key'], key));
    keys.add(key);
  });
  return { errors, warnings };
}

/** A ValidatingAdmissionPolicyBinding. */
export function validateBindingObject(b: JsonObject): Checked {
  const errors: FieldError[] = [];
  const warnings: FieldError[] = [];
  validateName(b.metadata, errors);
  const spec = b.spec;
  if (!isObj(spec)) {
    errors.push(required(['spec']));
    return { errors, warnings };
  }
  unknownFields(spec, 'bindingSpec', ['spec'], warnings);
  const pn = optString(spec.policyName, ['spec', 'policyName'], errors);
  if (pn === undefined || pn === '') errors.push(required(['spec', 'policyName']));
  else for (const m of isDNS1123Subdomain(pn)) errors.push(invalid(['spec', 'policyName'], pn, m));
  const pr = spec.paramRef;
  if (pr !== undefined && pr !== null) {
    const p = ['spec', 'paramRef'];
    if (!isObj(pr)) errors.push(wrongType(p, pr, 'a ParamRef'));
    else {
      unknownFields(pr, 'paramRef', p, warnings);
      const name = optString(pr.name, [...p, 'name'], errors) ?? '';
      const hasSel = pr.selector !== undefined && pr.selector !== null;
      if (name !== '') {
        if (name === '.' || name === '..') errors.push(invalid([...p, 'name'], name, `may not be '${name}'`));
        for (const bad of ['/', '%']) if (name.includes(bad)) errors.push(invalid([...p, 'name'], name, `may not contain '${bad}'`));
        if (hasSel) errors.push(forbidden([...p, 'name'], 'name and selector are mutually exclusive'));
      }
      if (hasSel) {
        validateLabelSelector(pr.selector, [...p, 'selector'], errors, warnings);
        if (name !== '') errors.push(forbidden([...p, 'selector'], 'name and selector are mutually exclusive'));
      }
      if (name === '' && !hasSel) errors.push(required(p, 'one of name or selector must be specified'));
      const pnfa = pr.parameterNotFoundAction;
      if (pnfa === undefined || pnfa === null || pnfa === '') errors.push(required([...p, 'parameterNotFoundAction']));
      else if (pnfa !== 'Deny' && pnfa !== 'Allow') errors.push(notSupported([...p, 'parameterNotFoundAction'], pnfa, ['Deny', 'Allow']));
    }
  }
  validateMatchResources(spec.matchResources, ['spec', 'matchResources'], errors, warnings);
  const actions = strings(spec.validationActions, ['spec', 'validationActions'], errors);
  const seen = new Set<string>();
  actions.forEach((a, i) => {
    if (!ACTIONS.includes(a)) errors.push(notSupported(['spec', 'validationActions', i], a, ACTIONS));
    if (seen.has(a)) errors.push(duplicate(['spec', 'validationActions', i], a));
    seen.add(a);
  });
  if (seen.has('Deny') && seen.has('Warn')) {
    errors.push(invalid(['spec', 'validationActions'], actions, 'must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)'));
  }
  if (seen.size === 0) errors.push(required(['spec', 'validationActions'], 'at least one validation action is required'));
  return { errors, warnings };
}
