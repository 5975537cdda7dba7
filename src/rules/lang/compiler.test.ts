import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileCondition, compileOperand } from './compiler.js';
import { ConditionCompileError } from './errors.js';
import { plainSource, type PlainEvent } from './fixture.js';
import { fnmatch } from './glob.js';
import { internalize, ipInNet, ipv4Number, parseIpAddr, parseIpNet } from './values.js';
import { parseCondition } from './parser.js';
import { collectFields, eventTypes } from './analysis.js';

const source = plainSource({
  'evt.type': { type: 'string' },
  'proc.name': { type: 'string' },
  'proc.pname': { type: 'string' },
  'proc.aname': { type: 'string', list: true },
  'proc.pid': { type: 'int64' },
  'fd.sport': { type: 'port' },
  'fd.name': { type: 'string' },
  'fd.sip': { type: 'ipaddr' },
  'fd.net': { type: 'ipnet' },
  'evt.arg.flags': { type: 'flags' },
  'evt.buffer': { type: 'bytebuf' },
  'ka.priv': { type: 'bool' },
  'ka.images': { type: 'string', list: true },
  'proc.args': { type: 'string', list: true },
});

const event: PlainEvent = {
  'evt.type': 'execve',
  'proc.name': 'Bash',
  'proc.pname': 'bash',
  'proc.aname': ['sh', 'init'],
  'proc.pid': 1234n,
  'fd.sport': 443,
  'fd.name': '/etc/shadow',
  'fd.sip': '10.1.2.3',
  'fd.net': '192.168.7.9',
  'evt.arg.flags': 'O_WRONLY|O_CREAT|O_TRUNC',
  'evt.buffer': new Uint8Array([0xca, 0xfe, 0xba, 0xbe, 0x41]),
  'ka.priv': true,
  'ka.images': ['nginx', 'redis'],
  'proc.args': ['-t', 'hello', '-n'],
};

const run = (cond: string, e: PlainEvent = event) => compileCondition(parseCondition(cond), source)(e);
const compileError = (cond: string, re: RegExp) =>
  assert.throws(() => compileCondition(parseCondition(cond), source), (e: unknown) => e instanceof ConditionCompileError && re.test(e.message), cond);

test('string operators', () => {
  assert.equal(run('proc.name = Bash'), true);
  assert.equal(run('proc.name == bash'), false);
  assert.equal(run('proc.name != bash'), true);
  assert.equal(run('proc.name contains as'), true);
  assert.equal(run('proc.name icontains BAS'), true);
  assert.equal(run('proc.name startswith Ba and proc.name endswith sh'), true);
  assert.equal(run('proc.name > 9 and proc.name < 99'), false, 'strcmp: "Bash" > "99"');
  assert.equal(run('proc.name > 9'), true);
  assert.equal(run('fd.name glob /etc/*'), true);
  assert.equal(run('fd.name glob "*shad?w"'), true);
  assert.equal(run('proc.name iglob "b*H"'), true);
  assert.equal(run('proc.name glob "b*"'), false);
  assert.equal(run('fd.name regex "/etc/[a-z]+"'), true);
  assert.equal(run('fd.name regex "etc"'), false, 'regex is a full match');
  compileError('fd.name regex "(a"', /invalid regular expression/);
});

test('missing values make every comparison false, exists tests presence', () => {
  const e: PlainEvent = { 'proc.name': 'x' };
  assert.equal(run('fd.name = a', e), false);
  assert.equal(run('fd.name != a', e), false);
  assert.equal(run('not fd.name = a', e), true);
  assert.equal(run('fd.name exists', e), false);
  assert.equal(run('proc.name exists', e), true);
  assert.equal(run('fd.name in (a)', e), false);
  assert.equal(run('ka.images exists', { 'ka.images': [] }), false);
});

