import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileOutput, OutputFormatError } from './index.js';
import { testSource, type TestEvent } from './test-source.js';

const render = (format: string, e: TestEvent) => compileOutput(format, testSource).render(e);
const ev = (values: TestEvent['values'], extra: Partial<TestEvent> = {}): TestEvent => ({ values, ...extra });

function formatError(format: string): OutputFormatError {
  try {
    compileOutput(format, testSource);
  } catch (err) {
    assert.ok(err instanceof OutputFormatError, `expected OutputFormatError, got ${String(err)}`);
    return err;
  }
  assert.fail(`format ${JSON.stringify(format)} compiled`);
}

test('fields and literals, punctuation right after a token', () => {
  const r = render('A shell (user=%proc.name pid=%proc.pid file=%fd.name,)', ev({ 'proc.name': 'bash', 'proc.pid': 42, 'fd.name': '/etc/shadow' }));
  assert.equal(r.text, 'A shell (user=bash pid=42 file=/etc/shadow,)');
  assert.deepEqual(r.fields, { 'fd.name': '/etc/shadow', 'proc.name': 'bash', 'proc.pid': 42 });
  assert.deepEqual(Object.keys(r.fields), ['fd.name', 'proc.name', 'proc.pid']);
});

test('bracket and dotted arguments are part of the key', () => {
  const e = ev({ 'proc.aname[2]': 'sshd', 'jevt.value[/requestObject/spec/volumes]': '[{"name":"x"}]' }, { args: { flags: 'O_RDONLY|O_CREAT' } });
  const r = render('a=%proc.aname[2] f=%evt.arg.flags v=%jevt.value[/requestObject/spec/volumes]', e);
  assert.equal(r.text, 'a=sshd f=O_RDONLY|O_CREAT v=[{"name":"x"}]');
  assert.deepEqual(r.fields, {
    'evt.arg.flags': 'O_RDONLY|O_CREAT',
    'jevt.value[/requestObject/spec/volumes]': '[{"name":"x"}]',
    'proc.aname[2]': 'sshd',
  });
});

test('missing values: <NA> in text, null in fields', () => {
  const r = render('%proc.name %proc.pid %proc.aname[3]', ev({}));
  assert.equal(r.text, '<NA> <NA> <NA>');
  assert.deepEqual(r.fields, { 'proc.aname[3]': null, 'proc.name': null, 'proc.pid': null });
});

test('width pads with spaces or truncates, by bytes', () => {
  const e = ev({ 'proc.name': 'bash', 'proc.pid': 7 });
  assert.equal(render('[%8proc.name][%2proc.name][%0proc.name][%3proc.pid]', e).text, '[bash    ][ba][bash][7  ]');
  assert.equal(render('[%6proc.name]', ev({})).text, '[<NA>  ]');
  // 'é' is two bytes: a cut through it leaves a replacement character, as a JSON writer would.
  assert.equal(render('[%2proc.name]', ev({ 'proc.name': 'aé' })).text, '[a\uFFFD]');
  assert.equal(render('[%3proc.name]', ev({ 'proc.name': 'aé' })).text, '[aé]');
});

test('longest binding token: a suffix that is not a field stays literal', () => {
  const r = render('%proc.namex.y %proc.aname[2', ev({ 'proc.name': 'bash', 'proc.aname': 'init sshd' }));
  assert.equal(r.text, 'bashx.y init sshd[2');
  assert.deepEqual(r.fields, { 'proc.aname': 'init sshd', 'proc.name': 'bash' });
  assert.equal(render('%fd.name.', ev({ 'fd.name': '/tmp' })).text, '/tmp.');
});

test('a leading * is dropped (Falco always implies it)', () => {
  assert.equal(render('*x %proc.name', ev({ 'proc.name': 'sh' })).text, 'x sh');
  assert.equal(render('', ev({})).text, '');
});

test('typed values: numbers, bigint, double, bool, lists', () => {
  const e = ev({
    'evt.rawtime': 1470327477881781397n,
    'evt.cpu': 3,
    'ka.req.container.privileged': true,
    'ka.req.pod.containers.image': ['nginx', 'busybox:1.36'],
  });
  const r = render('%evt.rawtime %evt.cpu %ka.req.container.privileged %ka.req.pod.containers.image %ka.req.pod.containers.image[1]', e);
  assert.equal(r.text, '1470327477881781397 3.0 true (nginx,busybox:1.36) busybox:1.36');
  assert.deepEqual(r.fields, {
    'evt.cpu': 3,
    'evt.rawtime': 1470327477881781397n,
    'ka.req.container.privileged': true,
    'ka.req.pod.containers.image': ['nginx', 'busybox:1.36'],
    'ka.req.pod.containers.image[1]': 'busybox:1.36',
  });
});

test('an empty list counts as not extracted', () => {
  const r = render('%ka.req.pod.containers.image', ev({ 'ka.req.pod.containers.image': [] }));
  assert.equal(r.text, '<NA>');
  assert.deepEqual(r.fields, { 'ka.req.pod.containers.image': null });
});

test('list text is cut at 1023 bytes like libsinsp', () => {
  const images = Array.from({ length: 200 }, (_, i) => `image-${i}`);
  const text = render('%ka.req.pod.containers.image', ev({ 'ka.req.pod.containers.image': images })).text;
  assert.equal(text.length, 1023);
  assert.ok(text.startsWith('(image-0,image-1,'));
});

test('the same field twice gives one key', () => {
  const r = render('%proc.name/%proc.name', ev({ 'proc.name': 'a' }));
  assert.equal(r.text, 'a/a');
  assert.deepEqual(compileOutput('%proc.name/%proc.name', testSource).fieldKeys, ['proc.name']);
});

test('errors: trailing %, trailing width, unknown field, no field', () => {
  const e1 = formatError('cpu at 100%');
  assert.equal(e1.message, 'invalid formatting syntax: formatting cannot end with a %');
  assert.equal(e1.offset, 10);
  assert.equal(formatError('x %12').message, 'invalid formatting syntax: formatting cannot end with a number');
  const e3 = formatError('user=%user.nmae ok');
  assert.equal(e3.message, 'unknown filter: filter_check called with nonexistent field user.nmae');
  assert.equal(e3.offset, 5);
  assert.equal(formatError('50%% done').message, 'unknown filter: invalid formatting token % done');
  assert.equal(formatError('%(proc.name)').message, 'unknown filter: invalid formatting token (proc.name)');
  assert.match(formatError('%jevt.value').message, /^unknown filter: filter_check called with nonexistent field jevt\.value$/);
});

test('hostile input stays linear: a very long unknown name fails fast', () => {
  const started = Date.now();
  assert.throws(() => compileOutput(`%a.${'b'.repeat(200_000)}`, testSource), OutputFormatError);
  assert.ok(Date.now() - started < 2000);
});

test('transformers render in text; only the fields inside go to output_fields', () => {
  const r = render('%tolower(proc.name) %toupper(proc.pname)!', ev({ 'proc.name': 'BaSh', 'proc.pname': 'sshd' }));
  assert.equal(r.text, 'bash SSHD!');
  assert.deepEqual(r.fields, { 'proc.name': 'BaSh', 'proc.pname': 'sshd' });
  assert.match(formatError('%tolower(proc.nope)').message, /^unknown filter: .*proc\.nope/);
});
