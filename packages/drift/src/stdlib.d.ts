// The Kolmogorov distribution (Marsaglia, Tsang & Wang 2003) ships inside @stdlib/stats-kstest
// without a public entry point or types of its own.
declare module '@stdlib/stats-kstest/lib/marsaglia.js' {
  /** P(D_n < d) for the one-sample Kolmogorov statistic over n variates. */
  function pKolmogorov(d: number, n: number): number;
  export = pKolmogorov;
}
