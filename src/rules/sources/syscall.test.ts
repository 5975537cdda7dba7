import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FieldError } from '../types.js';
import { createSyscallSource } from './index.js';

const source = createSyscallSource();
const ev = {
  'evt.num': 42,
  'evt.type': 'openat',
  'evt.dir': '<',
  'evt.rawtime': '1648035384123456789',
  'evt.rawres': '-2',
  'evt.res': 'ENOENT',
  'evt.arg.flags': 'O_RDONLY|O_CLOEXEC',
  'evt.arg[0]': '3',
  'evt.is_open_read': 'true',
  'evt.buffer': 'GET / HTTP',
  'proc.name': 'cat',
  'proc.pid': 1234,
  'proc.tty': '34816',
  'proc.duration': '5000000000',
  'proc.aname[1]': 'bash',
  'proc.aname[2]': 'sshd',
  'proc.aname[3]': 'systemd',
  'proc.aname[4]': null,
  'proc.apid[1]': 1200,
  'proc.apid[2]': '900',
  'proc.env[HOME]': '/root',
  'fd.name': '/etc/shadow',
  'fd.sport': 22,
  'fd.sip': '10.0.0.1',
  'fd.net': '10.0.0.0/8',
  'container.id': 'host',
  'container.privileged': false,
  'container.mount.dest[/var/run/docker.sock]': '/var/run/docker.sock',
  'user.uid': 0,
  'fd.types': ['file', 'ipv4'],
};

const x = (field: string, arg?: string, event: Record<string, unknown> = ev) => source.bind(field, arg).extract(event);

test('values are converted by libsinsp type', () => {
  assert.equal(x('evt.type'), 'openat');
  assert.equal(x('evt.num'), 42);
  assert.equal(x('evt.rawres'), -2);
  assert.equal(x('proc.pid'), 1234);
  assert.equal(x('proc.tty'), 34816);
  assert.equal(x('proc.duration'), 5000000000);
  assert.equal(x('evt.rawtime'), 1648035384123456789n, 'beyond 2^53 → bigint, exact');
  assert.equal(x('evt.is_open_read'), true);
  assert.equal(x('container.privileged'), false);
  assert.equal(x('fd.sport'), 22);
  assert.equal(x('fd.sip'), '10.0.0.1');
  assert.equal(x('fd.net'), '10.0.0.0/8');
  assert.equal(x('user.uid'), 0);
  assert.deepEqual(x('evt.buffer'), new Uint8Array(Buffer.from('GET / HTTP')));
  assert.equal(x('fd.name', undefined, { 'fd.name': null }), undefined);
  assert.equal(x('proc.pid', undefined, { 'proc.pid': 'abc' }), undefined, 'non-numeric text in a numeric field is not extracted');
});

test('field types follow libsinsp', () => {
  const type = (f: string) => source.bind(f).type;
  assert.equal(type('fd.sport'), 'port');
  assert.equal(type('fd.sip'), 'ipaddr');
  assert.equal(type('fd.net'), 'ipnet');
  assert.equal(type('evt.rawres'), 'int64');
  assert.equal(type('proc.pid'), 'int64');
  assert.equal(type('container.privileged'), 'bool');
  assert.equal(type('evt.rawtime'), 'abstime');
  assert.equal(type('proc.duration'), 'reltime');
  assert.equal(type('evt.buffer'), 'bytebuf');
});

test('evt.arg: dotted and bracket arguments, looked up as written', () => {
  const flags = source.bind('evt.arg.flags');
  assert.equal(flags.def.name, 'evt.arg');
  assert.equal(flags.text, 'evt.arg.flags');
  assert.equal(flags.extract(ev), 'O_RDONLY|O_CLOEXEC');
  assert.equal(x('evt.arg', '0'), '3');
  assert.equal(x('evt.arg.mode'), undefined);
  assert.throws(() => source.bind('evt.arg'), /requires an argument/);
  assert.throws(() => source.bind('evt.rawarg', 'res'), /evt.arg fields must be expressed explicitly/);
  assert.equal(source.bind('evt.rawarg.res').type, 'int64');
});

