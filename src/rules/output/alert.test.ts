import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  alertMessage,
  compileOutput,
  defaultHostname,
  formatAlertJson,
  formatAlertText,
  makeAlert,
  parsePriority,
  priorityAtLeast,
  type AlertRule,
} from './index.js';
import { testSource, type TestEvent } from './test-source.js';

const rule: AlertRule<TestEvent> = {
  name: 'open_from_cat',
  priority: 'Warning',
  tags: ['testing', 'filesystem', 'process', 'testing'],
  source: 'syscall',
  output: compileOutput('An open was seen (command=%proc.cmdline)', testSource),
};
const catEvent: TestEvent = { values: { 'proc.cmdline': 'cat /dev/null' }, ts: 1470327477881781397n };

test('the alert of falco 0.34.1 test/output_files/single_rule_with_cat_write', () => {
  const alert = makeAlert(rule, catEvent, testSource, { hostname: 'test-falco-hostname' });
  assert.equal(formatAlertText(alert), '2016-08-04T16:17:57.881781397+0000: Warning An open was seen (command=cat /dev/null)');
  assert.equal(
    formatAlertJson(alert),
    '{"hostname":"test-falco-hostname",' +
      '"output":"2016-08-04T16:17:57.881781397+0000: Warning An open was seen (command=cat /dev/null)",' +
      '"output_fields":{"evt.time.iso8601":1470327477881781397,"proc.cmdline":"cat /dev/null"},' +
      '"priority":"Warning","rule":"open_from_cat","source":"syscall","tags":["filesystem","process","testing"],' +
      '"time":"2016-08-04T16:17:57.881781397Z"}',
  );
  assert.equal(alert.time, '2016-08-04T16:17:57.881781397Z');
  assert.deepEqual(alert.tags, ['filesystem', 'process', 'testing']);
});

test('JSON toggles: message on, output/tags/output_fields off', () => {
  const alert = makeAlert(rule, catEvent, testSource, { hostname: 'h' });
  assert.equal(alertMessage(alert), 'An open was seen (command=cat /dev/null)');
  assert.equal(
    formatAlertJson(alert, { includeMessage: true, includeOutput: false, includeTags: false, includeOutputFields: false }),
    '{"hostname":"h","message":"An open was seen (command=cat /dev/null)","priority":"Warning","rule":"open_from_cat","source":"syscall","time":"2016-08-04T16:17:57.881781397Z"}',
  );
});

test('time_format_iso_8601 false: local clock in the text, evt.time in fields', () => {
  const saved = process.env.TZ;
  process.env.TZ = 'UTC';
  try {
    const alert = makeAlert(rule, catEvent, testSource, { hostname: 'h', timeFormatIso8601: false });
    assert.equal(alert.output, '16:17:57.881781397: Warning An open was seen (command=cat /dev/null)');
    assert.deepEqual(alert.output_fields, { 'evt.time': 1470327477881781397n, 'proc.cmdline': 'cat /dev/null' });
  } finally {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  }
});

test('events without a time take the clock; small times stay plain numbers', () => {
  const alert = makeAlert(rule, { values: {} }, testSource, { hostname: 'h', now: () => 1_000_000_005n });
  assert.equal(alert.time, '1970-01-01T00:00:01.000000005Z');
  assert.equal(alert.output, '1970-01-01T00:00:01.000000005+0000: Warning An open was seen (command=<NA>)');
  assert.deepEqual(alert.output_fields, { 'evt.time.iso8601': 1000000005, 'proc.cmdline': null });
  assert.match(formatAlertJson(alert), /"output_fields":\{"evt\.time\.iso8601":1000000005,"proc\.cmdline":null\}/);
});

test('strings are JSON-escaped, non-ASCII kept', () => {
  const alert = makeAlert(rule, { values: { 'proc.cmdline': 'echo "é"\n\\' }, ts: 0n }, testSource, { hostname: 'h' });
  assert.match(formatAlertJson(alert), /"proc\.cmdline":"echo \\"é\\"\\n\\\\"/);
  assert.equal(JSON.parse(formatAlertJson(alert)).output_fields['proc.cmdline'], 'echo "é"\n\\');
});

test('hostname: FALCO_HOSTNAME wins over the machine name', () => {
  assert.equal(defaultHostname({ FALCO_HOSTNAME: 'node-7' }), 'node-7');
  assert.notEqual(defaultHostname({}), '');
});

test('priorities: case-insensitive parse with the info alias; Falco order', () => {
  assert.equal(parsePriority('WARNING'), 'Warning');
  assert.equal(parsePriority('info'), 'Informational');
  assert.equal(parsePriority('Informational'), 'Informational');
  assert.equal(parsePriority('emergency'), 'Emergency');
  assert.equal(parsePriority('warn'), undefined);
  assert.equal(priorityAtLeast('Critical', 'Warning'), true);
  assert.equal(priorityAtLeast('Warning', 'Warning'), true);
  assert.equal(priorityAtLeast('Notice', 'Warning'), false);
  assert.equal(priorityAtLeast('Debug', 'Emergency'), false);
});
