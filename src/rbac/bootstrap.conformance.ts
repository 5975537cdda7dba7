/**
 * Palisade's built-in default ClusterRoles and ClusterRoleBindings against Kubernetes' golden
 * files (bootstrappolicy testdata, in ../shared/data/rbac/bootstrap-policy), rule for rule.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseYamlText } from '../model/index.js';
import { dataSet, report } from '../conformance/data.js';
import { BUILTIN_CLUSTER_ROLES, BUILTIN_CLUSTER_ROLE_BINDINGS } from './bootstrap.js';
import { buildPolicy } from './policy.js';
import type { PolicyRule } from './types.js';

interface GoldenRole {
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  aggregationRule?: { clusterRoleSelectors: unknown[] };
  rules: Array<Partial<Record<keyof PolicyRule, string[]>>> | null;
}

function normal(r: Partial<Record<keyof PolicyRule, readonly string[]>>): PolicyRule {
  return { verbs: [...(r.verbs ?? [])], apiGroups: [...(r.apiGroups ?? [])], resources: [...(r.resources ?? [])], resourceNames: [...(r.resourceNames ?? [])], nonResourceURLs: [...(r.nonResourceURLs ?? [])] };
}

test('built-in ClusterRoles equal bootstrap-policy/cluster-roles.yaml, rule for rule', () => {
  const dir = dataSet('rbac/bootstrap-policy');
  if (!dir) return;
  const text = readFileSync(join(dir, 'cluster-roles.yaml'), 'utf8');
  const golden = (parse(text) as { items: GoldenRole[] }).items;
  let passed = 0;
  let failed = 0;
  const check = (name: string, fn: () => void) => {
    try {
      fn();
      passed++;
    } catch (e) {
      failed++;
      console.log(`cluster role ${name}: ${(e as Error).message}`);
    }
  };
  check('(names)', () => assert.deepEqual(BUILTIN_CLUSTER_ROLES.map((r) => r.name).sort(), golden.map((g) => g.metadata.name).sort()));
  for (const g of golden) {
    const ours = BUILTIN_CLUSTER_ROLES.find((r) => r.name === g.metadata.name);
    check(g.metadata.name, () => {
      assert.ok(ours, 'not built in');
      assert.deepEqual({ ...ours.labels }, g.metadata.labels ?? {}, 'labels');
      assert.deepEqual(ours.aggregationSelectors ?? null, g.aggregationRule?.clusterRoleSelectors ?? null, 'aggregationRule');
      assert.deepEqual(ours.rules.map(normal), (g.rules ?? []).map(normal), 'rules');
    });
  }
  // Aggregation: the golden objects as input (they override the built-ins) resolve to the same rules.
  const fromGolden = buildPolicy(parseYamlText(text, 'cluster-roles.yaml').resources);
  const builtIn = buildPolicy([]);
  for (const name of ['view', 'edit', 'admin']) {
    check(`${name} (aggregated)`, () => {
      const a = fromGolden.clusterRoles.get(name)!;
      assert.equal(a.origin.builtin, false, 'the golden object overrides the built-in one');
      assert.ok(a.rules.length > 0);
      assert.deepEqual(builtIn.clusterRoles.get(name)!.rules.map(normal), a.rules.map(normal));
    });
  }
  report('rbac bootstrap cluster roles', passed, failed);
  assert.equal(failed, 0);
});

test('built-in ClusterRoleBindings equal bootstrap-policy/default-cluster-role-bindings.json', () => {
  const dir = dataSet('rbac/bootstrap-policy');
  if (!dir) return;
  const golden = JSON.parse(readFileSync(join(dir, 'default-cluster-role-bindings.json'), 'utf8')) as {
    bindings: Array<{ name: string; subjects: Array<{ kind: string; name: string; namespace?: string }> }>;
  };
  let passed = 0;
  let failed = 0;
  try {
    assert.deepEqual(
      BUILTIN_CLUSTER_ROLE_BINDINGS.map((b) => ({ name: b.name, role: b.roleName, subjects: b.subjects })),
      // "Role name == binding name for every entry" (the file's source note).
      golden.bindings.map((b) => ({ name: b.name, role: b.name, subjects: b.subjects })),
    );
    passed = golden.bindings.length;
  } catch (e) {
    failed++;
    console.log(`cluster role bindings: ${(e as Error).message}`);
  }
  report('rbac bootstrap cluster role bindings', passed, failed);
  assert.equal(failed, 0);
});
