/**
 * Kubernetes' quantity library (k8s.io/apiserver/pkg/cel/library/quantity.go): `quantity(s)`,
 * `isQuantity(s)`, sign, isInteger, asInteger, asApproximateFloat, add/sub (quantity or int),
 * mul(int), isLessThan, isGreaterThan, compareTo. Values are never mutated (`add` returns a
 * new quantity), and `==` compares numerically (`quantity('200M') == quantity('0.2G')`).
 */
import { Quantity, parseQuantity } from '../go/quantity.js';
import type { Registry } from '../registry.js';
import { T } from '../types.js';
import { Opaque, fail } from '../values.js';

export class QuantityValue extends Opaque {
  readonly typeName = 'kubernetes.Quantity';
  constructor(readonly q: Quantity) {
    super();
  }
  equalTo(o: Opaque): boolean {
    return o instanceof QuantityValue && this.q.cmp(o.q) === 0;
  }
}

const Q = T.opaque('kubernetes.Quantity');

function parse(s: string): QuantityValue {
  try {
    return new QuantityValue(parseQuantity(s));
  } catch (e) {
    return fail((e as Error).message);
  }
}

export function registerQuantity(reg: Registry): void {
  reg.fn('quantity', [T.string], Q, parse);
  reg.fn('isQuantity', [T.string], T.bool, (s: string) => {
    try {
      parseQuantity(s);
      return true;
    } catch {
      return false;
    }
  });
  const sign = (q: QuantityValue): bigint => BigInt(q.q.sign());
  reg.fn('sign', [Q], T.int, sign);
  reg.method('sign', Q, [], T.int, sign);
  reg.method('isGreaterThan', Q, [Q], T.bool, (a: QuantityValue, b: QuantityValue) => a.q.cmp(b.q) === 1);
  reg.method('isLessThan', Q, [Q], T.bool, (a: QuantityValue, b: QuantityValue) => a.q.cmp(b.q) === -1);
  reg.method('compareTo', Q, [Q], T.int, (a: QuantityValue, b: QuantityValue) => BigInt(a.q.cmp(b.q)));
  reg.method('asApproximateFloat', Q, [], T.double, (a: QuantityValue) => a.q.asApproximateFloat());
  reg.method('asInteger', Q, [], T.int, (a: QuantityValue) => a.q.asInt64() ?? fail('cannot convert value to integer'));
  reg.method('isInteger', Q, [], T.bool, (a: QuantityValue) => a.q.asInt64() !== undefined);
  reg.method('add', Q, [Q], Q, (a: QuantityValue, b: QuantityValue) => new QuantityValue(a.q.add(b.q)));
  reg.method('add', Q, [T.int], Q, (a: QuantityValue, n: bigint) => new QuantityValue(a.q.add(Quantity.fromInt(n))));
  reg.method('sub', Q, [Q], Q, (a: QuantityValue, b: QuantityValue) => new QuantityValue(a.q.sub(b.q)));
  reg.method('sub', Q, [T.int], Q, (a: QuantityValue, n: bigint) => new QuantityValue(a.q.sub(Quantity.fromInt(n))));
  reg.method('mul', Q, [T.int], Q, (a: QuantityValue, n: bigint) => new QuantityValue(a.q.mul(n)));
}
