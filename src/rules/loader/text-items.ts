/** How list items and exception values are put into condition text (Falco does it textually). */

/** Wraps a value that contains a space in double quotes unless it is already quoted. No escaping, as in Falco. */
export function quoteItem(value: string): string {
  if (value.includes(' ') && value[0] !== '"' && value[0] !== "'") return `"${value}"`;
  return value;
}

/** Wraps a value in parentheses unless it already starts with one. */
export function parenItem(value: string): string {
  return value[0] === '(' ? value : `(${value})`;
}
