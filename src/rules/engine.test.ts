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
    key: (e) => [e.type],
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
