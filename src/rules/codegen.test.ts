// Generated condition functions must decide exactly as the plain closures do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { compileCondition } from './lang/index.js';
import { buildRuleset, DEFAULT_RULE_FILES, defaultSources } from './ruleset.js';
import { auditDay } from '../perf/audit-corpus.js';
import { syscallStream } from '../perf/syscall-corpus.js';

const upstream = ['../../../shared/data/falco/rules/falco_rules.yaml', '../../../shared/data/falco/k8saudit-rules/k8s_audit_rules.yaml']
  .map((rel) => new URL(rel, import.meta.url))
  .filter((u) => existsSync(u));

test('generated conditions agree with the closure tree on every rule and event', () => {
  const files = [...DEFAULT_RULE_FILES.map((f) => ({ name: f, content: readFileSync(f, 'utf8') })), ...upstream.map((u) => ({ name: u.pathname, content: readFileSync(u, 'utf8') }))];
  const sources = defaultSources();
  const events: Record<string, unknown[]> = {
    k8s_audit: [...auditDay({ background: 800 })].map((e) => JSON.parse(JSON.stringify(e))),
    syscall: [...syscallStream(3000, 5)].map((e) => JSON.parse(JSON.stringify(e))),
  };
  // A few hand-made edge events: missing fields, arrays where a scalar is expected, odd types.
  events.syscall.push({}, { 'evt.type': 'openat' }, { 'evt.type': 'execve', 'proc.name': ['sh'], 'proc.aname[1]': 'bash' }, { 'evt.type': 'connect', 'fd.sip': 'not-an-ip', 'fd.sport': 'x' });
  events.k8s_audit.push({ auditID: 'x' }, { auditID: 'y', verb: 7, user: null, objectRef: [] });
  let compared = 0;
  let fired = 0;
  for (const { name: file, content } of files) {
    const built = buildRuleset([{ name: file, content }], { sources });
    for (const rule of built.loaded.rules) {
      const source = sources[rule.source];
      const slow = compileCondition(rule.ast, source, { codegen: false });
      const fast = compileCondition(rule.ast, source);
      for (const e of events[rule.source] ?? []) {
        const want = slow(e);
        assert.equal(fast(e), want, `${rule.name} on ${JSON.stringify(e).slice(0, 200)}`);
        compared++;
        if (want) fired++;
      }
    }
  }
  assert.ok(compared > 20_000, `compared ${compared}`);
  assert.ok(fired > 10, `only ${fired} matches: the comparison would prove little`);
});
