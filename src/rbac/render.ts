/**
 * Answers as JSON and as text: `can` (kubectl auth can-i's yes/no, plus why), `who-can` and
 * `access`. Every binding, role and rule is named with where it is written (file:line, or
 * built-in), and rules of aggregated roles say which role they came from.
 */
import type { AccessMatrix } from './access.js';
import { subjectLabel, type Decision, type WhoCanSubject } from './authorizer.js';
import { ruleText } from './match.js';
import { requestText } from './request.js';
import { objectId, originText, type Grant, type RequestAttributes, type RoleDef, type UserInfo } from './types.js';

/** Terminal-safe single-line text (names come from the input files). */
export function clean(s: string): string {
  return s.replace(/[\t\n\r]+/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** file:line of a rule inside the role that wrote it. */
export function ruleAt(role: RoleDef, index: number): string {
  if (role.origin.builtin || !role.resource) return originText(role.origin);
  return `${role.origin.file}:${role.resource.lineOf(['rules', index])}`;
}

export function bindingAt(g: Grant): string {
  const b = g.binding;
  if (b.origin.builtin || !b.resource) return originText(b.origin);
  return `${b.origin.file}:${b.resource.lineOf(['subjects', g.subjectIndex])}`;
}

export interface GrantJson {
  binding: string;
  role: string;
  rule: number;
  subject: number;
  bindingAt: string;
  ruleAt: string;
  aggregatedFrom?: { role: string; rule: number };
  namespace?: string;
}

export function grantJson(g: Grant): GrantJson {
  const src = g.role.ruleSources[g.ruleIndex];
  const out: GrantJson = {
    binding: objectId(g.binding),
    role: objectId(g.role),
    rule: g.ruleIndex,
    subject: g.subjectIndex,
    bindingAt: bindingAt(g),
    ruleAt: ruleAt(src.role, src.index),
  };
  if (src.role !== g.role) out.aggregatedFrom = { role: objectId(src.role), rule: src.index };
  return out;
}

export function grantText(g: Grant): string {
  const src = g.role.ruleSources[g.ruleIndex];
  const from = src.role !== g.role ? `, from ${objectId(src.role)} rule ${src.index}` : '';
  return `${objectId(g.binding)} (${bindingAt(g)}) → ${objectId(g.role)} rule ${g.ruleIndex} (${ruleAt(src.role, src.index)}${from}): ${ruleText(g.role.rules[g.ruleIndex])}`;
}

function requestJson(req: RequestAttributes): Record<string, unknown> {
  if (!req.resourceRequest) return { verb: req.verb, nonResourceURL: req.path };
  const out: Record<string, unknown> = { verb: req.verb, apiGroup: req.apiGroup, resource: req.resource };
  if (req.subresource !== '') out.subresource = req.subresource;
  if (req.name !== '') out.name = req.name;
  out.namespace = req.namespace;
  return out;
}

export function decisionJson(user: UserInfo, req: RequestAttributes, d: Decision, warnings: readonly string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = { allowed: d.allowed, by: d.grants.map(grantJson) };
  if (d.privilegedGroup) out.privilegedGroup = d.privilegedGroup;
  out.user = { name: user.name, groups: [...user.groups] };
  out.request = requestJson(req);
  if (d.errors.length > 0) out.errors = [...d.errors];
  if (warnings.length > 0) out.warnings = [...warnings];
  return out;
}

export function decisionText(user: UserInfo, req: RequestAttributes, d: Decision): string {
  const lines = [d.allowed ? 'yes' : 'no'];
  if (d.privilegedGroup) {
    lines.push(`  by group ${d.privilegedGroup}: the API server allows its members everything before RBAC is asked${d.grants.length === 0 ? ' (RBAC alone would say no)' : ''}`);
  }
  for (const g of d.grants) lines.push(`  by ${clean(grantText(g))}`);
  if (!d.allowed) lines.push(`  no binding lets ${clean(user.name)} (groups: ${clean(user.groups.join(', ') || 'none')}) ${clean(requestText(req))}`);
  for (const e of d.errors) lines.push(`  note: ${clean(e)} (grants nothing)`);
  return lines.join('\n') + '\n';
}

export function whoCanJson(req: RequestAttributes, subjects: readonly WhoCanSubject[]): Record<string, unknown> {
  return {
    request: requestJson(req),
    subjects: subjects.map((s) => {
      const out: Record<string, unknown> = { kind: s.subject.kind, name: s.subject.name };
      if (s.subject.kind === 'ServiceAccount') out.namespace = s.subject.namespace;
      out.by = s.by.map((g) => ({ ...grantJson(g), namespace: g.namespace }));
      return out;
    }),
  };
}

/** Columns padded to their widest cell; the last column is not padded. */
export function columns(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => { widths[i] = Math.max(widths[i] ?? 0, c.length); });
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd()).join('\n') + '\n';
}

