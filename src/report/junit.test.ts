import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderJunit, stripInvalidXml, xmlAttr, xmlText } from './junit.js';
import { emptyResult, sampleResult, TRICKY_MESSAGE } from './fixture.js';

interface El { name: string; attrs: Record<string, string>; children: El[]; text: string }

const ENTITY = /&(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/g;

function decode(s: string): string {
  return s.replace(ENTITY, (e) => {
    switch (e) {
      case '&amp;': return '&';
      case '&lt;': return '<';
      case '&gt;': return '>';
      case '&quot;': return '"';
      case '&apos;': return "'";
      default: return String.fromCodePoint(e[2] === 'x' ? parseInt(e.slice(3, -1), 16) : parseInt(e.slice(2, -1), 10));
    }
  });
}

function checkChars(s: string, where: string): void {
  assert.ok(!s.replace(ENTITY, '').includes('&'), `bare & in ${where}: ${s}`);
  assert.ok(!s.includes('<'), `bare < in ${where}: ${s}`);
}

/** A strict little parser for the subset of XML the reporter writes; throws on bad nesting. */
function parseXml(xml: string): El {
  const decl = '<?xml version="1.0" encoding="UTF-8"?>\n';
  assert.ok(xml.startsWith(decl), 'XML declaration first');
  let i = decl.length;
  const root: El = { name: '#doc', attrs: {}, children: [], text: '' };
  const stack: El[] = [root];
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const text = lt < 0 ? xml.slice(i) : xml.slice(i, lt);
    checkChars(text, 'text');
    stack.at(-1)!.text += decode(text);
    if (lt < 0) break;
    const gt = xml.indexOf('>', lt);
    assert.ok(gt > lt, 'unterminated tag');
    const tag = xml.slice(lt + 1, gt);
    i = gt + 1;
    if (tag.startsWith('/')) {
      const open = stack.pop()!;
      assert.equal(tag.slice(1), open.name, `closing </${tag.slice(1)}> does not match <${open.name}>`);
      continue;
    }
    const selfClosing = tag.endsWith('/');
    const body = selfClosing ? tag.slice(0, -1) : tag;
    const m = /^([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.-]*="[^"]*")*)\s*$/.exec(body);
    assert.ok(m, `malformed tag <${tag}>`);
    const el: El = { name: m[1]!, attrs: {}, children: [], text: '' };
    for (const a of m[2]!.matchAll(/([A-Za-z_][\w.-]*)="([^"]*)"/g)) {
      checkChars(a[2]!, `attribute ${a[1]}`);
      assert.ok(!(a[1]! in el.attrs), `duplicate attribute ${a[1]}`);
      el.attrs[a[1]!] = decode(a[2]!);
    }
    stack.at(-1)!.children.push(el);
    if (!selfClosing) stack.push(el);
  }
  assert.equal(stack.length, 1, `unclosed <${stack.at(-1)!.name}>`);
  assert.equal(root.children.length, 1, 'one root element');
  return root.children[0]!;
}

test('junit: well-formed with the expected suites and counts', () => {
  const xml = renderJunit(sampleResult());
  assert.ok(xml.endsWith('</testsuites>\n'));
  const root = parseXml(xml);
  assert.equal(root.name, 'testsuites');
  assert.deepEqual(root.attrs, { name: 'palisade', tests: '8', failures: '6', errors: '1', skipped: '1' });
  assert.deepEqual(root.children.map((s) => s.attrs.name), [
    'privileged-container', 'run-as-root', 'missing-resource-limits', 'service-nodeport', 'rbac-wildcard',
    'custom-label-policy', 'palisade/input',
  ]);
  let tests = 0;
  for (const s of root.children) {
    assert.equal(s.name, 'testsuite');
    assert.equal(Number(s.attrs.tests), s.children.length);
    assert.equal(Number(s.attrs.failures), s.children.filter((c) => c.children[0]!.name === 'failure').length);
    assert.equal(Number(s.attrs.skipped), s.children.filter((c) => c.children[0]!.name === 'skipped').length);
    assert.equal(Number(s.attrs.errors), s.children.filter((c) => c.children[0]!.name === 'error').length);
    tests += s.children.length;
  }
  assert.equal(tests, 8);
  const rootSuite = root.children[1]!;
  assert.equal(rootSuite.attrs.tests, '2');
  assert.equal(rootSuite.attrs.failures, '2');
});

