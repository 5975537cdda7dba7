import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CheckParams } from './index.js';
import { deployment, findingsOf, lineAfter, manifest, namedBrief, type NamedBrief } from './testkit.js';

const IDS = ['serviceaccount/automount-token', 'serviceaccount/default-service-account'];

const scan = (yaml: string, ids: string[] = IDS, params?: CheckParams): NamedBrief[] => findingsOf(yaml, ids, params).map(namedBrief);

/** A Deployment whose pod spec has `podSpec` lines (indented 6) before its containers. */
const deploy = (name: string, ns: string | undefined, podSpec = '') => deployment(name, { namespace: ns, podSpec });

const sa = (name: string, ns: string | undefined, automount?: boolean) =>
  manifest('v1', 'ServiceAccount', name, ns, automount !== undefined ? `automountServiceAccountToken: ${automount}\n` : '');

const AUTO = ['serviceaccount/automount-token'];
const DEFAULT_SA = ['serviceaccount/default-service-account'];

test('automount-token: the pod value wins over the ServiceAccount\'s', () => {
  const yaml = [
    sa('off', 'shop', false),
    sa('on', 'shop', true),
    sa('unset', 'shop'),
    deploy('sa-only', 'shop', '      serviceAccountName: off\n'),
    deploy('pod-only', 'shop', '      serviceAccountName: on\n      automountServiceAccountToken: false\n'),
    deploy('pod-true', 'shop', '      serviceAccountName: off\n      automountServiceAccountToken: true\n'),
    deploy('sa-true', 'shop', '      serviceAccountName: on\n'),
    deploy('neither', 'shop', '      serviceAccountName: unset\n'),
    deploy('absent', 'shop', '      serviceAccountName: missing\n'),
    deploy('default', 'shop'),
    deploy('other-ns', 'api', '      serviceAccountName: off\n'),
    deploy('deprecated', 'shop', '      serviceAccount: off\n'),
    // A string is not a boolean: treated as unset, so the ServiceAccount's false applies.
    deploy('string', 'shop', '      serviceAccountName: off\n      automountServiceAccountToken: "false"\n'),
  ].join('\n---\n');
  const at = (name: string) => lineAfter(yaml, `name: ${name}\n`, '    spec:');
  assert.deepEqual(scan(yaml, AUTO), [
    {
      check: 'serviceaccount/automount-token', severity: 'low', name: 'pod-true', path: 'spec.template.spec.automountServiceAccountToken',
      line: lineAfter(yaml, 'name: pod-true', 'automountServiceAccountToken'),
      message: 'pod sets automountServiceAccountToken: true, so ServiceAccount "off"\'s token is mounted',
    },
    {
      check: 'serviceaccount/automount-token', severity: 'low', name: 'sa-true', path: 'spec.template.spec', line: at('sa-true'),
      message: 'pod does not set automountServiceAccountToken and ServiceAccount "on" sets it to true',
    },
    {
      check: 'serviceaccount/automount-token', severity: 'low', name: 'neither', path: 'spec.template.spec', line: at('neither'),
      message: 'neither the pod nor ServiceAccount "unset" sets automountServiceAccountToken: false',
    },
    {
      check: 'serviceaccount/automount-token', severity: 'low', name: 'absent', path: 'spec.template.spec', line: at('absent'),
      message: 'pod does not set automountServiceAccountToken: false (ServiceAccount "missing" is not in the input in namespace "shop")',
    },
    {
      check: 'serviceaccount/automount-token', severity: 'low', name: 'default', path: 'spec.template.spec', line: at('default'),
      message: 'pod does not set automountServiceAccountToken: false (ServiceAccount "default" is not in the input in namespace "shop")',
    },
    {
      check: 'serviceaccount/automount-token', severity: 'low', name: 'other-ns', path: 'spec.template.spec', line: at('other-ns'),
      message: 'pod does not set automountServiceAccountToken: false (ServiceAccount "off" is not in the input in namespace "api")',
    },
  ]);
});

