/** How p-values are adjusted when many features are tested at once. */
export type Correction = 'none' | 'bonferroni' | 'bh';

/**
 * Adjusted p-values: Bonferroni (p·m, capped at 1) or Benjamini-Hochberg (the step-up
 * false-discovery-rate adjustment, as statsmodels' `fdr_bh`). Comparing an adjusted p-value with
 * the threshold is the corrected test.
 */
export function adjustPValues(pValues: readonly number[], method: Correction): number[] {
  const m = pValues.length;
  if (method === 'none' || m === 0) return [...pValues];
  if (method === 'bonferroni') return pValues.map((p) => Math.min(1, p * m));
  const order = pValues.map((_, i) => i).sort((a, b) => pValues[a]! - pValues[b]!);
  const out = new Array<number>(m);
  let running = 1;
  for (let rank = m; rank >= 1; rank--) {
    const i = order[rank - 1]!;
    running = Math.min(running, (pValues[i]! * m) / rank);
    out[i] = Math.min(1, running);
  }
  return out;
}
