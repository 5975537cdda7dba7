/** Facts of the cross-resource checks once they are back on the main thread. */
import type { FactRecord } from './run.js';

/**
 * Gives each distinct subject (one per resource) its place in input order; `facts` must be in
 * input order. Subjects are told apart by identity, so a resource's facts share one subject.
 */
export function numberSubjects(facts: readonly FactRecord[]): void {
  const seen = new Map<object, number>();
  for (const f of facts) {
    let n = seen.get(f.subject);
    if (n === undefined) seen.set(f.subject, (n = seen.size));
    f.subject.order = n;
  }
}
