/**
 * Lines that may be resolved later. Cross-resource checks keep a fact about nearly every
 * resource, but only a few facts become findings; finding a line costs a walk of the
 * document, so a fact may keep the way to its line instead of the line itself.
 */
import type { JsonPath } from './types.js';

/** Where lines of one resource can still be found after the scan has moved on. */
export interface LineSource {
  lineOf(path: JsonPath): number;
}

/** A line not looked up yet. */
export class DeferredLine {
  constructor(
    private readonly source: LineSource,
    private readonly path: JsonPath,
  ) {}

  resolve(): number {
    return this.source.lineOf(this.path);
  }
}

/** A line, or the means to find it (0: no line). Plain numbers cross worker threads; deferred ones do not. */
export type LineRef = number | DeferredLine;

export function resolveLine(line: LineRef): number {
  return typeof line === 'number' ? line : line.resolve();
}
