/**
 * Sorted breakpoints with a guide table over their range, so finding a value's position costs a
 * multiplication and a short search within one guide slot instead of a full binary search (most
 * slots hold a point or two for smooth distributions; every slot is still searched exactly).
 */
export class Locator {
  readonly points: Float64Array;
  private readonly guide: Int32Array;
  private readonly low: number;
  private readonly scale: number;
  private readonly slots: number;

  constructor(points: ArrayLike<number>) {
    this.points = Float64Array.from(points);
    const n = this.points.length;
    this.slots = Math.max(1, 2 * n);
    this.low = n > 0 ? this.points[0]! : 0;
    const high = n > 0 ? this.points[n - 1]! : 0;
    this.scale = high > this.low ? this.slots / (high - this.low) : 0;
    // guide[j] = number of points below the start of slot j.
    this.guide = new Int32Array(this.slots + 1);
    let k = 0;
    for (let j = 0; j <= this.slots; j++) {
      const start = this.low + j / this.scale;
      while (k < n && this.points[k]! < start) k++;
      this.guide[j] = this.scale > 0 ? k : 0;
    }
    if (this.scale > 0) this.guide[this.slots] = n;
  }

  /** Number of points <= x. */
  upper(x: number): number {
    const p = this.points;
    const n = p.length;
    if (n === 0 || x < this.low) return 0;
    if (x >= p[n - 1]!) return n;
    let lo = 0;
    let hi = n;
    if (this.scale > 0) {
      const j = Math.min(Math.floor((x - this.low) * this.scale), this.slots - 1);
      // The slot brackets the answer; the two loops undo any rounding in j.
      lo = this.guide[j]!;
      while (lo > 0 && p[lo - 1]! > x) lo--;
      hi = this.guide[j + 1]!;
      while (hi < n && p[hi]! <= x) hi++;
    }
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (p[mid]! <= x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Number of points < x. */
  lower(x: number): number {
    const p = this.points;
    const n = p.length;
    if (n === 0 || x <= this.low) return 0;
    if (x > p[n - 1]!) return n;
    let lo = 0;
    let hi = n;
    if (this.scale > 0) {
      const j = Math.min(Math.floor((x - this.low) * this.scale), this.slots - 1);
      lo = this.guide[j]!;
      while (lo > 0 && p[lo - 1]! >= x) lo--;
      hi = this.guide[j + 1]!;
      while (hi < n && p[hi]! < x) hi++;
    }
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (p[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The support cell of x (see `cellIndex`). */
  cell(x: number): number {
    const u = this.upper(x);
    if (u === 0) return 0;
    return this.points[u - 1] === x ? 2 * u - 1 : 2 * u;
  }
}
