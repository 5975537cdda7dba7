import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CheckParams } from './types.js';
import fc from 'fast-check';
import { brief, findingsOf, pod, type Brief } from './testkit.js';
import { validRepository } from './images.js';

const scan = (ids: string | string[], text: string, params: Partial<CheckParams> = {}): Brief[] => findingsOf(text, ids, params).map(brief);

/** A pod with one container per image (YAML scalars as written), the container named c<i>. */
function podWith(images: string[], extra: string[] = []): string {
  const containers = images.map((img, i) => `  - name: c${i}\n    image: ${img}\n${extra[i] ? `    ${extra[i]}\n` : ''}`).join('');
  return pod(`  containers:\n${containers}`);
}

/** Line of container i's image field in podWith() output. */
function imageLine(text: string, i: number): number {
  return text.split('\n').findIndex((l) => l === `  - name: c${i}`) + 2;
}

const DIGEST = 'sha256:3e8542c3664eb32aa5aceaf817606303ec0d27cf3d18c7cac2c1c8bb63573c0b';
const INVALID = 'image/invalid-reference';
const LATEST = 'image/latest-tag';
const PINNED = 'image/not-pinned-by-digest';
const REGISTRY = 'image/registry-not-allowed';
const PULL = 'image/pull-policy-not-always';

test('invalid-reference: non-strings, empty, whitespace, templates and grammar errors', () => {
  const images = ['42', '""', '"   "', '"repo/app:{{ .Values.tag }}"', 'Nginx', '"nginx:"', 'nginx@sha256:xyz', '[a, b]', 'reg_istry.io/app', 'nginx:-bad', 'nginx:1.27', 'null'];
  const text = podWith(images);
  const found = scan(INVALID, text);
  assert.deepEqual(found.map((f) => [f.path, f.line, f.severity]), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => [`spec.containers[${i}].image`, imageLine(text, i), 'low']));
  assert.deepEqual(found.map((f) => f.message), [
    'container "c0" image 42 is a number, not a string',
    'container "c1" image "" is empty',
    'container "c2" image "   " is empty',
    'container "c3" image "repo/app:{{ .Values.tag }}" contains an unrendered template',
    'container "c4" image "Nginx" has upper-case letters in the repository name',
    'container "c5" image "nginx:" has an empty tag after ":"',
    'container "c6" image "nginx@sha256:xyz" has an invalid digest "sha256:xyz"',
    'container "c7" image ["a","b"] is a list, not a string',
    'container "c8" image "reg_istry.io/app" has an invalid registry "reg_istry.io"',
    'container "c9" image "nginx:-bad" has an invalid tag "-bad"',
  ]);
  // No image at all is allowed in templates (kustomize and friends fill it in).
  assert.deepEqual(scan(INVALID, `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n      containers: [{name: app}]\n`), []);
});

test('latest-tag: no tag, :latest, a registry port is not a tag, digests are immutable', () => {
  const images = ['nginx', 'nginx:latest', 'registry.local:5000/team/app', `nginx:latest@${DIGEST}`, `nginx@${DIGEST}`, 'nginx:1.27.0', 'localhost:5000/app:v2', '42'];
  const text = podWith(images);
  assert.deepEqual(scan(LATEST, text), [
    { check: LATEST, severity: 'medium', path: 'spec.containers[0].image', line: imageLine(text, 0), message: 'container "c0" image "nginx" has no tag, so it runs whatever :latest is at pull time' },
    { check: LATEST, severity: 'medium', path: 'spec.containers[1].image', line: imageLine(text, 1), message: 'container "c1" image "nginx:latest" uses the mutable :latest tag' },
    { check: LATEST, severity: 'medium', path: 'spec.containers[2].image', line: imageLine(text, 2), message: 'container "c2" image "registry.local:5000/team/app" has no tag, so it runs whatever :latest is at pull time' },
  ]);
});

test('latest-tag: init and ephemeral containers, and the CronJob path', () => {
  const text = `apiVersion: batch/v1
kind: CronJob
metadata: {name: c}
spec:
  jobTemplate:
    spec:
      template:
        spec:
          initContainers: [{name: init, image: busybox}]
          containers: [{name: app, image: "app:1.0"}]
          ephemeralContainers: [{name: dbg, image: "busybox:latest"}]
`;
  assert.deepEqual(scan(LATEST, text).map((f) => [f.path, f.line, f.message]), [
    ['spec.jobTemplate.spec.template.spec.initContainers[0].image', 9, 'init container "init" image "busybox" has no tag, so it runs whatever :latest is at pull time'],
    ['spec.jobTemplate.spec.template.spec.ephemeralContainers[0].image', 11, 'ephemeral container "dbg" image "busybox:latest" uses the mutable :latest tag'],
  ]);
});

test('not-pinned-by-digest: every mutable reference', () => {
  const text = podWith(['nginx:1.27', `nginx:1.27@${DIGEST}`, `registry.example.com/app@${DIGEST}`, '""']);
  assert.deepEqual(scan(PINNED, text), [
    { check: PINNED, severity: 'low', path: 'spec.containers[0].image', line: imageLine(text, 0), message: 'container "c0" image "nginx:1.27" is not pinned by digest (@sha256:…)' },
  ]);
});

