/**
 * Offset → 1-based line number. The text may be a 100 MB JSON dump of which only a few
 * lines are ever asked for, so the index is built lazily and sparsely: the offset of every
 * 16th line start, only as far as the largest offset asked for so far, then a short count of
 * newlines from the nearest checkpoint (findings ask for many lines of small texts too).
 */
const STRIDE = 16;

export class LineIndex {
  /** checkpoints[k] = offset where line k*STRIDE+1 starts. */
  private readonly checkpoints: number[] = [0];
  /** Offset of the last line start counted, and its 0-based line number. */
  private frontier = 0;
  private frontierLine = 0;
  private done = false;

  constructor(private readonly text: string) {}

  lineAt(offset: number): number {
    this.extendTo(offset);
    let lo = 0;
    let hi = this.checkpoints.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.checkpoints[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    let line = lo * STRIDE;
    for (let i = this.text.indexOf('\n', this.checkpoints[lo]); i !== -1 && i < offset; i = this.text.indexOf('\n', i + 1)) line++;
    return line + 1;
  }

  private extendTo(offset: number): void {
    const t = this.text;
    while (!this.done && this.frontier <= offset) {
      const nl = t.indexOf('\n', this.frontier);
      if (nl === -1) {
        this.done = true;
        break;
      }
      this.frontier = nl + 1;
      this.frontierLine++;
      if (this.frontierLine % STRIDE === 0) this.checkpoints.push(this.frontier);
    }
  }
}

/** Line of an offset without building an index (for one-off error positions). */
export function lineOfOffset(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** Whether a UTF-16 code unit is whitespace as JavaScript's \s means it (ASCII without a regex). */
export function isSpaceCode(c: number): boolean {
  if (c === 32 || (c >= 9 && c <= 13)) return true;
  return c >= 128 && /\s/.test(String.fromCharCode(c));
}
