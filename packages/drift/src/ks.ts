import { clamp01, kolmogorovSf } from './distributions.js';

/** Above this many rows in either sample the p-value is asymptotic, as in scipy's `ks_2samp` 'auto' mode. */
export const KS_EXACT_MAX_N = 10_000;

/** A two-sample test result. */
export interface KsResult {
  readonly statistic: number;
  readonly pValue: number;
  /** How the p-value was computed: `exact` (lattice paths) or `asymp` (Kolmogorov distribution). */
  readonly mode: 'exact' | 'asymp';
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/**
 * Two-sided two-sample Kolmogorov-Smirnov test on two ascending-sorted samples, matching
 * `scipy.stats.ks_2samp(a, b)` (method 'auto'): the statistic is the largest gap between the
 * empirical CDFs; the p-value is exact up to 10000 rows per sample and asymptotic above.
 */
export function ksTwoSample(a: ArrayLike<number>, b: ArrayLike<number>): KsResult {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) return { statistic: 0, pValue: 1, mode: 'exact' };
  // Walk both sorted samples together; after consuming every copy of a value, both CDFs are
  // right-continuous values at that point, which is where the supremum is reached.
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < n1 && j < n2) {
    const x = Math.min(a[i]!, b[j]!);
    while (i < n1 && a[i] === x) i++;
    while (j < n2 && b[j] === x) j++;
    const gap = Math.abs(i / n1 - j / n2);
    if (gap > d) d = gap;
  }
  // Once one sample is exhausted its CDF is 1 and the other's only climbs towards 1.
  const rest = Math.abs(i / n1 - j / n2);
  if (rest > d) d = rest;
  return ksPValue(d, n1, n2);
}

/**
 * The p-value of a two-sided KS statistic `d` between samples of `n1` and `n2` rows, as scipy's
 * 'auto' mode computes it: exact lattice-path probability (Hodges 1958) when both samples have at
 * most 10000 rows, else `kstwo.sf(d, round(n1*n2/(n1+n2)))`; exact falls back to asymptotic
 * on floating-point trouble, as scipy does.
 */
export function ksPValue(d: number, n1: number, n2: number): KsResult {
  if (n1 === 0 || n2 === 0) return { statistic: 0, pValue: 1, mode: 'exact' };
  if (Math.max(n1, n2) <= KS_EXACT_MAX_N) {
    const g = gcd(n1, n2);
    const lcm = (n1 / g) * n2;
    const h = Math.round(d * lcm);
    const snapped = h / lcm;
    if (h === 0) return { statistic: snapped, pValue: 1, mode: 'exact' };
    const p = 1 - probInside(n1, n2, g, h);
    if (Number.isFinite(p) && p >= 0 && p <= 1) return { statistic: snapped, pValue: p, mode: 'exact' };
    d = snapped;
  }
  const big = Math.max(n1, n2);
  const small = Math.min(n1, n2);
  const en = Math.round((big * small) / (big + small));
  return { statistic: d, pValue: clamp01(kolmogorovSf(d, en)), mode: 'asymp' };
}

/**
 * Probability that a uniformly random lattice path from (0,0) to (m,n) keeps |x/m - y/n| < h/lcm
 * at every point, i.e. P(D < d) under the null. Each cell holds the number of admissible paths to
 * it divided by the number of all paths to it, so values stay in [0,1] and nothing overflows:
 * a(x,y) = a(x-1,y)·x/(x+y) + a(x,y-1)·y/(x+y).
 */
function probInside(n1: number, n2: number, g: number, h: number): number {
  const m = Math.max(n1, n2);
  const n = Math.min(n1, n2);
  const mg = m / g;
  const ng = n / g;
  // Column x admits rows y with |ng·x - mg·y| < h.
  const col = new Float64Array(n + 1);
  // Column 0: admissible while mg·y < h.
  let lo = 0;
  let hi = Math.min(n, Math.ceil(h / mg) - 1);
  for (let y = 0; y <= hi; y++) col[y] = 1;
  for (let x = 1; x <= m; x++) {
    const newLo = Math.max(0, Math.floor((ng * x - h) / mg) + 1);
    const newHi = Math.min(n, Math.ceil((ng * x + h) / mg) - 1);
    if (newHi < newLo) return 0;
    // Rows that left the band below hold no admissible paths any more.
    for (let y = lo; y < newLo && y <= hi; y++) col[y] = 0;
    let below = 0; // a(x, y-1) of the column being built
    for (let y = newLo; y <= newHi; y++) {
      const left = y >= lo && y <= hi ? col[y]! : 0;
      const v = (left * x + below * y) / (x + y);
      col[y] = v;
      below = v;
    }
    lo = newLo;
    hi = newHi;
  }
  return hi === n ? col[n]! : 0;
}