test('numbers, ports, booleans, flags, bytes, addresses', () => {
  assert.equal(run('proc.pid = 1234'), true);
  assert.equal(run('proc.pid > 0x100 and proc.pid <= 1234'), true);
  assert.equal(run('fd.sport in (80, 443)'), true);
  compileError('proc.pid = abc', /abc is not a valid number/);
  compileError('proc.pid contains 1', /not supported for numeric filters/);
  assert.equal(run('ka.priv = true'), true);
  assert.equal(run('ka.priv != true'), false);
  compileError('ka.priv = yes', /not a valid boolean/);
  assert.equal(run('evt.arg.flags contains O_CREAT'), true);
  assert.equal(run('evt.arg.flags contains O_CRE'), false);
  assert.equal(run('evt.buffer bcontains FEBA'), true);
  assert.equal(run('evt.buffer bstartswith cafe'), true);
  assert.equal(run('evt.buffer bstartswith FEBA'), false);
  compileError('evt.buffer bcontains XYZ', /not a valid hex string/);
  assert.equal(run('fd.sip = 10.1.2.3'), true);
  assert.equal(run('fd.sip = 10.0.0.0/8'), true);
  assert.equal(run('fd.sip in (10.1.2.3, ::1)'), true);
  assert.equal(run('fd.net = 192.168.0.0/16'), true);
  assert.equal(run('fd.net != 192.168.0.0/16'), false);
  compileError('fd.sip = 999.1.1.1', /not a valid IP address/);
});

test('list fields: only exists/in/intersects; in = subset, intersects = any', () => {
  assert.equal(run('ka.images in (nginx, redis, mysql)'), true);
  assert.equal(run('ka.images in (nginx)'), false);
  assert.equal(run('ka.images intersects (nginx)'), true);
  assert.equal(run('ka.images intersects (x)'), false);
  assert.equal(run('ka.images[1] = redis'), true, 'an index makes the field scalar');
  assert.equal(run('len(ka.images) = 2'), true, 'len() makes it scalar');
  compileError('ka.images = nginx', /list filter 'ka.images' only supports operators 'exists', 'in' and 'intersects'/);
  compileError('ka.images contains oneof (a)', /only supports operators/);
});

test('in/intersects on scalars are membership; pmatch is path-prefix', () => {
  assert.equal(run('proc.name in (sh, Bash)'), true);
  assert.equal(run('proc.name intersects (sh, Bash)'), true);
  assert.equal(run('proc.name in ()'), false);
  assert.equal(run('fd.name pmatch (/etc)'), true);
  assert.equal(run('fd.name pmatch (/et)'), false);
  assert.equal(run('fd.name pmatch (/usr, /e*/sha*)'), true);
  assert.equal(run('fd.name pmatch (/etc/shadow)'), true);
  // A trailing slash is dropped (the path itself and what lies under it match).
  const deep = { 'fd.name': '/var/lib/containerd/io.containerd' };
  assert.equal(run('fd.name pmatch (/var/lib/containerd/)', deep), true);
  assert.equal(run('fd.name pmatch (/var/lib/containerd/io.containerd/)', deep), true);
  assert.equal(run('fd.name pmatch (/var/lib/container/)', deep), false);
});