test('registry-not-allowed: silent with empty lists', () => {
  assert.deepEqual(scan(REGISTRY, podWith(['nginx', 'evil.example.net/x:1'])), []);
});

test('registry-not-allowed: allow-list with hosts, repository prefixes and *.domain', () => {
  const text = podWith(['nginx:1.27', 'registry.example.com/team/app:1', 'myreg.azurecr.io/app:2', 'azurecr.io/app:3', 'ghcr.io/acme/tool:1', 'ghcr.io/other/tool:1']);
  const params = { allowedRegistries: ['registry.example.com', '*.azurecr.io', 'ghcr.io/acme/', 'registry.internal', 'quay.io'] };
  assert.deepEqual(scan(REGISTRY, text, params), [
    {
      check: REGISTRY, severity: 'high', path: 'spec.containers[0].image', line: imageLine(text, 0),
      message: 'container "c0" image "nginx:1.27" (docker.io/library/nginx) is not from an allowed registry (registry.example.com, *.azurecr.io, ghcr.io/acme/, …)',
    },
    {
      check: REGISTRY, severity: 'high', path: 'spec.containers[3].image', line: imageLine(text, 3),
      message: 'container "c3" image "azurecr.io/app:3" (azurecr.io/app) is not from an allowed registry (registry.example.com, *.azurecr.io, ghcr.io/acme/, …)',
    },
    {
      check: REGISTRY, severity: 'high', path: 'spec.containers[5].image', line: imageLine(text, 5),
      message: 'container "c5" image "ghcr.io/other/tool:1" (ghcr.io/other/tool) is not from an allowed registry (registry.example.com, *.azurecr.io, ghcr.io/acme/, …)',
    },
  ]);
});

test('registry-not-allowed: the deny-list wins over the allow-list', () => {
  const text = podWith(['nginx:1.27', 'registry.example.com/app:1', 'registry.example.com/legacy/app:1']);
  const params = { allowedRegistries: ['registry.example.com'], deniedRegistries: ['docker.io', 'registry.example.com/legacy', 7 as unknown as string] };
  assert.deepEqual(scan(REGISTRY, text, params).map((f) => f.message), [
    'container "c0" image "nginx:1.27" (docker.io/library/nginx) matches deniedRegistries entry "docker.io"',
    'container "c2" image "registry.example.com/legacy/app:1" (registry.example.com/legacy/app) matches deniedRegistries entry "registry.example.com/legacy"',
  ]);
});

test('pull-policy-not-always: mutable tags pulled from cache', () => {
  const images = ['nginx:1.27', 'nginx:1.27', 'nginx:latest', 'nginx', 'nginx:latest', `nginx@${DIGEST}`, 'nginx:1.27', 'nginx:1.27'];
  const extra = ['', 'imagePullPolicy: Always', '', '', 'imagePullPolicy: IfNotPresent', 'imagePullPolicy: Never', 'imagePullPolicy: always', 'imagePullPolicy: null'];
  const text = podWith(images, extra);
  const policyLine = (i: number) => imageLine(text, i) + 1;
  assert.deepEqual(scan(PULL, text), [
    { check: PULL, severity: 'low', path: 'spec.containers[0].imagePullPolicy', line: imageLine(text, 0) - 1, message: 'container "c0" image "nginx:1.27" has a mutable tag and no imagePullPolicy, which defaults to IfNotPresent' },
    { check: PULL, severity: 'low', path: 'spec.containers[4].imagePullPolicy', line: policyLine(4), message: 'container "c4" image "nginx:latest" has a mutable tag but imagePullPolicy is "IfNotPresent", not Always' },
    { check: PULL, severity: 'low', path: 'spec.containers[6].imagePullPolicy', line: policyLine(6), message: 'container "c6" image "nginx:1.27" has a mutable tag but imagePullPolicy is "always", not Always' },
    { check: PULL, severity: 'low', path: 'spec.containers[7].imagePullPolicy', line: policyLine(7), message: 'container "c7" image "nginx:1.27" has a mutable tag and no imagePullPolicy, which defaults to IfNotPresent' },
  ]);
});

test('validRepository agrees with the reference grammar on generated names', () => {
  const component = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
  const byRegex = (repo: string) => repo.split('/').every((p) => component.test(p));
  const names = fc.stringMatching(/^[a0Z._\-/]{0,12}$/);
  fc.assert(fc.property(names, (repo) => validRepository(repo) === byRegex(repo)), { numRuns: 20_000 });
  for (const repo of ['library/nginx', 'a__b', 'a---b/c.d', 'a_b_c']) assert.equal(validRepository(repo), true, repo);
  for (const repo of ['', 'a/', '/a', 'a//b', 'a___b', 'a..b', 'a.-b', '-a', 'a-', 'A', 'a_', 'é']) assert.equal(validRepository(repo), false, repo);
});