test('junit: failure test case content', () => {
  const root = parseXml(renderJunit(sampleResult()));
  const tc = root.children[0]!.children[0]!;
  assert.deepEqual(tc.attrs, {
    classname: 'Deployment/web/api', name: 'privileged-container', file: 'deploy.yaml', line: '31',
  });
  const failure = tc.children[0]!;
  assert.equal(failure.name, 'failure');
  assert.deepEqual(failure.attrs, { message: 'Container "api" runs privileged', type: 'critical' });
  assert.ok(failure.text.includes('deploy.yaml:31'));
  assert.ok(failure.text.includes('spec.template.spec.containers[0].securityContext.privileged'));
  assert.ok(failure.text.includes('Set securityContext.privileged to false.'));
  const role = root.children[4]!.children[0]!;
  assert.equal(role.attrs.classname, 'ClusterRole/ops-admin');
});

test('junit: escapes <&"\' in attributes and text', () => {
  const xml = renderJunit(sampleResult());
  assert.ok(!xml.includes(TRICKY_MESSAGE), 'raw message must not appear');
  assert.ok(xml.includes('message="ClusterRole grants verbs &quot;*&quot; on &lt;all&gt; resources &amp; it&apos;s bound"'));
  const root = parseXml(xml);
  const failure = root.children[4]!.children[0]!.children[0]!;
  assert.equal(failure.attrs.message, TRICKY_MESSAGE);
  assert.ok(failure.text.includes(TRICKY_MESSAGE));
});

test('junit: suppressed findings are skipped, input errors are errors', () => {
  const root = parseXml(renderJunit(sampleResult()));
  const skipped = root.children[2]!.children[0]!.children[0]!;
  assert.equal(skipped.name, 'skipped');
  assert.equal(skipped.attrs.message, 'suppressed: limits set by LimitRange');
  const input = root.children.at(-1)!;
  assert.equal(input.attrs.name, 'palisade/input');
  const tc = input.children[0]!;
  assert.equal(tc.attrs.classname, 'palisade/input');
  assert.equal(tc.attrs.file, 'broken.yaml');
  assert.equal(tc.attrs.line, '3');
  const err = tc.children[0]!;
  assert.equal(err.name, 'error');
  assert.equal(err.attrs.message, 'bad indentation of a mapping entry');
  assert.equal(err.text, 'broken.yaml:3: bad indentation of a mapping entry');
});

test('junit: control characters and lone surrogates are stripped', () => {
  const r = sampleResult();
  r.findings[0]!.message = 'bad\u0000\u0007char\uD800s\u{1F600} ok\nnext';
  const xml = renderJunit(r);
  assert.ok(!/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(xml));
  const failure = parseXml(xml).children[0]!.children[0]!.children[0]!;
  assert.equal(failure.attrs.message, 'badchars\u{1F600} ok\nnext', 'newline kept as &#10;');
  assert.equal(stripInvalidXml('a\uFFFEb\uDC00c'), 'abc');
  assert.equal(xmlText(`<a href="x">&'`), '&lt;a href=&quot;x&quot;&gt;&amp;&apos;');
  assert.equal(xmlAttr('a\tb\r\n'), 'a&#9;b&#13;&#10;');
});

test('junit: empty result and cwd-relative files', () => {
  const xml = renderJunit(emptyResult());
  const root = parseXml(xml);
  assert.deepEqual(root.attrs, { name: 'palisade', tests: '0', failures: '0', errors: '0', skipped: '0' });
  assert.equal(root.children.length, 0);
  const r = sampleResult();
  r.findings = [{ ...r.findings[0]!, resource: { ...r.findings[0]!.resource, file: '/src/app/k8s/deploy.yaml' } }];
  const tc = parseXml(renderJunit(r, { cwd: '/src/app' })).children[0]!.children[0]!;
  assert.equal(tc.attrs.file, 'k8s/deploy.yaml');
});
