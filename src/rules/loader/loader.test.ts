import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FieldError, type FieldDef, type FieldSource } from '../types.js';
import { conditionWithExceptions, formatLoadResult, loadRules, quoteItem, substituteList } from './index.js';
import type { ExceptionInfo } from './infos.js';

/** A source that knows a handful of string fields. */
function stubSource(name: string, fields: string[]): FieldSource {
  const defs: FieldDef[] = fields.map((f) => ({ name: f, type: 'string', desc: f }));
  return {
    name,
    fields: defs,
    bind(field: string, arg?: string) {
      const def = defs.find((d) => d.name === field);
      if (!def) throw new FieldError(`filter_check called with nonexistent field ${field}`);
      return { def, text: arg === undefined ? field : `${field}[${arg}]`, type: 'string', list: false, extract: () => undefined };
    },
    timeNs: () => undefined,
    eventType: () => undefined,
  };
}
const sources = {
  syscall: stubSource('syscall', ['evt.type', 'proc.name', 'proc.pname', 'fd.name', 'proc.cmdline', 'evt.num']),
};
const load = (...contents: string[]) => loadRules(contents.map((content, i) => ({ name: `f${i}.yaml`, content })), { sources });
const RULE = (name: string, cond: string, extra = '') =>
  `- rule: ${name}\n  desc: d\n  condition: ${cond}\n  output: o %proc.name\n  priority: INFO\n${extra}`;

test('list substitution: delimiters, quoting, empty lists eat a comma', () => {
  assert.equal(substituteList('proc.name in (shells, zsh)', 'shells', ['ash', 'bash'], 1e6), 'proc.name in ( ash, bash , zsh)');
  assert.equal(substituteList('proc.name in (myshells)', 'shells', ['ash'], 1e6), undefined);
  assert.equal(substituteList('x in (a, empty)', 'empty', [], 1e6), 'x in (a  )');
  assert.equal(quoteItem('a b'), '"a b"');
  assert.equal(quoteItem('"a b"'), '"a b"');
});

test('exceptions compile as text', () => {
  const ex: ExceptionInfo = {
    name: 'e',
    fields: { isList: true, item: '', items: [{ isList: false, item: 'proc.name', items: [] }, { isList: false, item: 'fd.name', items: [] }] },
    comps: { isList: true, item: '', items: [{ isList: false, item: '=', items: [] }, { isList: false, item: 'in', items: [] }] },
    values: [{ isList: true, item: '', items: [{ isList: false, item: 'a b', items: [] }, { isList: false, item: '/etc', items: [] }] }],
    ctx: { file: 'f', pos: { offset: 0, line: 1, column: 1 } },
  };
  assert.equal(conditionWithExceptions('evt.type = open', [ex]), '(evt.type = open) and not (( proc.name = "a b" and  fd.name in (/etc)))');
});

test('override append/replace and deprecated append', () => {
  const set = load(
    RULE('r', 'evt.type = open', '  tags: [b, a]\n') +
      '- rule: r\n  condition: and proc.name = cat\n  tags: [c]\n  override:\n    condition: append\n    tags: append\n' +
      '- rule: r\n  priority: WARNING\n  override:\n    priority: replace\n',
  );
  assert.equal(set.results[0]!.errors.length, 0, JSON.stringify(set.results[0]!.errors));
  const r = set.rules[0]!;
  assert.equal(r.conditionCompiled, '(evt.type = open and proc.name = cat)');
  assert.deepEqual(r.tags, ['a', 'b', 'c']);
  assert.equal(r.priority, 'Warning');
  const dep = load(RULE('r', 'evt.type = open') + '- rule: r\n  condition: and proc.name = x\n  append: true\n');
  assert.ok(dep.results[0]!.warnings.some((w) => w.code === 'LOAD_DEPRECATED_ITEM'));
});

