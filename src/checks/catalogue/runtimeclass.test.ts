import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultParams, type CheckParams } from './index.js';
import { deployment, findingsOf, lineAfter, manifest, namedBrief, type NamedBrief } from './testkit.js';

const IDS = ['runtimeclass/untrusted-without-sandbox', 'runtimeclass/unknown-runtime-class'];

const scan = (yaml: string, ids: string[] = IDS, params?: CheckParams): NamedBrief[] => findingsOf(yaml, ids, params).map(namedBrief);

const deploy = (name: string, ns: string | undefined, labels: string, runtimeClass?: string) =>
  deployment(name, { namespace: ns, labels, podSpec: runtimeClass !== undefined ? `      runtimeClassName: ${runtimeClass}\n` : '' });

const rc = (name: string, handler?: string) => manifest('node.k8s.io/v1', 'RuntimeClass', name, undefined, handler !== undefined ? `handler: ${handler}\n` : '');

const UNTRUSTED = ['runtimeclass/untrusted-without-sandbox'];
const UNKNOWN = ['runtimeclass/unknown-runtime-class'];

function params(): CheckParams {
  return { ...defaultParams(), untrustedNamespaces: ['tenants'], untrustedSelectors: ['palisade.dev/untrusted=true', ' sandbox-me ', 'tier == public', '=broken', ''] };
}

test('untrusted-without-sandbox: why a pod is untrusted, and what counts as a sandbox', () => {
  const yaml = [
    rc('secure', 'runsc'),
    rc('fast', 'runc'),
    rc('snp', 'kata-qemu-snp'),
    'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ci\n  labels: {palisade.dev/untrusted: "true"}',
    'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels: {palisade.dev/untrusted: "false"}',
    deploy('plain', 'tenants', '{app: a}'),
    deploy('listed', 'tenants', '{app: a}', 'gvisor'),
    deploy('by-handler', 'tenants', '{app: a}', 'secure'),
    deploy('variant', 'tenants', '{app: a}', 'snp'),
    deploy('runc', 'tenants', '{app: a}', 'fast'),
    deploy('unknown', 'tenants', '{app: a}', 'mystery'),
    deploy('labelled', 'shop', '{palisade.dev/untrusted: "true"}'),
    deploy('key-only', 'shop', '{sandbox-me: ""}'),
    deploy('double-eq', undefined, '{tier: public}'),
    deploy('ns-label', 'ci', '{app: a}'),
    deploy('trusted', 'shop', '{palisade.dev/untrusted: "false", tier: private}'),
    deploy('no-ns', undefined, '{app: a}'),
  ].join('\n---\n');
  const spec = (name: string) => lineAfter(yaml, `name: ${name}\n`, '    spec:');
  const field = (name: string) => lineAfter(yaml, `name: ${name}\n`, 'runtimeClassName');
  const f = (name: string, path: string, line: number, message: string) =>
    ({ check: 'runtimeclass/untrusted-without-sandbox', severity: 'medium', name, path, line, message });
  assert.deepEqual(scan(yaml, UNTRUSTED, params()), [
    f('plain', 'spec.template.spec', spec('plain'), 'untrusted pod (namespace "tenants" is listed in untrustedNamespaces) sets no runtimeClassName'),
    f('runc', 'spec.template.spec.runtimeClassName', field('runc'), 'untrusted pod (namespace "tenants" is listed in untrustedNamespaces) runs with runtimeClassName "fast", which is not a sandbox runtime class'),
    f('unknown', 'spec.template.spec.runtimeClassName', field('unknown'), 'untrusted pod (namespace "tenants" is listed in untrustedNamespaces) runs with runtimeClassName "mystery", which is not a sandbox runtime class'),
    f('labelled', 'spec.template.spec', spec('labelled'), 'untrusted pod (pod label matches "palisade.dev/untrusted=true") sets no runtimeClassName'),
    f('key-only', 'spec.template.spec', spec('key-only'), 'untrusted pod (pod label matches "sandbox-me") sets no runtimeClassName'),
    f('double-eq', 'spec.template.spec', spec('double-eq'), 'untrusted pod (pod label matches "tier == public") sets no runtimeClassName'),
    f('ns-label', 'spec.template.spec', spec('ns-label'), 'untrusted pod (Namespace "ci" label matches "palisade.dev/untrusted=true") sets no runtimeClassName'),
  ]);
});

test('untrusted-without-sandbox: nothing is untrusted with the default parameters and no labels', () => {
  const yaml = [deploy('a', 'tenants', '{app: a}'), deploy('b', undefined, '{app: b}')].join('\n---\n');
  assert.deepEqual(scan(yaml), []);
});

test('unknown-runtime-class: missing RuntimeClass only when the input has RuntimeClasses', () => {
  const pods = [deploy('typo', 'shop', '{app: a}', 'gviosr'), deploy('ok', 'shop', '{app: a}', 'gvisor'), deploy('none', 'shop', '{app: a}')];
  assert.deepEqual(scan(pods.join('\n---\n'), UNKNOWN), []);
  const yaml = [rc('gvisor', 'runsc'), ...pods].join('\n---\n');
  assert.deepEqual(scan(yaml, UNKNOWN), [{
    check: 'runtimeclass/unknown-runtime-class', severity: 'info', name: 'typo', path: 'spec.template.spec.runtimeClassName',
    line: lineAfter(yaml, 'name: typo', 'runtimeClassName'), message: 'runtimeClassName "gviosr" names a RuntimeClass that is not in the input',
  }]);
});

test('unknown-runtime-class: RuntimeClass named like a sandbox without a sandbox handler', () => {
  const yaml = [
    rc('gvisor', 'runc'),
    rc('kata-fast', 'kata-fc'),
    rc('my-sandbox'),
    rc('fast', 'runc'),
    rc('runsc', 'runsc-debug'),
    'apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata: {name: kata-weird}\nhandler: [kata]',
    'apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata: null\nhandler: runc',
    'apiVersion: example.com/v1\nkind: RuntimeClass\nmetadata: {name: gvisor-crd}\nhandler: runc',
  ].join('\n---\n');
  const f = (name: string, line: number, message: string) =>
    ({ check: 'runtimeclass/unknown-runtime-class', severity: 'low', name, path: 'handler', line, message });
  assert.deepEqual(scan(yaml, UNKNOWN), [
    f('gvisor', lineAfter(yaml, 'name: gvisor', 'handler'), 'RuntimeClass "gvisor" is named like a sandbox but has handler "runc", which is not a known sandbox handler'),
    f('my-sandbox', lineAfter(yaml, 'name: my-sandbox', 'name: my-sandbox') - 3, 'RuntimeClass "my-sandbox" is named like a sandbox but has no handler, which is not a known sandbox handler'),
    f('kata-weird', lineAfter(yaml, 'name: kata-weird', 'handler'), 'RuntimeClass "kata-weird" is named like a sandbox but has no handler, which is not a known sandbox handler'),
  ]);
});
