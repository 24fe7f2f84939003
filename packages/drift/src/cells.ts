/**
 * The two-sample KS statistic from cell counts: the largest gap between the cumulative fractions
 * after each cell. Exact when the reference lies on the points only (its open cells are empty):
 * between two points the reference CDF is flat, so the gap peaks at a cell boundary.
 */
export function ksStatisticFromCells(ref: ArrayLike<number>, cur: ArrayLike<number>): number {
  let nr = 0;
  let nc = 0;
  for (let i = 0; i < ref.length; i++) nr += ref[i]!;
  for (let i = 0; i < cur.length; i++) nc += cur[i]!;
  if (nr === 0 || nc === 0) return 0;
  let cr = 0;
  let cc = 0;
  let d = 0;
  for (let i = 0; i < ref.length; i++) {
    cr += ref[i]!;
    cc += cur[i]!;
    const gap = Math.abs(cr / nr - cc / nc);
    if (gap > d) d = gap;
  }
  return d;
}

/**
 * W1 between two distributions summarised by count and sum per cell. Inside an open cell each
 * CDF is taken as one step at the cell's mean; exact wherever the two CDFs do not cross inside a
 * cell (always below the first and above the last point), and within cell width × cell mass
 * otherwise.
 */
export function wassersteinFromCells(
  points: Float64Array,
  refCounts: ArrayLike<number>,
  refSums: ArrayLike<number>,
  curCounts: ArrayLike<number>,
  curSums: ArrayLike<number>,
): number {
  let nr = 0;
  let nc = 0;
  for (let i = 0; i < refCounts.length; i++) nr += refCounts[i]!;
  for (let i = 0; i < curCounts.length; i++) nc += curCounts[i]!;
  if (nr === 0 || nc === 0 || points.length === 0) return 0;
  let fr = 0; // reference CDF before the cell
  let fc = 0;
  let total = 0;
  const k = points.length;
  for (let cell = 0; cell <= 2 * k; cell++) {
    const rc = refCounts[cell]!;
    const cc = curCounts[cell]!;
    if (cell % 2 === 1) {
      // A point: zero width, both CDFs jump.
      fr += rc / nr;
      fc += cc / nc;
      continue;
    }
    const left = cell === 0 ? Number.NEGATIVE_INFINITY : points[cell / 2 - 1]!;
    const right = cell === 2 * k ? Number.POSITIVE_INFINITY : points[cell / 2]!;
    // An empty side gets its step at a finite edge of the cell, where it has no effect.
    const edge = Number.isFinite(right) ? right : left;
    const mr = rc > 0 ? refSums[cell]! / rc : edge;
    const mc = cc > 0 ? curSums[cell]! / cc : edge;
    const jr = rc / nr;
    const jc = cc / nc;
    // Piecewise constant between the sorted breakpoints left < first mean <= second mean < right.
    const first = Math.min(mr, mc);
    const second = Math.max(mr, mc);
    const start = Number.isFinite(left) ? left : first;
    const end = Number.isFinite(right) ? right : second;
    const seg = (a: number, b: number, gr: number, gc: number) => (b > a ? Math.abs(gr - gc) * (b - a) : 0);
    total += seg(start, first, fr, fc);
    total += seg(first, second, fr + (mr <= first ? jr : 0), fc + (mc <= first ? jc : 0));
    total += seg(second, end, fr + jr, fc + jc);
    fr += jr;
    fc += jc;
  }
  return total;
}