test('in: one item, repeated items and non-text values on text fields', () => {
  assert.equal(run('proc.name in (Bash)'), true);
  assert.equal(run('proc.name in (bash)'), false);
  assert.equal(run('proc.name in (Bash, Bash)'), true);
  assert.equal(run('proc.name in (x, x)'), false);
  assert.equal(run('not proc.name in (x)'), true);
  assert.equal(run('not proc.name in ()'), true);
  // A number or boolean handed to a text field compares as its text; bytes as latin1.
  assert.equal(run('proc.name in (42)', { 'proc.name': 42 }), true);
  assert.equal(run('proc.name in (42, 7)', { 'proc.name': 42 }), true);
  assert.equal(run('proc.name in (true)', { 'proc.name': true }), true);
  assert.equal(run('proc.name in (AB)', { 'proc.name': new Uint8Array([0x41, 0x42]) }), true);
  assert.equal(run('evt.arg.flags in (O_RDONLY)', { 'evt.arg.flags': 'O_RDONLY' }), true);
  // A missing value is never in a list, whatever its size; numbers compare as numbers.
  assert.equal(run('proc.name in (x)', {}), false);
  assert.equal(run('proc.name in (x, y)', {}), false);
  assert.equal(run('proc.pid in (1234)'), true);
  assert.equal(run('proc.pid in (0x4d2, 5)'), true);
  assert.equal(run('fd.sport in (443)', { 'fd.sport': '443' }), true);
  // List fields: every value in the set; any ancestor (intersects) with one item.
  assert.equal(run('ka.images in (nginx)', { 'ka.images': ['nginx', 'nginx'] }), true);
  assert.equal(run('ka.images intersects (redis)'), true);
  assert.equal(run('ka.images intersects (x)'), false);
});

test('modifiers oneof / anyof / allof', () => {
  assert.equal(run('proc.name startswith oneof (B, Ba)'), false);
  assert.equal(run('proc.name startswith oneof (B, x)'), true);
  assert.equal(run('proc.name startswith anyof (x, Ba)'), true);
  assert.equal(run('proc.name contains allof (B, sh)'), true);
  assert.equal(run('proc.name contains allof (B, zz)'), false);
  assert.equal(run('proc.name = anyof ()'), false);
});

test('transformers on both sides and val()', () => {
  assert.equal(run('tolower(proc.name) = val(proc.pname)'), true);
  assert.equal(run('proc.name = val(proc.pname)'), false);
  assert.equal(run('toupper(proc.name) = BASH'), true);
  assert.equal(run('basename(fd.name) = shadow'), true);
  assert.equal(run('len(fd.name) = 11'), true);
  assert.equal(run('b64(proc.name) exists', { 'proc.name': 'aGVsbG8=' }), true);
  assert.equal(run('b64(proc.name) = hello', { 'proc.name': 'aGVsbG8=' }), true);
  assert.equal(run('tolower(proc.aname) intersects (SH, init)'), true);
  assert.equal(run('proc.pname = tolower(proc.name)'), true);
  assert.equal(run('proc.name = val(fd.name)', { 'proc.name': 'a' }), false);
  assert.equal(run('getopt(proc.args, "t:n")[t] = hello'), true);
  assert.equal(run('getopt(proc.args, "t:n") intersects (n)'), true);
  assert.equal(run('join(",", (proc.pname, "x")) = "bash,x"'), true);
  assert.equal(run('concat(proc.pname, "-", fd.sport) = bash-443'), true);
});

test('macros left in the AST and unknown fields are errors', () => {
  compileError('proc.name = a and my_macro', /Undefined macro 'my_macro' used in filter\./);
  assert.throws(() => compileCondition(parseCondition('no.such = 1'), source), /nonexistent field no\.such/);
});

test('compileOperand for output tokens', () => {
  const op = compileOperand('proc.aname[1]', source);
  assert.equal(op.extract(event), 'init');
  assert.equal(op.isTransformer, false);
  const t = compileOperand('toupper(proc.pname)', source);
  assert.equal(t.extract(event), 'BASH');
  assert.equal(t.isTransformer, true);
  assert.throws(() => compileOperand('proc.name x', source));
});

test('collectFields and eventTypes', () => {
  const e = parseCondition('evt.type in (open, openat) and tolower(proc.name) = val(proc.pname)');
  assert.deepEqual(collectFields(e).map((f) => f.field), ['evt.type', 'proc.name', 'proc.pname']);
  const types = (s: string) => {
    const t = eventTypes(parseCondition(s));
    return t && [...t].sort();
  };
  assert.deepEqual(types('evt.type in (open, openat) and proc.name = x'), ['open', 'openat']);
  assert.deepEqual(types('evt.type = open or evt.type = execve'), ['execve', 'open']);
  assert.deepEqual(types('evt.type in (a, b) and evt.type != a'), ['b']);
  assert.deepEqual(types('evt.type in (a, b) and not (evt.type = a or proc.name = x)'), ['b']);
  assert.deepEqual(types('evt.type = a and evt.type = b'), []);
  assert.equal(types('proc.name = x'), undefined);
  assert.equal(types('evt.type = a or proc.name = x'), undefined);
  assert.equal(types('not evt.type = a'), undefined);
  assert.deepEqual(types('not (evt.type != a)'), ['a']);
  assert.deepEqual(types('evt.type = a and not proc.name = x'), ['a']);
});

