/**
 * A real store whose `insert` goes through a wrapper first: how tests hold a batch back (to
 * pile requests up) or count transactions, without a fake store.
 */
import type { Store } from './types.js';

export function interceptInsert(store: Store, wrap: (insert: Store['insert'], items: Parameters<Store['insert']>[0]) => ReturnType<Store['insert']>): Store {
  const insert: Store['insert'] = (items) => wrap((i) => store.insert(i), items);
  return new Proxy(store, {
    get: (target, key) => {
      if (key === 'insert') return insert;
      const value = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
