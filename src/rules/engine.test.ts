import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ruleset, type IndexSpec, type RuleProgram } from './engine.js';
import type { LoadedRule } from './types.js';

type Ev = { type: string; name: string };

function program(order: number, name: string, types: string[] | undefined, matches: (e: Ev) => boolean, extra: Partial<LoadedRule> = {}): RuleProgram<Ev> {
  const rule = {
    name, desc: '', condition: '', conditionCompiled: '', ast: { type: 'identifier', name: 'x' }, output: '', priority: 'Warning',
    source: 'syscall', tags: [], enabled: true, file: 'f.yaml', line: order + 1, ...(types ? { eventTypes: new Set(types) } : {}), ...extra,
  } as LoadedRule;
  return { rule, order, matches };
}

test('an event meets only the rules of its type and the any-type rules, in load order', () => {
  const tried: string[] = [];
  const spy = (name: string, result: boolean) => (_e: Ev) => { tried.push(name); return result; };
  const byType: IndexSpec<Ev> = {
    keys: [(e) => e.type],
    sets: (rule) => [rule.eventTypes ? { kind: 'include', names: rule.eventTypes } : { kind: 'exclude', names: new Set() }],
  };
  const rs = new Ruleset<Ev>([
    program(2, 'open-rule', ['open', 'openat'], spy('open-rule', true)),
    program(0, 'exec-rule', ['execve'], spy('exec-rule', true)),
    program(1, 'any-rule', undefined, spy('any-rule', true)),
  ], 'all', { syscall: byType });
  const got = rs.match('syscall', { type: 'openat', name: 'cat' }).map((p) => p.rule.name);
  assert.deepEqual(got, ['any-rule', 'open-rule']);
  assert.deepEqual(tried, ['any-rule', 'open-rule']);
  assert.deepEqual(rs.match('syscall', { type: 'read', name: 'x' }).map((p) => p.rule.name), ['any-rule']);
  assert.equal(rs.count('syscall'), 3);
});

test('rule_matching first stops at the first match; disabled rules and other sources never run', () => {
  const rs = new Ruleset<Ev>([
    program(0, 'a', undefined, () => false),
    program(1, 'b', undefined, () => true),
    program(2, 'c', undefined, () => true),
    program(3, 'off', undefined, () => true, { enabled: false }),
    program(4, 'k8s', undefined, () => true, { source: 'k8s_audit' }),
  ], 'first');
  assert.deepEqual(rs.match('syscall', { type: 'x', name: 'y' }).map((p) => p.rule.name), ['b']);
  assert.deepEqual(rs.match('k8s_audit', { type: 'x', name: 'y' }).map((p) => p.rule.name), ['k8s']);
  assert.deepEqual(rs.match('aws_cloudtrail', { type: 'x', name: 'y' }), []);
});

test('a two-field index gives the same rules as testing every rule, past the bound on cached keys too', () => {
  type Two = { type: string; name: string | undefined };
  const byBoth: IndexSpec<Two> = {
    keys: [(e) => e.type, (e) => e.name],
    sets: (rule) => (rule.tags[0] === 'any' ? [{ kind: 'exclude', names: new Set() }, { kind: 'exclude', names: new Set() }]
      : rule.tags[0] === 'not-x' ? [{ kind: 'exclude', names: new Set(['x']) }, { kind: 'exclude', names: new Set() }]
        : [{ kind: 'include', names: new Set(['open']) }, { kind: 'include', names: new Set(['a', 'b']) }]),
  };
  const p = (order: number, tag: string) => program(order, `${tag}-${order}`, undefined, () => true, { tags: [tag] }) as unknown as RuleProgram<Two>;
  const rs = new Ruleset<Two>([p(0, 'any'), p(1, 'not-x'), p(2, 'open-ab')], 'all', { syscall: byBoth });
  const want = (e: Two) => ['any-0', ...(e.type !== 'x' ? ['not-x-1'] : []), ...(e.type === 'open' && (e.name === 'a' || e.name === 'b') ? ['open-ab-2'] : [])];
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < 5000; i++) {
      for (const e of [{ type: 'open', name: i % 3 === 0 ? 'a' : `n${i}` }, { type: `t${i}`, name: 'b' }, { type: 'x', name: undefined }, { type: 'open', name: 'b' }]) {
        assert.deepEqual(rs.match('syscall', e).map((r) => r.rule.name), want(e), JSON.stringify(e));
      }
    }
  }
});
