import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConditionSyntaxError, type Expr } from '../types.js';
import { parseCondition, parseOperandPrefix } from './parser.js';
import { asString } from './printer.js';

const accepts = (s: string) => assert.doesNotThrow(() => parseCondition(s), s);
function rejects(s: string, message?: string): void {
  assert.throws(() => parseCondition(s), (e: unknown) => e instanceof ConditionSyntaxError && (!message || e.message.includes(message)), s);
}
const printed = (s: string) => asString(parseCondition(s));

test('precedence: not > and > or, n-ary nodes', () => {
  const e = parseCondition('a or b and c and not d or e');
  assert.equal(e.type, 'or');
  assert.equal((e as Extract<Expr, { type: 'or' }>).children.length, 3);
  assert.equal(asString(e), '(a or (b and c and not d) or e)');
});

test('keywords need a blank or ( after them', () => {
  accepts('x and(y)');
  accepts('not(x)');
  accepts('x and notx');
  rejects('x andy', `expected blank or '(' after 'and'`);
  rejects('x ory');
  rejects('x nor y', `unexpected token after 'x', expecting 'or', 'and'`);
});

test('empty input and depth limit', () => {
  rejects('', 'filter input string is empty');
  const deep = '('.repeat(50) + 'x' + ')'.repeat(50);
  accepts(deep);
  assert.throws(() => parseCondition(deep, { maxDepth: 20 }), /exceeded max depth limit of 20/);
});

test('field names are greedy and take bracket arguments', () => {
  const e = parseCondition('evt.arg.flags contains O_TRUNC and proc.aname[2]=sh and x.y["a b"] exists');
  assert.equal(asString(e), '(evt.arg.flags contains O_TRUNC and proc.aname[2] = sh and x.y["a b"] exists)');
  rejects('x.y[] = 1', 'expected a valid field argument');
  rejects('x.y[a = 1', `expected a ']' token`);
});

test('operators: word operators need a blank, list operators do not', () => {
  accepts('x.y in(a,b)');
  accepts('x.y pmatch(/a)');
  accepts('x.y ==v');
  rejects('x.y contains"v"');
  rejects('x.y startswithv');
  accepts('x.y regex "^a+$"');
  rejects('x.y > abc');
  accepts('x.y > 0x1F');
  accepts('x.y <= -1.5e+3');
  rejects('x.y = (a)');
  rejects('x.y in a.b');
});

test('bare strings keep <, *, :, and stop at = , ( ) quotes and blanks', () => {
  assert.equal(printed('x.y = /usr/bin/*'), 'x.y = /usr/bin/*');
  assert.equal(printed('x.y = a:b<c'), 'x.y = a:b<c');
  rejects('x.y = a=b');
});

test('string escapes', () => {
  const value = (s: string) => ((parseCondition(`x.y = ${s}`) as { right: { value: string } }).right.value);
  assert.equal(value(String.raw`"a\tb\n\\\/"`), 'a\tb\n\\/');
  assert.equal(value(String.raw`"q\"q"`), 'q"q');
  assert.equal(value(String.raw`'q\'q'`), "q'q");
  assert.equal(value(String.raw`"\x41B"`), 'AB');
  assert.equal(value(String.raw`"legacy\ x"`), 'legacy\\x');
  rejects(String.raw`x.y = "q\'q"`, `invalid \\' escape`);
  rejects(String.raw`x.y = "\q"`, 'unsupported string escape sequence');
  // Only the previous character decides whether a quote closes the string.
  rejects(String.raw`x.y = "a\\"`);
  accepts(String.raw`x.y = "a\\" and "`);
});

test('modifiers only before ( or a non-keyword list name', () => {
  assert.equal(printed('p.n startswith oneof (a, "b c")'), 'p.n startswith oneof (a, "b c")');
  assert.equal(printed('p.n = anyof my_list'), 'p.n = anyof my_list');
  assert.equal(printed('p.n = oneof and q.r exists'), '(p.n = oneof and q.r exists)');
  rejects('p.n = oneof(a)');
  rejects('p.n =oneof (a)');
  rejects('p.n in oneof (a)');
});

test('transformers: nesting, lists, val() on the right, [arg] after', () => {
  assert.equal(printed('tolower(toupper( p.n )) = val(p.m)'), 'tolower(toupper(p.n)) = val(p.m)');
  assert.equal(printed('getopt(p.args, "nt:")[t] = v'), 'getopt(p.args,nt:)[t] = v');
  assert.equal(printed('join("-", (a.b, "c", len(d.e))) = x'), 'join(-,(a.b,c,len(d.e))) = x');
  accepts('concat(a.b, "x", c.d) exists');
  rejects('val(a.b) exists');
  rejects('b64 (a.b) exists');
  rejects('b64(ab) exists');
  rejects('x.y = val(tolower(a.b))');
  rejects('x.y in (a, b64(c.d))');
  rejects('join("-", (a.b,)) = x');
});

test('printer quotes values with blanks, quotes or backslashes', () => {
  assert.equal(printed(`x.y in (a, 'b c', "d'e", "f\\\\g")`), `x.y in (a, "b c", "d'e", "f\\\\g")`);
  assert.equal(printed('not (a and b)'), 'not (a and b)');
  assert.equal(printed('not not a'), 'a');
  assert.equal(printed('x.y in ()'), 'x.y in ()');
});

test('positions are tracked across lines', () => {
  try {
    parseCondition('a and\n  b c');
    assert.fail('should reject');
  } catch (e) {
    assert.ok(e instanceof ConditionSyntaxError);
    assert.deepEqual(e.pos, { idx: 10, line: 2, col: 5 });
  }
});

test('parseOperandPrefix finds the longest field or transformer', () => {
  assert.deepEqual(parseOperandPrefix('%proc.aname[2] x', 1)?.end, 14);
  assert.equal(parseOperandPrefix('%tolower(proc.name)!', 1)?.end, 19);
  assert.equal(parseOperandPrefix('%proc.name[ x', 1)?.end, 10);
  assert.equal(parseOperandPrefix('%nofield', 1), undefined);
});
