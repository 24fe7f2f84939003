/**
 * Streaming central moments (Welford's update extended to the third and fourth moments by Pébay,
 * 2008), mergeable so window slices combine exactly. Numerically stable for data far from zero,
 * unlike raw power sums.
 */
export class Moments {
  n = 0;
  mean = 0;
  m2 = 0;
  m3 = 0;
  m4 = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;

  /** Adds one finite value. */
  add(x: number): void {
    const n1 = this.n;
    const n = n1 + 1;
    const delta = x - this.mean;
    const dn = delta / n;
    const dn2 = dn * dn;
    const term1 = delta * dn * n1;
    this.mean += dn;
    this.m4 += term1 * dn2 * (n * n - 3 * n + 3) + 6 * dn2 * this.m2 - 4 * dn * this.m3;
    this.m3 += term1 * dn * (n - 2) - 3 * dn * this.m2;
    this.m2 += term1;
    this.n = n;
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
  }

  /** Folds `other` into this (Chan et al. / Pébay pairwise formulas). */
  merge(other: Moments): void {
    if (other.n === 0) return;
    if (this.n === 0) {
      this.n = other.n;
      this.mean = other.mean;
      this.m2 = other.m2;
      this.m3 = other.m3;
      this.m4 = other.m4;
      this.min = other.min;
      this.max = other.max;
      return;
    }
    const na = this.n;
    const nb = other.n;
    const n = na + nb;
    const delta = other.mean - this.mean;
    const d2 = delta * delta;
    const d3 = d2 * delta;
    const d4 = d2 * d2;
    const m2 = this.m2 + other.m2 + (d2 * na * nb) / n;
    const m3 =
      this.m3 +
      other.m3 +
      (d3 * na * nb * (na - nb)) / (n * n) +
      (3 * delta * (na * other.m2 - nb * this.m2)) / n;
    const m4 =
      this.m4 +
      other.m4 +
      (d4 * na * nb * (na * na - na * nb + nb * nb)) / (n * n * n) +
      (6 * d2 * (na * na * other.m2 + nb * nb * this.m2)) / (n * n) +
      (4 * delta * (na * other.m3 - nb * this.m3)) / n;
    this.mean += (delta * nb) / n;
    this.m2 = m2;
    this.m3 = m3;
    this.m4 = m4;
    this.n = n;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
  }

  reset(): void {
    this.n = 0;
    this.mean = 0;
    this.m2 = 0;
    this.m3 = 0;
    this.m4 = 0;
    this.min = Number.POSITIVE_INFINITY;
    this.max = Number.NEGATIVE_INFINITY;
  }

  /** The summary; see `MomentSummary` for the definitions. */
  summary(): MomentSummary {
    return summarize(this.n, this.mean, this.m2, this.m3, this.m4, this.min, this.max);
  }
}

/**
 * Summary statistics with scipy's default definitions: `variance` is the sample variance
 * (ddof = 1, as `scipy.stats.describe` and pandas), `skew` the biased sample skewness
 * (`scipy.stats.skew(x)`, bias=True) and `kurtosis` Fisher's biased excess kurtosis
 * (`scipy.stats.kurtosis(x)`). Where scipy returns NaN (constant data, fewer than two values)
 * these are 0, and min/max are 0 for an empty sample, so nothing downstream sees NaN.
 */
export interface MomentSummary {
  readonly count: number;
  readonly mean: number;
  readonly variance: number;
  readonly skew: number;
  readonly kurtosis: number;
  readonly min: number;
  readonly max: number;
}

function summarize(
  n: number,
  mean: number,
  m2: number,
  m3: number,
  m4: number,
  min: number,
  max: number,
): MomentSummary {
  if (n === 0) return { count: 0, mean: 0, variance: 0, skew: 0, kurtosis: 0, min: 0, max: 0 };
  const variance = n > 1 ? m2 / (n - 1) : 0;
  // scipy treats a second moment within rounding of zero as constant data.
  const constant = m2 / n <= (1e-15 * mean) ** 2;
  const skew = constant ? 0 : (Math.sqrt(n) * m3) / m2 ** 1.5;
  const kurtosis = constant ? 0 : (n * m4) / (m2 * m2) - 3;
  return { count: n, mean, variance, skew, kurtosis, min, max };
}

/** Linear-interpolation quantile of ascending-sorted data (numpy's default `np.quantile`). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const pos = q * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, n - 1);
  const frac = pos - lo;
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  // numpy's lerp form, kept so results match it to the last bit in the common cases.
  return frac >= 0.5 ? b - (b - a) * (1 - frac) : a + (b - a) * frac;
}
