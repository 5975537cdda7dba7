import type { InventoryCheck, ResourceCheck } from './types.js';

/** Declares a per-resource check (the identity, for type checking and one obvious shape). */
export function defineCheck(def: Omit<ResourceCheck, 'scope'>): ResourceCheck {
  return { ...def, scope: 'resource' };
}

/** Declares a cross-resource check. */
export function defineInventoryCheck<F>(def: Omit<InventoryCheck<F>, 'scope'>): InventoryCheck<F> {
  return { ...def, scope: 'inventory' };
}
