import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CheckParams } from './types.js';
import { brief, findingsOf, lineOf, pod, type Brief } from './testkit.js';

const scan = (ids: string | string[], text: string, params: Partial<CheckParams> = {}): Brief[] => findingsOf(text, ids, params).map(brief);

const DANGEROUS = 'capabilities/dangerous-add';
const NET_RAW = 'capabilities/net-raw-not-dropped';

test('dangerous-add: each dangerous capability once, at its list entry, any spelling', () => {
  const text = pod(`  containers:
  - name: app
    image: x
    securityContext:
      capabilities:
        add:
        - SYS_ADMIN
        - cap_net_admin
        - CHOWN
        - sys_admin
        - 42
  ephemeralContainers:
  - name: debug
    image: x
    securityContext: {capabilities: {add: [ALL]}}
`);
  assert.deepEqual(scan(DANGEROUS, text), [
    {
      check: DANGEROUS, severity: 'critical', path: 'spec.containers[0].securityContext.capabilities.add[0]', line: lineOf(text, '- SYS_ADMIN'),
      message: 'container "app" adds capability SYS_ADMIN in securityContext.capabilities.add: mount, namespaces and most kernel administration, the usual container escape',
    },
    {
      check: DANGEROUS, severity: 'critical', path: 'spec.containers[0].securityContext.capabilities.add[1]', line: lineOf(text, '- cap_net_admin'),
      message: 'container "app" adds capability "cap_net_admin" (NET_ADMIN) in securityContext.capabilities.add: reconfigures interfaces, routes and firewall rules of the pod network',
    },
    {
      check: DANGEROUS, severity: 'critical', path: 'spec.ephemeralContainers[0].securityContext.capabilities.add[0]', line: lineOf(text, 'add: [ALL]'),
      message: 'ephemeral container "debug" adds capability ALL in securityContext.capabilities.add: every capability, equivalent to root on the node kernel',
    },
  ]);
});

test('dangerous-add: a string instead of a list is read for what it names', () => {
  const text = pod(`  containers:
  - name: app
    image: x
    securityContext:
      capabilities:
        add: "SYS_ADMIN, sys_module"
`);
  assert.deepEqual(scan(DANGEROUS, text).map((f) => [f.path, f.line, f.message]), [
    ['spec.containers[0].securityContext.capabilities.add', lineOf(text, 'add:'), 'container "app" adds capability SYS_ADMIN in securityContext.capabilities.add: mount, namespaces and most kernel administration, the usual container escape'],
    ['spec.containers[0].securityContext.capabilities.add', lineOf(text, 'add:'), 'container "app" adds capability "sys_module" (SYS_MODULE) in securityContext.capabilities.add: loads kernel modules, i.e. arbitrary kernel code'],
  ]);
});

test('dangerous-add: default-set additions, hardened containers and Windows pods pass', () => {
  assert.deepEqual(scan(DANGEROUS, pod(`  containers:
  - name: app
    image: x
    securityContext: {capabilities: {drop: [ALL], add: [NET_BIND_SERVICE, CHOWN]}}
  - name: bare
    image: x
    securityContext: {capabilities: null}
`)), []);
  assert.deepEqual(scan(DANGEROUS, pod(`  os: {name: windows}
  containers:
  - {name: app, image: x, securityContext: {capabilities: {add: [SYS_ADMIN]}}}
`)), []);
});

test('net-raw-not-dropped: kept by default, dropped by name or ALL, added back after ALL', () => {
  const text = pod(`  initContainers:
  - name: init
    image: x
  containers:
  - name: some
    image: x
    securityContext: {capabilities: {drop: [CHOWN]}}
  - name: all
    image: x
    securityContext: {capabilities: {drop: [all]}}
  - name: named
    image: x
    securityContext: {capabilities: {drop: [CAP_NET_RAW]}}
  - name: back
    image: x
    securityContext: {capabilities: {drop: [ALL], add: [NET_BIND_SERVICE, NET_RAW]}}
  - name: addthendrop
    image: x
    securityContext: {capabilities: {add: [NET_RAW], drop: [NET_RAW]}}
  - name: addall
    image: x
    securityContext: {capabilities: {add: [ALL]}}
`);
  assert.deepEqual(scan(NET_RAW, text), [
    {
      check: NET_RAW, severity: 'medium', path: 'spec.initContainers[0].securityContext.capabilities.drop', line: lineOf(text, '- name: init'),
      message: 'init container "init" keeps NET_RAW: securityContext.capabilities.drop has neither NET_RAW nor ALL',
    },
    {
      check: NET_RAW, severity: 'medium', path: 'spec.containers[0].securityContext.capabilities.drop', line: lineOf(text, 'drop: [CHOWN]'),
      message: 'container "some" keeps NET_RAW: securityContext.capabilities.drop has neither NET_RAW nor ALL',
    },
    {
      check: NET_RAW, severity: 'medium', path: 'spec.containers[3].securityContext.capabilities.add[1]', line: lineOf(text, 'NET_BIND_SERVICE, NET_RAW'),
      message: 'container "back" adds NET_RAW in securityContext.capabilities.add after dropping ALL',
    },
    {
      check: NET_RAW, severity: 'medium', path: 'spec.containers[5].securityContext.capabilities.drop', line: lineOf(text, 'add: [ALL]'),
      message: 'container "addall" keeps NET_RAW: securityContext.capabilities.drop has neither NET_RAW nor ALL',
    },
  ]);
});

test('net-raw-not-dropped: drop as a string, Windows pods', () => {
  assert.deepEqual(scan(NET_RAW, pod(`  containers:
  - {name: app, image: x, securityContext: {capabilities: {drop: ALL}}}
`)), []);
  assert.deepEqual(scan(NET_RAW, pod(`  os: {name: windows}
  containers: [{name: app, image: x}]
`)), []);
});
