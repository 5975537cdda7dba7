import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseJsonText, parseYamlText } from './parse.js';
import { splitYamlDocuments, YamlDocSplitter } from './split.js';
import { MAX_DEPTH } from './parse.js';

const MULTI = `# leading comment
apiVersion: v1
kind: Namespace
metadata:
  name: web
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: web
spec:
  template:
    spec:
      containers:
      - name: app
        image: nginx
      - name: sidecar
        image: envoy
        securityContext:
          privileged: true
`;

test('multi-document YAML: each resource keeps file, document index and first line', () => {
  const { resources, errors } = parseYamlText(MULTI, 'deploy.yaml');
  assert.deepEqual(errors, []);
  assert.deepEqual(resources.map((r) => [r.kind, r.name, r.doc, r.line]), [
    ['Namespace', 'web', 0, 2],
    ['Deployment', 'api', 1, 7],
  ]);
  assert.deepEqual(resources[1].ref(), { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'web', name: 'api', file: 'deploy.yaml', line: 7 });
});

test('a JSON path resolves to the line of its own key', () => {
  const dep = parseYamlText(MULTI, 'deploy.yaml').resources[1];
  assert.equal(dep.lineOf(['spec', 'template', 'spec', 'containers', 1, 'securityContext', 'privileged']), 21);
  assert.equal(dep.lineOf(['spec', 'template', 'spec', 'containers', 1]), 18);
  assert.equal(dep.lineOf(['metadata', 'name']), 10);
});

test('a missing path resolves to its nearest existing ancestor', () => {
  const dep = parseYamlText(MULTI, 'deploy.yaml').resources[1];
  // containers[0] has no securityContext: report the container's line.
  assert.equal(dep.lineOf(['spec', 'template', 'spec', 'containers', 0, 'securityContext', 'allowPrivilegeEscalation']), 16);
});

test('kind: List and *List kinds are flattened, items keep their own lines', () => {
  const text = `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata: {name: a}
- apiVersion: v1
  kind: Pod
  metadata:
    name: b
  spec:
    hostPID: true
---
apiVersion: v1
kind: PodList
items:
- kind: Pod
  metadata: {name: c}
`;
  const { resources, errors } = parseYamlText(text, 'list.yaml');
  assert.deepEqual(errors, []);
  assert.deepEqual(resources.map((r) => [r.name, r.line]), [['a', 4], ['b', 7], ['c', 17]]);
  assert.equal(resources[1].lineOf(['spec', 'hostPID']), 12);
});

test('JSON input: resources and lines, including List items', () => {
  const text = JSON.stringify({
    apiVersion: 'v1', kind: 'List', items: [
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p1' }, spec: { containers: [{ name: 'c', image: 'x' }] } },
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p2' }, spec: { hostNetwork: true } },
    ],
  }, null, 4);
  const { resources, errors } = parseJsonText(text, 'dump.json');
  assert.deepEqual(errors, []);
  assert.equal(resources.length, 2);
  const lines = text.split('\n');
  const hostLine = lines.findIndex((l) => l.includes('"hostNetwork"')) + 1;
  assert.equal(resources[1].lineOf(['spec', 'hostNetwork']), hostLine);
  assert.equal(lines[resources[1].line - 1].trim(), '{');
});

test('invalid JSON names the line', () => {
  const { resources, errors } = parseJsonText('{\n  "kind": "Pod",\n  "metadata": {,\n}\n', 'bad.json');
  assert.equal(resources.length, 0);
  assert.equal(errors.length, 1);
  assert.equal(errors[0].file, 'bad.json');
  assert.equal(errors[0].line, 3);
  assert.match(errors[0].message, /^invalid JSON: /);
});

test('Helm-rendered input: the # Source comment names the template and lines count from it', () => {
  const text = `---
# Source: shop/templates/service.yaml
apiVersion: v1
kind: Service
metadata:
  name: shop
---
# Source: shop/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
spec:
  replicas: 1
`;
  const { resources } = parseYamlText(text, 'rendered.yaml');
  assert.deepEqual(resources.map((r) => [r.file, r.line]), [
    ['shop/templates/service.yaml', 1],
    ['shop/templates/deployment.yaml', 1],
  ]);
  assert.equal(resources[1].lineOf(['spec', 'replicas']), 6);
  assert.deepEqual(resources[1].source.renderedIn, { file: 'rendered.yaml', line: 9 });
});

