import { chi2Sf, clamp01, normCdf } from './distributions.js';

/**
 * Replaces empty-bin fractions as Evidently does before PSI, KL and Jensen-Shannon: zeros become
 * the smallest non-zero fraction / 1e6 when that fraction is <= 1e-4, else 1e-4. An all-zero
 * input becomes uniform, so the result is always a finite distribution.
 */
export function fillZeros(fractions: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(fractions);
  let minNonZero = Number.POSITIVE_INFINITY;
  for (const v of out) if (v !== 0 && v < minNonZero) minNonZero = v;
  if (minNonZero === Number.POSITIVE_INFINITY) return out.fill(1 / Math.max(1, out.length));
  const eps = minNonZero <= 1e-4 ? minNonZero / 1e6 : 1e-4;
  for (let i = 0; i < out.length; i++) if (out[i] === 0) out[i] = eps;
  return out;
}

function normalized(p: ArrayLike<number>): Float64Array {
  let sum = 0;
  for (let i = 0; i < p.length; i++) sum += p[i]!;
  const out = new Float64Array(p.length);
  if (sum > 0) for (let i = 0; i < p.length; i++) out[i] = p[i]! / sum;
  return out;
}

function relEntr(x: number, y: number): number {
  if (x > 0 && y > 0) return x * Math.log(x / y);
  if (x === 0 && y >= 0) return 0;
  return Number.POSITIVE_INFINITY;
}

/** Jensen-Shannon distance, natural log (scipy's `spatial.distance.jensenshannon(p, q)`). */
export function jensenShannon(p: ArrayLike<number>, q: ArrayLike<number>): number {
  const a = normalized(p);
  const b = normalized(q);
  let js = 0;
  for (let i = 0; i < a.length; i++) {
    const m = (a[i]! + b[i]!) / 2;
    js += relEntr(a[i]!, m) + relEntr(b[i]!, m);
  }
  return Math.sqrt(Math.max(0, js / 2));
}

/** Population stability index Σ (p - q)·ln(p / q) over already zero-filled fractions. */
export function psi(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < p.length; i++) sum += (p[i]! - q[i]!) * Math.log(p[i]! / q[i]!);
  return sum;
}

/** Kullback-Leibler divergence KL(p ‖ q), natural log (scipy's `stats.entropy(p, q)`). */
export function klDivergence(p: ArrayLike<number>, q: ArrayLike<number>): number {
  const a = normalized(p);
  const b = normalized(q);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += relEntr(a[i]!, b[i]!);
  return sum;
}

/** Hellinger distance in [0, 1]: ‖√p − √q‖₂ / √2 over normalised distributions. */
export function hellinger(p: ArrayLike<number>, q: ArrayLike<number>): number {
  const a = normalized(p);
  const b = normalized(q);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (Math.sqrt(a[i]!) - Math.sqrt(b[i]!)) ** 2;
  return Math.min(1, Math.sqrt(sum) / Math.SQRT2);
}

/**
 * First Wasserstein distance between two ascending-sorted samples
 * (scipy's `stats.wasserstein_distance(u, v)`): ∫ |U(x) − V(x)| dx of the empirical CDFs.
 */
export function wasserstein1(u: ArrayLike<number>, v: ArrayLike<number>): number {
  const nu = u.length;
  const nv = v.length;
  if (nu === 0 || nv === 0) return 0;
  let i = 0;
  let j = 0;
  let total = 0;
  let prev = Math.min(u[0]!, v[0]!);
  while (i < nu || j < nv) {
    const x = j >= nv || (i < nu && u[i]! <= v[j]!) ? u[i]! : v[j]!;
    total += Math.abs(i / nu - j / nv) * (x - prev);
    prev = x;
    while (i < nu && u[i] === x) i++;
    while (j < nv && v[j] === x) j++;
  }
  return total;
}

/** A test statistic with its p-value. */
export interface TestResult {
  /** Infinity when a category has observations but no expected count (scipy's behaviour). */
  readonly statistic: number;
  readonly pValue: number;
}

/**
 * Pearson's chi-square goodness-of-fit test (scipy's `stats.chisquare(observed, expected)`), with
 * k − 1 degrees of freedom.
 */
export function chiSquare(observed: ArrayLike<number>, expected: ArrayLike<number>): TestResult {
  let stat = 0;
  for (let i = 0; i < observed.length; i++) {
    const o = observed[i]!;
    const e = expected[i]!;
    if (e === 0) {
      if (o !== 0) stat = Number.POSITIVE_INFINITY;
      continue;
    }
    stat += ((o - e) * (o - e)) / e;
  }
  const dof = observed.length - 1;
  if (dof < 1) return { statistic: 0, pValue: 1 };
  return { statistic: stat, pValue: chi2Sf(stat, dof) };
}

/**
 * Two-sided two-proportion z-test with a pooled proportion (Evidently's test for two categories):
 * `x1` of `n1` against `x2` of `n2`.
 */
export function twoProportionZ(x1: number, n1: number, x2: number, n2: number): TestResult {
  if (n1 === 0 || n2 === 0) return { statistic: 0, pValue: 1 };
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  // Both samples all one category: no variance and, with equal proportions, no evidence of drift.
  if (se === 0) return { statistic: 0, pValue: p1 === p2 ? 1 : 0 };
  const z = (p1 - p2) / se;
  return { statistic: z, pValue: clamp01(2 * (1 - normCdf(Math.abs(z)))) };
}

/**
 * Equal-width bin edges over [min, max] as numpy's `histogram_bin_edges(data, bins)` makes them
 * (a zero-width range is widened by 0.5 on each side).
 */
export function histogramEdges(min: number, max: number, bins: number): Float64Array {
  let first = min;
  let last = max;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  const edges = new Float64Array(bins + 1);
  const step = (last - first) / bins;
  for (let i = 0; i < bins; i++) edges[i] = i * step + first;
  edges[bins] = last;
  return edges;
}

/**
 * Counts per bin as numpy's `histogram(data, edges)`: bins are [e_i, e_{i+1}) and the last one
 * is closed; values outside [e_0, e_k] are not counted.
 */
export function histogramCounts(data: ArrayLike<number>, edges: ArrayLike<number>): Float64Array {
  const k = edges.length - 1;
  const counts = new Float64Array(k);
  const first = edges[0]!;
  const last = edges[k]!;
  for (let i = 0; i < data.length; i++) {
    const x = data[i]!;
    if (!(x >= first && x <= last)) continue;
    let lo = 0;
    let hi = k;
    // Largest i with e_i <= x, capped at the last bin.
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (edges[mid]! <= x) lo = mid;
      else hi = mid;
    }
    counts[lo]!++;
  }
  return counts;
}
