/**
 * The distribution of the one-sample Kolmogorov statistic D_n, by the method of Marsaglia, Tsang
 * and Wang ("Evaluating Kolmogorov's distribution", Journal of Statistical Software 8(18), 2003):
 * P(D_n < d) is an element of the n-th power of a small matrix built from d and n, times n!/n^n.
 * Powers and the factorial are carried with a separate power-of-ten exponent, since the matrix
 * entries overflow doubles long before n is large.
 */

const SCALE = 1e140;
const SCALE_EXP = 140;

/** A square matrix of side m, row-major, with a power-of-ten exponent. */
interface Scaled {
  readonly v: Float64Array;
  e: number;
}

function multiply(a: Scaled, b: Scaled, m: number): Scaled {
  const out = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let k = 0; k < m; k++) s += a.v[i * m + k]! * b.v[k * m + j]!;
      out[i * m + j] = s;
    }
  }
  return { v: out, e: a.e + b.e };
}

/** Keeps the centre element below SCALE by moving powers of ten into the exponent. */
function rescale(q: Scaled, centre: number): void {
  if (q.v[centre]! <= SCALE) return;
  for (let i = 0; i < q.v.length; i++) q.v[i]! /= SCALE;
  q.e += SCALE_EXP;
}

/** The matrix H of the method, for k = floor(n d) + 1 and h = k - n d. */
function kernel(m: number, h: number): Float64Array {
  const H = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) H[i * m + j] = i - j + 1 >= 0 ? 1 : 0;
  for (let i = 0; i < m; i++) {
    H[i * m]! -= h ** (i + 1);
    H[(m - 1) * m + i]! -= h ** (m - i);
  }
  if (2 * h - 1 > 0) H[(m - 1) * m]! += (2 * h - 1) ** m;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      let f = 1;
      for (let g = 2; g <= i - j + 1; g++) f *= g;
      if (i - j + 1 > 0) H[i * m + j]! /= f;
    }
  }
  return H;
}

/** P(D_n < d) for `n` variates. */
export function kolmogorovCdf(d: number, n: number): number {
  if (!(d > 0)) return 0;
  if (d >= 1) return 1;
  const s2 = d * d * n;
  // The paper's closed form, accurate to its 7 digits where the matrix would be large.
  if (s2 > 7.24 || (s2 > 3.76 && n > 99)) {
    return 1 - 2 * Math.exp(-(2.000071 + 0.331 / Math.sqrt(n) + 1.409 / n) * s2);
  }
  const k = Math.floor(n * d) + 1;
  const m = 2 * k - 1;
  const centre = (k - 1) * m + (k - 1);
  const base: Scaled = { v: kernel(m, k - n * d), e: 0 };
  // Left-to-right binary powering: square, then multiply by H for a 1 bit.
  let q: Scaled = { v: base.v.slice(), e: 0 };
  for (let bit = Math.floor(Math.log2(n)) - 1; bit >= 0; bit--) {
    q = multiply(q, q, m);
    rescale(q, centre);
    if ((n >> bit) & 1) {
      q = multiply(base, q, m);
      rescale(q, centre);
    }
  }
  let s = q.v[centre]!;
  let e = q.e;
  for (let i = 1; i <= n; i++) {
    s = (s * i) / n;
    if (s < 1e-140) {
      s *= SCALE;
      e -= SCALE_EXP;
    }
  }
  return s * 10 ** e;
}