test('lines for later: a YAML document can be kept and gives the same lines, walked or not; JSON cannot', () => {
  const text = `# Source: shop/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
spec:
  template:
    spec:
      serviceAccountName: shop
---
apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers: [{name: app, image: x}]
`;
  const [helm, pod] = parseYamlText(text, 'rendered.yaml').resources;
  const path = ['spec', 'template', 'spec', 'serviceAccountName'];
  // The root line (every ref asks for it) is known without walking: the document is still untouched.
  assert.equal(helm.line, 1);
  const later = helm.linesForLater();
  assert.ok(later);
  assert.equal(later.lineOf(path), 8); // counted from the # Source comment, like every line of a Helm template
  assert.equal(later.lineOf(path), parseYamlText(text, 'rendered.yaml').resources[0].lineOf(path));
  assert.equal(pod.lineOf(['spec', 'containers', 0]), 16);
  // What this document's finder walked is not kept: the kept lines walk afresh.
  assert.equal(pod.linesForLater()?.lineOf(['spec', 'containers', 0, 'image']), 16);
  assert.equal(pod.linesForLater()?.lineOf(['spec']), 15);
  const json = parseJsonText('{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}}', 'p.json').resources[0];
  assert.equal(json.linesForLater(), undefined, 'a JSON locator holds the whole parsed file');
});

test('one bad document is reported with its line; the others still load', () => {
  const text = `apiVersion: v1
kind: ConfigMap
metadata: {name: ok1}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: broken
  labels: [unclosed
---
apiVersion: v1
kind: ConfigMap
metadata: {name: ok2}
`;
  const { resources, errors } = parseYamlText(text, 'mixed.yaml');
  assert.deepEqual(resources.map((r) => r.name), ['ok1', 'ok2']);
  assert.equal(errors.length, 1);
  assert.equal(errors[0].file, 'mixed.yaml');
  assert.ok(errors[0].line! >= 9 && errors[0].line! <= 10, `line ${errors[0].line}`);
  assert.match(errors[0].message, /^invalid YAML: /);
});

test('an empty file and a comments-only file give no resources and no errors', () => {
  assert.deepEqual(parseYamlText('', 'empty.yaml'), { resources: [], errors: [] });
  assert.deepEqual(parseYamlText('# nothing\n---\n\n---\n', 'c.yaml'), { resources: [], errors: [] });
});

test('a YAML alias bomb is refused, not expanded', () => {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 10; i++) {
    const prev = String.fromCharCode(96 + i);
    const cur = String.fromCharCode(97 + i);
    lines.push(`${cur}: &${cur} [*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev}]`);
  }
  const { resources, errors } = parseYamlText(lines.join('\n') + '\n', 'bomb.yaml');
  assert.equal(resources.length, 0);
  assert.equal(errors.length, 1);
  assert.match(errors[0].message, /alias/i);
});

test('nesting 10,000 levels deep is refused (YAML and JSON), without a crash', () => {
  const deepFlow = '['.repeat(10000) + ']'.repeat(10000);
  const y = parseYamlText(`kind: Pod\nspec: ${deepFlow}\n`, 'deep.yaml');
  assert.equal(y.resources.length, 0);
  assert.equal(y.errors.length, 1);
  assert.match(y.errors[0].message, /nests/);
  const j = parseJsonText(`{"kind":"Pod","spec":${deepFlow}}`, 'deep.json');
  assert.equal(j.resources.length, 0);
  assert.match(j.errors[0].message, new RegExp(`deeper than ${MAX_DEPTH}`));
});

test('a document that is not an object is an error, not a crash', () => {
  const { errors } = parseYamlText('just a string\n', 's.yaml');
  assert.equal(errors.length, 1);
  assert.match(errors[0].message, /not a Kubernetes object/);
});

test('document splitting: --- and ... markers, and a marker inside a block scalar', () => {
  const docs = splitYamlDocuments('a: 1\n---\nb: |\n  text\n---\nc: 3\n...\n');
  assert.deepEqual(docs.map((d) => [d.startLine, d.text]), [
    [1, 'a: 1\n'],
    [2, '---\nb: |\n  text\n'],
    [5, '---\nc: 3\n...\n'],
  ]);
});

test('property: splitting a stream fed in arbitrary pieces equals splitting it whole', () => {
  const line = fc.oneof(
    fc.constantFrom('---', '...', '--- # c', 'a: 1', '  - x', '# c', '', 'key: "---"'),
    fc.string({ maxLength: 12 }).map((s) => s.replace(/[\r\n]/g, '')),
  );
  fc.assert(
    fc.property(fc.array(line, { maxLength: 40 }), fc.array(fc.nat(60), { maxLength: 8 }), (lines, cuts) => {
      const text = lines.join('\n');
      const whole = splitYamlDocuments(text);
      const s = new YamlDocSplitter();
      const pieces: string[] = [];
      let at = 0;
      for (const c of [...cuts].sort((a, b) => a - b)) {
        const pos = Math.min(c, text.length);
        pieces.push(text.slice(at, pos));
        at = pos;
      }
      pieces.push(text.slice(at));
      const streamed = [...pieces.flatMap((p) => s.push(p)), ...s.end()];
      assert.deepEqual(streamed, whole);
      assert.equal(whole.map((d) => d.text).join(''), text);
      // Each document knows where it starts in the stream, however the stream was cut.
      for (const d of whole) assert.equal(text.slice(d.offset, d.offset! + d.text.length), d.text);
    }),
  );
});