/** A deliberately simple (exponential but tiny-input) fnmatch without classes. */
function referenceGlob(p: string, s: string): boolean {
  if (p === '') return s === '';
  if (p[0] === '*') return referenceGlob(p.slice(1), s) || (s !== '' && referenceGlob(p, s.slice(1)));
  if (s === '') return false;
  if (p[0] === '?' || p[0] === s[0]) return referenceGlob(p.slice(1), s.slice(1));
  return false;
}

test('glob agrees with a reference matcher (property)', () => {
  const alphabet = fc.constantFrom('a', 'b', '/', '.');
  const text = fc.array(alphabet, { maxLength: 8 }).map((a) => a.join(''));
  const pattern = fc.array(fc.constantFrom('a', 'b', '/', '.', '*', '?'), { maxLength: 7 }).map((a) => a.join(''));
  fc.assert(fc.property(pattern, text, (p, s) => fnmatch(p, s) === referenceGlob(p, s)), { numRuns: 3000 });
});

test('glob classes, escapes and casefold', () => {
  assert.equal(fnmatch('[a-c]x', 'bx'), true);
  assert.equal(fnmatch('[!a-c]x', 'bx'), false);
  assert.equal(fnmatch('[]]', ']'), true);
  assert.equal(fnmatch('[[:digit:]]*', '7up'), true);
  assert.equal(fnmatch('\\*', '*'), true);
  assert.equal(fnmatch('\\*', 'a'), false);
  assert.equal(fnmatch('[abc', '[abc'), true);
  assert.equal(fnmatch('*/bin/*', '/usr/bin/x'), true);
  assert.equal(fnmatch('A[B-C]', 'ab', true), true);
  assert.equal(fnmatch('*a*a*a*a*a*a*b', 'a'.repeat(2000)), false);
});

test('performance: simple checks run millions of times per second', () => {
  const f = compileCondition(parseCondition('evt.type = execve and proc.name in (a, b, Bash) and not fd.name startswith /etc'), source);
  const e: PlainEvent = { 'evt.type': 'execve', 'proc.name': 'Bash', 'fd.name': '/tmp/x' };
  assert.equal(f(e), true);
  const n = 2_000_000;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) f(e);
  const perSecond = n / (Number(process.hrtime.bigint() - t0) / 1e9);
  assert.ok(perSecond > 1_000_000, `only ${Math.round(perSecond)} evaluations/s`);
});

test('internalize gives back the same text, whatever it is', () => {
  for (const s of ['', '__proto__', 'constructor', '0', '80', '-0', '01', '4294967295', '1e3', 'ResponseComplete', '\ud800', 'a\u0000b']) {
    assert.equal(internalize(s), s, JSON.stringify(s));
  }
  fc.assert(fc.property(fc.string({ unit: 'binary' }), fc.string(), (a, b) => {
    const text = `${b}${a}${b}`;
    const slice = text.slice(b.length, b.length + a.length);
    assert.equal(internalize(slice), a);
  }), { numRuns: 2000 });
});

