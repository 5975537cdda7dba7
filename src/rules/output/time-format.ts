/** Event timestamps (ns since the epoch, bigint) in the shapes Falco prints. */

const NS_PER_SECOND = 1_000_000_000n;

function splitSeconds(ns: bigint): { seconds: number; fraction: string } {
  let seconds = ns / NS_PER_SECOND;
  let rest = ns % NS_PER_SECOND;
  if (rest < 0n) {
    rest += NS_PER_SECOND;
    seconds -= 1n;
  }
  return { seconds: Number(seconds), fraction: rest.toString().padStart(9, '0') };
}

/** `YYYY-MM-DDTHH:MM:SS` in UTC. */
function utcSeconds(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 19);
}

/** The JSON alert's `time`: `2016-08-04T16:17:57.881781397Z` (formats.cpp: `%FT%T` + `.%09luZ`). */
export function isoTimeZ(ns: bigint): string {
  const { seconds, fraction } = splitSeconds(ns);
  return `${utcSeconds(seconds)}.${fraction}Z`;
}

/** `%evt.time.iso8601`: `2016-08-04T16:17:57.881781397+0000` (UTC). */
export function isoTimeOffset(ns: bigint): string {
  const { seconds, fraction } = splitSeconds(ns);
  return `${utcSeconds(seconds)}.${fraction}+0000`;
}

const two = (n: number): string => String(n).padStart(2, '0');

/** `%evt.time`: local wall-clock time `HH:MM:SS.nnnnnnnnn`, as Falco prints without time_format_iso_8601. */
export function localClockTime(ns: bigint): string {
  const { seconds, fraction } = splitSeconds(ns);
  const d = new Date(seconds * 1000);
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${fraction}`;
}

/** Now, in ns since the epoch (for events that carry no time). */
export function nowNs(): bigint {
  const ms = Date.now();
  const hr = process.hrtime.bigint() % 1_000_000n; // sub-millisecond digits, so alerts of one ms differ
  return BigInt(ms) * 1_000_000n + hr;
}