test('ancestors: an index reads one, no index means any ancestor', () => {
  const two = source.bind('proc.aname', '2');
  assert.equal(two.text, 'proc.aname[2]');
  assert.equal(two.list, false);
  assert.equal(two.anyOf, undefined);
  assert.equal(two.extract(ev), 'sshd');
  assert.equal(x('proc.aname', '0'), 'cat', '[0] is the process itself');
  assert.equal(x('proc.aname', '5'), undefined);
  const any = source.bind('proc.aname');
  assert.equal(any.anyOf, true);
  assert.equal(any.list, false);
  assert.deepEqual(any.extract(ev), ['bash', 'sshd', 'systemd'], 'stops at the first missing ancestor');
  assert.deepEqual(x('proc.apid'), [1200, 900]);
  assert.deepEqual(x('proc.aname', undefined, { 'proc.aname': ['a', 'b'] }), ['a', 'b']);
  assert.equal(x('proc.aname', '2', { 'proc.aname': ['a', 'b'] }), 'b');
  assert.deepEqual(x('proc.aname', undefined, { 'proc.aname': 'a b  c' }), ['a', 'b', 'c']);
  assert.equal(x('proc.aname', undefined, { 'proc.name': 'init' }), undefined);
  assert.throws(() => source.bind('proc.aname', 'x'), /invalid index argument not composed only by digits: x/);
});

test('keyed arguments', () => {
  assert.equal(x('proc.env', 'HOME'), '/root');
  assert.equal(x('container.mount.dest', '/var/run/docker.sock'), '/var/run/docker.sock');
  assert.equal(x('container.mount.dest', '/proc*'), undefined);
  assert.throws(() => source.bind('container.mount.dest'), /requires an argument but none provided/);
});

test('list field and its index', () => {
  const all = source.bind('fd.types');
  assert.equal(all.list, true);
  assert.deepEqual(all.extract(ev), ['file', 'ipv4']);
  assert.equal(source.bind('fd.types', '0').list, false);
});

test('strict mode rejects unknown fields; permissive binds dotted names as strings', () => {
  assert.throws(() => source.bind('proc.nope'), (e: unknown) => e instanceof FieldError && e.message === 'filter_check called with nonexistent field proc.nope');
  assert.throws(() => source.bind('custom.thing'), /nonexistent field custom.thing/);
  const loose = createSyscallSource({ strict: false });
  const b = loose.bind('custom.thing');
  assert.equal(b.type, 'string');
  assert.equal(b.extract({ 'custom.thing': 7 }), '7');
  assert.equal(loose.bind('custom.map', 'k').extract({ 'custom.map[k]': 'v' }), 'v');
  assert.throws(() => loose.bind('nodots'), /nonexistent field nodots/);
  assert.equal(loose.bind('proc.pid').type, 'int64', 'known fields keep their type');
});

test('time and event type', () => {
  assert.equal(source.timeNs(ev), 1648035384123456789n);
  assert.equal(source.timeNs({ 'evt.rawtime': 1000 }), 1000n);
  assert.equal(source.timeNs({ 'evt.datetime': '2022-03-23 11:36:24.123456789' }), 1648035384123456789n);
  assert.equal(source.timeNs({ 'evt.time.iso8601': '2022-03-23T12:36:24.5+01:00' }), 1648035384500000000n);
  assert.equal(source.timeNs({ 'evt.time': '11:36:24.123' }), undefined);
  assert.equal(source.eventType(ev), 'openat');
  assert.equal(source.eventType({}), undefined);
});

test('table covers the fields of the upstream rules (falco.md §4.2)', () => {
  const used = 'container.id container.image.repository container.privileged container.start_ts evt.arg.domain evt.arg.flags evt.arg.linkpath evt.arg.newpath evt.arg.oldpath evt.arg.request evt.arg.target evt.args evt.is_open_read evt.is_open_write evt.num evt.rawres evt.res evt.type fd.connected fd.directory fd.filename fd.ip fd.l4proto fd.lport fd.name fd.name_changed fd.nameraw fd.net fd.num fd.rport fd.sip fd.sip.name fd.snet fd.sport fd.type fd.typechar group.gid group.name k8s.ns.name proc.aexepath proc.aname proc.args proc.cmdline proc.cwd proc.duration proc.exe proc.exe_ino.ctime proc.exe_ino.ctime_duration_proc_start proc.exe_ino.mtime proc.exepath proc.is_exe_from_memfd proc.is_exe_upper_layer proc.name proc.pcmdline proc.pexe proc.pexepath proc.pname proc.sname proc.tty thread.cap_effective user.loginname user.loginuid user.name user.uid evt.arg.cmd evt.arg.fd evt.arg.filename evt.arg.mode evt.arg.name evt.arg.path evt.arg.uid fd.cip.name fd.lip.name fd.port fd.rip.name fd.rnet fd.sockfamily proc.aexe proc.env proc.vpid thread.cap_permitted container.mounts evt.buffer evt.is_open_exec fd.cip fd.cnet fd.rip k8s.pod.name proc.is_vpgid_leader';
  for (const f of used.split(' ')) assert.doesNotThrow(() => source.bind(f), f);
  assert.doesNotThrow(() => source.bind('container.mount.dest', '/var/run/docker.sock'));
});