test('errors carry file, line, item and stop the file', () => {
  const set = load('- macro: m\n  condition: evt.type = open\n' + RULE('bad', 'evt.type = open', '') + '- rule: r2\n  desc: x\n');
  const err = set.results[0]!.errors[0]!;
  assert.equal(err.message, "Item has no mapping for key 'condition'");
  assert.equal(err.line, 8);
  assert.equal(err.itemName, 'r2');
  assert.equal(err.itemType, 'rule');
  assert.equal(set.results[0]!.successful, false);
  assert.match(formatLoadResult(set.results, 'text'), /f0\.yaml:8:3: rule 'r2' LOAD_ERR_YAML_VALIDATE/);
  const json = JSON.parse(formatLoadResult(set.results, 'json'));
  assert.equal(json.results[0].errors[0].context.locations[0].item_name, 'r2');
});

test('later files modify earlier ones; unknown keys and items warn', () => {
  const set = load(RULE('r', 'evt.type = open'), '- rule: r\n  enabled: false\n- foo: 1\n- list: l\n  items: [a]\n  bogus: 1\n');
  assert.equal(set.rules[0]!.enabled, false);
  const codes = set.results[1]!.warnings.map((w) => w.code);
  assert.ok(codes.includes('LOAD_UNKNOWN_ITEM') && codes.includes('LOAD_UNKNOWN_KEY') && codes.includes('LOAD_UNUSED_LIST'));
});

test('macro recursion and undefined macros are errors, not hangs', () => {
  const selfRef = load('- macro: a\n  condition: evt.type = open\n- macro: a\n  condition: or a\n  override:\n    condition: append\n' + RULE('r', 'a'));
  assert.match(selfRef.results[0]!.errors[0]!.message, /refers to itself/);
  const undef = load(RULE('r', 'evt.type = open and nope'));
  assert.equal(undef.results[0]!.errors[0]!.message, "Undefined macro 'nope' used in filter.");
  // Macros that double at each level: the size guard stops it.
  let text = '- macro: m0\n  condition: evt.type = open\n';
  for (let i = 1; i < 40; i++) text += `- macro: m${i}\n  condition: m${i - 1} or m${i - 1}\n`;
  const blowup = load(text + RULE('r', 'm39'));
  assert.match(blowup.results[0]!.errors[0]!.message, /nodes after macro expansion|max depth/);
});

// Falco expands a self-reference with the list's own raw items (appended ones included), once.
test('a list that includes itself expands once; versions and priorities', () => {
  const set = load('- list: l\n  items: [a]\n- list: l\n  items: [l, b]\n  override:\n    items: append\n' + RULE('r', 'proc.name in (l)'));
  assert.equal(set.rules[0]!.conditionCompiled, 'proc.name in (a, a, l, b, b)');
  const v = load('- required_engine_version: 15\n');
  assert.equal(v.requiredEngineVersion, '0.15.0');
  const tooNew = load('- required_engine_version: 0.99.0\n');
  assert.match(tooNew.results[0]!.errors[0]!.message, /Rules require engine version 0.99.0, but engine version is 0.63.0/);
  const major = load('- required_engine_version: 1.0.0\n');
  assert.equal(major.results[0]!.successful, false);
  const p = load(RULE('r', 'evt.type = open').replace('INFO', 'info'));
  assert.equal(p.rules[0]!.priority, 'Informational');
  const minPri = loadRules([{ name: 'x', content: RULE('r', 'evt.type = open').replace('INFO', 'DEBUG') }], { sources, minPriority: 'Warning' });
  assert.equal(minPri.rules[0]!.enabled, false);
});

test('unknown source is skipped with a warning; bad output fields are errors', () => {
  const set = load(RULE('r', 'x.y = 1', '  source: aws_cloudtrail\n'));
  assert.equal(set.rules.length, 0);
  assert.equal(set.results[0]!.warnings[0]!.code, 'LOAD_UNKNOWN_SOURCE');
  const out = load(RULE('r', 'evt.type = open').replace('%proc.name', '%proc.nope'));
  assert.equal(out.results[0]!.errors[0]!.code, 'LOAD_ERR_COMPILE_OUTPUT');
  const skip = load(RULE('r', 'proc.nope = 1', '  skip-if-unknown-filter: true\n'));
  assert.equal(skip.results[0]!.successful, true);
  assert.equal(skip.rules.length, 0);
});