test('automount-token: objects without a namespace only meet each other', () => {
  const yaml = [sa('web', undefined, false), deploy('unset', undefined, '      serviceAccountName: web\n'), deploy('shop', 'shop', '      serviceAccountName: web\n')].join('\n---\n');
  assert.deepEqual(scan(yaml, AUTO).map((g) => [g.name, g.message]), [
    ['shop', 'pod does not set automountServiceAccountToken: false (ServiceAccount "web" is not in the input in namespace "shop")'],
  ]);
  const reverse = [sa('web', 'shop', false), deploy('unset', undefined, '      serviceAccountName: web\n')].join('\n---\n');
  assert.deepEqual(scan(reverse, AUTO).map((g) => [g.name, g.message]), [
    ['unset', 'pod does not set automountServiceAccountToken: false (ServiceAccount "web" is not in the input among objects without metadata.namespace)'],
  ]);
});

test('default-service-account: default SA, and a named SA missing from the input', () => {
  const yaml = [
    sa('web', 'shop'),
    deploy('unset', 'shop'),
    deploy('named-default', 'shop', '      serviceAccountName: default\n'),
    deploy('own', 'shop', '      serviceAccountName: web\n'),
    deploy('typo', 'shop', '      serviceAccountName: wbe\n'),
    deploy('deprecated', 'shop', '      serviceAccount: wbe\n'),
    deploy('elsewhere', 'api', '      serviceAccountName: api\n'),
  ].join('\n---\n');
  assert.deepEqual(scan(yaml, DEFAULT_SA), [
    {
      check: 'serviceaccount/default-service-account', severity: 'low', name: 'unset', path: 'spec.template.spec',
      line: lineAfter(yaml, 'name: unset', '    spec:'), message: 'pod sets no serviceAccountName and runs as the default ServiceAccount',
    },
    {
      check: 'serviceaccount/default-service-account', severity: 'low', name: 'named-default', path: 'spec.template.spec.serviceAccountName',
      line: lineAfter(yaml, 'name: named-default', 'serviceAccountName'), message: 'pod names the default ServiceAccount',
    },
    {
      check: 'serviceaccount/default-service-account', severity: 'info', name: 'typo', path: 'spec.template.spec.serviceAccountName',
      line: lineAfter(yaml, 'name: typo', 'serviceAccountName'), message: 'ServiceAccount "wbe" is not in the input, which has ServiceAccounts in namespace "shop"',
    },
    {
      check: 'serviceaccount/default-service-account', severity: 'info', name: 'deprecated', path: 'spec.template.spec.serviceAccount',
      line: lineAfter(yaml, 'name: deprecated', 'serviceAccount:'), message: 'ServiceAccount "wbe" is not in the input, which has ServiceAccounts in namespace "shop"',
    },
  ]);
});

test('strange objects never throw; workloads without a pod spec give no fact', () => {
  const yaml = [
    'apiVersion: v1\nkind: ServiceAccount\nmetadata: null\nautomountServiceAccountToken: 1',
    'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: {a: 1}, namespace: 5}',
    'apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: nojob, namespace: shop}\nspec: {schedule: "* * * * *"}',
    'apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: nulljob, namespace: shop}\nspec: {jobTemplate: null}',
    'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: weird, namespace: shop}\nspec: {template: {spec: {serviceAccountName: [x], serviceAccount: 3, automountServiceAccountToken: null}}}',
    'apiVersion: example.com/v1\nkind: ServiceAccount\nmetadata: {name: crd, namespace: shop}\nautomountServiceAccountToken: false',
  ].join('\n---\n');
  assert.deepEqual(scan(yaml).map((g) => [g.check, g.name, g.message]), [
    ['serviceaccount/automount-token', 'weird', 'pod does not set automountServiceAccountToken: false (ServiceAccount "default" is not in the input in namespace "shop")'],
    ['serviceaccount/default-service-account', 'weird', 'pod sets no serviceAccountName and runs as the default ServiceAccount'],
  ]);
});
