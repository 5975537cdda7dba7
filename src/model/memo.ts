import { ownString } from './own.js';

/**
 * A function of a string, remembered for the distinct arguments seen. Inputs repeat (the same
 * quantities, images, addresses and timestamps across a corpus or a stream), but they come
 * from users: the cache is emptied when it holds `max` entries, so memory stays bounded.
 */
export function memoizeString<V>(compute: (key: string) => V, max = 4096): (key: string) => V {
  const cache = new Map<string, V>();
  return (key) => {
    let value = cache.get(key);
    if (value === undefined && !cache.has(key)) {
      // The key is often a slice of a whole parsed document; kept as it is, it would keep
      // that document's text alive for as long as it stays cached.
      const own = ownString(key);
      value = compute(own);
      if (cache.size >= max) cache.clear();
      cache.set(own, value);
    }
    return value as V;
  };
}

/**
 * One shared copy of a string that many kept objects repeat (apiVersions, kinds, namespaces):
 * thousands of findings and facts then hold one string instead of a copy each, which the
 * garbage collector would otherwise move and mark one by one.
 */
export const internString = memoizeString((s) => s);

/**
 * One shared copy of a finding's message. Findings are kept to the end of a scan, and their
 * messages repeat (the same check on containers of the same name: 355 distinct messages among
 * the 6,142 findings of the 10,000-resource benchmark); each kept copy is moved twice by the
 * young-generation collector before it settles. A separate cache from internString, so that
 * messages do not push the apiVersions and kinds out.
 */
export const internMessage = memoizeString((s) => s, 16_384);

/** Slots of a RecentMessages (by message length, modulo). */
const RECENT_SLOTS = 64;

/**
 * internMessage for the messages of one source (a check), with the last message of each length
 * kept in front of the shared cache. A message is usually built by concatenation, and V8 must
 * flatten such a string into a copy before it can hash it: a lookup in internMessage's map cost
 * ~600 ns, about 4 ms per 10,000-resource scan. One check's messages repeat with the same
 * length (the same wording about the same container names), and comparing with the message
 * last seen at that length needs no copy and no hash: it answered 3 in 4 of the benchmark's
 * findings. A comparison that fails costs little (strings of one length usually differ early).
 */
export class RecentMessages {
  private readonly slots: Array<string | undefined> = new Array(RECENT_SLOTS).fill(undefined);

  intern(message: string): string {
    const slot = message.length % RECENT_SLOTS;
    const last = this.slots[slot];
    if (last === message) return last;
    const shared = internMessage(message);
    this.slots[slot] = shared;
    return shared;
  }
}

/**
 * A function remembered for its last argument only, compared by identity. Checks that run one
 * after the other on the same resource ask the same question about it (its rules, its images,
 * its pod's facts): the first computes, the others reuse, and nothing else is kept.
 */
export function memoizeLast<K, V>(compute: (key: K) => V): (key: K) => V {
  let known = false;
  let lastKey: K;
  let lastValue: V;
  return (key) => {
    if (!known || key !== lastKey) {
      lastValue = compute(key);
      lastKey = key;
      known = true;
    }
    return lastValue;
  };
}
