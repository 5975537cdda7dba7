/**
 * kube-apiserver's `ValidatePolicy` (k8s.io/apiserver pkg/apis/audit/validation), with its
 * messages in Go's field-error form (`rules[3].level: Unsupported value: "X": supported
 * values: …`), plus the reader's own rule that a policy needs at least one rule.
 */
import { LEVELS, STAGES, isStage, type Policy, type PolicyProblem, type PolicyRule, type Stage } from './types.js';
import { pathText, type LineOf, type PathSeg } from './decode.js';

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_SUBDOMAIN_MAX = 253;

/** Go's `%q`-like quoting for values in messages; lists are shown as JSON. */
function shown(v: unknown): string {
  return JSON.stringify(v);
}

/** validation.NameIsDNSSubdomain's messages. */
export function dnsSubdomainProblems(name: string): string[] {
  const out: string[] = [];
  if (name.length > DNS1123_SUBDOMAIN_MAX) out.push(`must be no more than ${DNS1123_SUBDOMAIN_MAX} characters`);
  if (!DNS1123_SUBDOMAIN.test(name)) {
    out.push(
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end " +
        "with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    );
  }
  return out;
}

class Validator {
  readonly errors: PolicyProblem[] = [];

  constructor(
    private readonly file: string,
    private readonly lineOf: LineOf,
  ) {}

  private add(path: readonly PathSeg[], body: string): void {
    this.errors.push({ file: this.file, line: this.lineOf(path), message: `${pathText(path)}: ${body}` });
  }

  required(path: readonly PathSeg[]): void {
    this.add(path, 'Required value');
  }

  notSupported(path: readonly PathSeg[], value: string, supported: readonly string[]): void {
    this.add(path, `Unsupported value: ${shown(value)}: supported values: ${supported.map((s) => shown(s)).join(', ')}`);
  }

  invalid(path: readonly PathSeg[], value: unknown, detail: string): void {
    this.add(path, `Invalid value: ${shown(value)}: ${detail}`);
  }

  omitStages(stages: readonly Stage[], path: readonly PathSeg[]): void {
    stages.forEach((stage, i) => {
      if (!isStage(stage)) this.invalid([...path, i], stage, `allowed stages are ${STAGES.join(',')}`);
    });
  }

  rule(rule: PolicyRule): void {
    const path: PathSeg[] = ['rules', rule.index];
    if ((rule.level as string) === '') this.required([...path, 'level']);
    else if (!(LEVELS as readonly string[]).includes(rule.level)) this.notSupported([...path, 'level'], rule.level, LEVELS);

    rule.nonResourceURLs.forEach((url, i) => {
      if (url === '*') return;
      if (!url.startsWith('/')) this.invalid([...path, 'nonResourceURLs', i], url, "non-resource URL rules must begin with a '/' character");
      if (url !== '' && url.slice(0, -1).includes('*')) {
        this.invalid([...path, 'nonResourceURLs', i], url, "non-resource URL wildcards '*' must be the final character of the rule");
      }
    });

    rule.resources.forEach((gr, i) => {
      // "" is the core group; "*" every group. Anything else is a group name, never group/version.
      if (gr.group !== '' && gr.group !== '*') {
        const msgs = dnsSubdomainProblems(gr.group);
        if (msgs.length > 0) this.invalid([...path, 'resources', i, 'group'], gr.group, msgs.join(','));
      }
      if (gr.resourceNames.length > 0 && gr.resources.length === 0) {
        this.invalid([...path, 'resources', i, 'resourceNames'], gr.resourceNames, 'using resourceNames requires at least one resource');
      }
    });

    this.omitStages(rule.omitStages, [...path, 'omitStages']);

    if (rule.nonResourceURLs.length > 0 && (rule.resources.length > 0 || rule.namespaces.length > 0)) {
      this.invalid([...path, 'nonResourceURLs'], rule.nonResourceURLs, 'rules cannot apply to both regular resources and non-resource URLs');
    }
  }
}

/** Every validation error of a decoded policy; empty when kube-apiserver would accept it. */
export function validatePolicy(policy: Policy, lineOf: LineOf): PolicyProblem[] {
  const v = new Validator(policy.file, lineOf);
  v.omitStages(policy.omitStages, ['omitStages']);
  for (const rule of policy.rules) v.rule(rule);
  if (v.errors.length === 0 && policy.rules.length === 0) {
    v.errors.push({ file: policy.file, line: policy.rulesLine, message: 'loaded illegal policy with 0 rules: a policy needs at least one rule' });
  }
  return v.errors;
}
