import gammainc from '@stdlib/math-base-special-gammainc';
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import { kolmogorovCdf } from './kolmogorov.js';

/** P(X >= x) for a chi-square variable with `dof` degrees of freedom (scipy's `chi2.sf`). */
export function chi2Sf(x: number, dof: number): number {
  if (!(x > 0)) return 1;
  if (x === Number.POSITIVE_INFINITY) return 0;
  // The regularised upper incomplete gamma function Q(dof/2, x/2), computed directly so tiny
  // p-values keep their precision instead of being lost in 1 - cdf.
  return clamp01(gammainc(x / 2, dof / 2, true, true));
}

/** P(Z <= z) for a standard normal variable (scipy's `norm.cdf`). */
export function normCdf(z: number): number {
  return normalCdf(z, 0, 1);
}

/**
 * P(D_n >= d) for the one-sample Kolmogorov statistic over `n` variates (scipy's `kstwo.sf`), with
 * Marsaglia, Tsang and Wang's algorithm (exact to about 13 digits; their closed form in the far tail).
 */
export function kolmogorovSf(d: number, n: number): number {
  if (!(d > 0)) return 1;
  if (d >= 1) return 0;
  return clamp01(1 - kolmogorovCdf(d, n));
}

/** `x` clamped into [0, 1]; NaN becomes 1 (no evidence of drift) so a score is never NaN. */
export function clamp01(x: number): number {
  if (Number.isNaN(x)) return 1;
  return Math.min(1, Math.max(0, x));
}