test('IPv4 containment by 32-bit numbers agrees with the bigint masks (sign bit, /0, /32)', () => {
  const quad = (n: number) => [24, 16, 8, 0].map((b) => (n >>> b) & 255).join('.');
  fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 }), (a, n, prefix) => {
    const addr = parseIpAddr(quad(a))!;
    const net = parseIpNet(`${quad(n)}/${prefix}`)!;
    const want = (addr.value & net.mask) === net.base;
    assert.equal(ipInNet(addr, net), want, `${quad(a)} in ${quad(n)}/${prefix}`);
  }), { numRuns: 5000 });
  assert.equal(run('fd.sip = 128.0.0.0/1', { 'fd.sip': '255.255.255.255' }), true);
  assert.equal(run('fd.sip = 0.0.0.0/1', { 'fd.sip': '255.255.255.255' }), false);
  assert.equal(run('fd.sip = 0.0.0.0/0', { 'fd.sip': '255.255.255.255' }), true);
  assert.equal(run('fd.sip = 0.0.0.0/0', { 'fd.sip': '::1' }), false);
  assert.equal(run('fd.sip != 127.0.0.0/8', { 'fd.sip': '::ffff:127.0.0.1' }), true, 'an address of another family is not in the network');
  assert.equal(run('fd.sip = 10.1.2.3', { 'fd.sip': 0x0a010203 }), true);
  assert.equal(run('fd.sip = 10.1.2.0/24', { 'fd.sip': new Uint8Array([10, 1, 2, 200]) }), true);
  assert.equal(run('fd.sip in (10.1.2.3, 10.0.0.0/8)', { 'fd.sip': '10.200.0.1' }), true);
});

test('IPv4 text read by character codes agrees with the address parser', () => {
  const text = fc.oneof(
    fc.string({ unit: fc.constantFrom('0', '1', '2', '5', '9', '.', '.', 'a', ':', ' '), maxLength: 17 }),
    fc.tuple(fc.nat(300), fc.nat(300), fc.nat(300), fc.nat(300), fc.constantFrom('', '0', '00')).map(([a, b, c, d, z]) => `${z}${a}.${b}.${c}.${d}`),
  );
  fc.assert(fc.property(text, (t) => {
    const parsed = parseIpAddr(t);
    const want = parsed !== undefined && !parsed.v6 ? Number(parsed.value) : -1;
    assert.equal(ipv4Number(t), want, JSON.stringify(t));
  }), { numRuns: 20000 });
  assert.equal(ipv4Number('255.255.255.255'), 0xffffffff);
  assert.equal(ipv4Number('010.1.1.1'), parseIpAddr('010.1.1.1') && 0x0a010101);
  for (const bad of ['1.2.3', '1.2.3.4.5', '1..2.3', '.1.2.3', '1.2.3.', '256.1.1.1', '1.2.3.0004', '::1', '']) assert.equal(ipv4Number(bad), -1, bad);
  // Membership keys: the same address by text and in a list, whichever family.
  assert.equal(run('fd.sip in (10.1.2.3, ::1)', { 'fd.sip': '::1' }), true);
  assert.equal(run('fd.sip in (10.1.2.3, ::1)', { 'fd.sip': '10.1.2.3' }), true);
  assert.equal(run('fd.sip in (10.1.2.4, ::1)', { 'fd.sip': '10.1.2.3' }), false);
  assert.equal(run('fd.sip in (0.0.0.1)', { 'fd.sip': '::1' }), false);
});

test('in on a text field is set membership, whatever the lengths of the items and the value', () => {
  // Quoted items of letters, digits and path characters (Falco's escapes are not JSON's).
  const word = fc.string({ unit: fc.constantFrom('a', 'b', 'B', '0', '/', '.', '-', '_', ' ', 'é'), maxLength: 6 });
  fc.assert(fc.property(fc.uniqueArray(word, { minLength: 2, maxLength: 6 }), word, (items, value) => {
    const cond = `proc.name in (${items.map((i) => JSON.stringify(i)).join(', ')})`;
    assert.equal(run(cond, { 'proc.name': value }), items.includes(value), `${cond} with ${JSON.stringify(value)}`);
    assert.equal(run(cond, { 'proc.name': items[0]! }), true, cond);
  }), { numRuns: 3000 });
});
