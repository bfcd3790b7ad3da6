/**
 * Neumaier's compensated running sum: the error of each addition is carried and added back at
 * the end, so a million values sum to about the exact total whatever their order of magnitude.
 * summarize() sums an array through it, the streamed summary a value at a time, in the same way.
 */
export class CompensatedSum {
  private sum = 0;
  private compensation = 0;

  add(x: number): void {
    const t = this.sum + x;
    this.compensation += Math.abs(this.sum) >= Math.abs(x) ? this.sum - t + x : x - t + this.sum;
    this.sum = t;
  }

  get value(): number {
    return this.sum + this.compensation;
  }
}
