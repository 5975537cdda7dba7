/**
 * Fixed-size bit sets over the pods of one model (bit i = pod i), as plain Uint32Arrays so
 * that unions and intersections over 1,000 pods are 32 word operations.
 */
export type Bits = Uint32Array;

export function wordsFor(n: number): number {
  return (n + 31) >>> 5;
}

export function empty(n: number): Bits {
  return new Uint32Array(wordsFor(n));
}

/** Every bit below n set. */
export function full(n: number): Bits {
  const b = new Uint32Array(wordsFor(n));
  b.fill(0xffffffff);
  const rest = n & 31;
  if (rest !== 0) b[b.length - 1] = (1 << rest) - 1 >>> 0;
  return b;
}

export function has(b: Bits, i: number): boolean {
  return (b[i >>> 5] & (1 << (i & 31))) !== 0;
}

export function set(b: Bits, i: number): void {
  b[i >>> 5] |= 1 << (i & 31);
}

/** a |= b */
export function orInto(a: Bits, b: Bits): void {
  for (let i = 0; i < a.length; i++) a[i] |= b[i];
}

/** a &= b */
export function andInto(a: Bits, b: Bits): void {
  for (let i = 0; i < a.length; i++) a[i] &= b[i];
}

/** a &= ~b */
export function andNotInto(a: Bits, b: Bits): void {
  for (let i = 0; i < a.length; i++) a[i] &= ~b[i];
}

export function and(a: Bits, b: Bits): Bits {
  const out = a.slice();
  andInto(out, b);
  return out;
}

export function isEmpty(b: Bits): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

export function count(b: Bits): number {
  let n = 0;
  for (let i = 0; i < b.length; i++) {
    let v = b[i];
    v = v - ((v >>> 1) & 0x55555555);
    v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
    n += (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
  }
  return n;
}

/** The indexes of the set bits, ascending. */
export function members(b: Bits): number[] {
  const out: number[] = [];
  for (let w = 0; w < b.length; w++) {
    let v = b[w];
    while (v !== 0) {
      const low = v & -v;
      out.push((w << 5) + 31 - Math.clz32(low));
      v ^= low;
    }
  }
  return out;
}
