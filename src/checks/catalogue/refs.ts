import type { CheckRefs } from './types.js';

/** Flattened references, as findings and SARIF rules show them. */
export function refStrings(refs: CheckRefs): string[] {
  const out: string[] = [];
  for (const p of refs.pss ?? []) out.push(`PSS ${p}`);
  for (const c of refs.cis ?? []) out.push(`CIS ${c}`);
  for (const k of refs.kubesec ?? []) out.push(`kubesec ${k}`);
  for (const p of refs.polaris ?? []) out.push(`Polaris ${p}`);
  for (const t of refs.trivy ?? []) out.push(`Trivy ${t}`);
  for (const k of refs.kubescape ?? []) out.push(`Kubescape ${k}`);
  for (const k of refs.kubeLinter ?? []) out.push(`kube-linter ${k}`);
  for (const k of refs.kubeScore ?? []) out.push(`kube-score ${k}`);
  out.push(...(refs.links ?? []));
  return out;
}
