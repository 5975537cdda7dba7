/** Text helpers for messages, shared by every analyzer. */

/** The first `max` items joined by ", ", then "and N more" for the rest. */
export function cappedList(items: readonly string[], max: number): string {
  return items.length > max ? `${items.slice(0, max).join(', ')} and ${items.length - max} more` : items.join(', ');
}