export function whoCanText(req: RequestAttributes, subjects: readonly WhoCanSubject[], anyNamespace = false): string {
  let question = clean(requestText(req));
  if (anyNamespace && req.resourceRequest && req.namespace === '') question = question.replace(/ cluster-wide$/, ' (cluster-wide or in some namespace)');
  if (subjects.length === 0) return `nobody can ${question}\n`;
  const rows: string[][] = [['SUBJECT', 'WHERE', 'BINDING', 'ROLE', 'RULE', 'AT']];
  for (const s of subjects) {
    for (const g of s.by) {
      const src = g.role.ruleSources[g.ruleIndex];
      const rat = ruleAt(src.role, src.index);
      const at = bindingAt(g) === rat || src.role.origin.builtin ? bindingAt(g) : `${bindingAt(g)} (rule ${rat})`;
      rows.push([clean(subjectLabel(s.subject)), g.namespace === '' ? 'cluster-wide' : `ns/${clean(g.namespace)}`, clean(objectId(g.binding)), clean(objectId(g.role)), String(g.ruleIndex), clean(at)]);
    }
  }
  return `who can ${question}: ${subjects.length} subject${subjects.length === 1 ? '' : 's'}\n` + columns(rows);
}

export function accessJson(m: AccessMatrix): Record<string, unknown> {
  const out: Record<string, unknown> = { user: { name: m.user.name, groups: [...m.user.groups] } };
  if (m.privilegedGroup) out.privilegedGroup = m.privilegedGroup;
  out.rules = m.rows.map((r) => {
    const row: Record<string, unknown> = { namespace: r.namespace };
    if (r.url !== undefined) row.nonResourceURL = r.url;
    else {
      row.apiGroup = r.apiGroup;
      row.resource = r.resource;
      if (r.resourceNames) row.resourceNames = r.resourceNames;
    }
    row.verbs = r.verbs;
    row.by = r.by.map(grantJson);
    return row;
  });
  if (m.errors.length > 0) out.errors = m.errors;
  return out;
}

export function accessText(m: AccessMatrix): string {
  const head = `${clean(m.user.name)} (groups: ${clean(m.user.groups.join(', ') || 'none')})`;
  const lines: string[] = [];
  if (m.privilegedGroup) lines.push(`${head} is in ${m.privilegedGroup}: the API server allows it everything, whatever RBAC says.`);
  const rows: string[][] = [['NAMESPACE', 'APIGROUP', 'RESOURCE', 'NAMES', 'VERBS', 'VIA']];
  for (const r of m.rows) {
    const via = [...new Set(r.by.map((g) => `${objectId(g.binding)} → ${objectId(g.role)}`))].join('; ');
    rows.push([
      r.namespace === '' ? '(cluster-wide)' : clean(r.namespace),
      r.url !== undefined ? '(url)' : r.apiGroup === '' ? '""' : clean(r.apiGroup ?? ''),
      clean(r.url ?? r.resource ?? ''),
      clean((r.resourceNames ?? []).join(',') || '*'),
      clean(r.verbs.join(',')),
      clean(via),
    ]);
  }
  if (m.rows.length === 0) lines.push(`${head} has no RBAC permissions in the input.`);
  else lines.push(`${head}: ${m.rows.length} permission row${m.rows.length === 1 ? '' : 's'} (cluster-wide rows apply in every namespace too)`, columns(rows).trimEnd());
  for (const e of m.errors) lines.push(`note: ${clean(e)} (grants nothing)`);
  return lines.join('\n') + '\n';
}
