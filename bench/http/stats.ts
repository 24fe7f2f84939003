// Per-round ratios to bare, their median and spread, and the sanity check that a variant doing
// strictly more work than another never reads as cheaper. Pure functions over the samples.

/** One variant in one round, on a fresh server. */
export interface Sample {
  /** Saturated req/s (autocannon, closed loop). */
  readonly rps: number;
  readonly p99: number;
  readonly errors: number;
  /** Server CPU µs per request at the fixed open-loop rate. */
  readonly cpuUs: number;
  /**
   * False when the server fell behind the fixed rate (answered with a backlog): its CPU figure is
   * still real but measured on batched requests, which flatters a slow variant; such rounds are
   * counted in the table.
   */
  readonly sustained: boolean;
}

/** Median and interquartile spread of a list of numbers. */
export interface Spread {
  readonly median: number;
  readonly q1: number;
  readonly q3: number;
  /** (q3 - q1) / median: the relative width of the middle half of the rounds. */
  readonly relative: number;
}

/** Spread above which a ratio is flagged as too wide to read. */
export const WIDE = 0.1;

function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Median and quartiles of finite values (NaN when none). */
export function spread(values: readonly number[]): Spread {
  const s = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return { median: Number.NaN, q1: Number.NaN, q3: Number.NaN, relative: Number.NaN };
  const median = quantile(s, 0.5);
  const q1 = quantile(s, 0.25);
  const q3 = quantile(s, 0.75);
  return { median, q1, q3, relative: (q3 - q1) / median };
}

/**
 * Per-round ratios to the bare app of the same round: req/s over bare req/s, and bare CPU µs over
 * the variant's (both read "fraction of bare's throughput", higher is better). Pairing by round
 * cancels what a round shared (another job on the machine, a thermal state).
 */
export function ratios(
  bare: readonly Sample[],
  variant: readonly Sample[],
): { readonly rps: Spread; readonly cpu: Spread } {
  const rps: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < Math.min(bare.length, variant.length); i++) {
    rps.push(variant[i]!.rps / bare[i]!.rps);
    cpu.push(bare[i]!.cpuUs / variant[i]!.cpuUs);
  }
  return { rps: spread(rps), cpu: spread(cpu) };
}

/** Per-round paired CPU difference to bare, in µs per request. */
export function addedCpu(bare: readonly Sample[], variant: readonly Sample[]): Spread {
  const d: number[] = [];
  for (let i = 0; i < Math.min(bare.length, variant.length); i++) {
    d.push(variant[i]!.cpuUs - bare[i]!.cpuUs);
  }
  return spread(d);
}

/** `superset` does everything `subset` does and more, so it must cost at least as much. */
export interface Superset {
  readonly superset: string;
  readonly subset: string;
}

/**
 * The sanity rows: warnings for each superset that measured cheaper than its subset, by CPU per
 * request beyond the two variants' own spread, or by saturated req/s beyond 5 %.
 */
export function sanity(
  pairs: readonly Superset[],
  samples: ReadonlyMap<string, readonly Sample[]>,
  label: (v: string) => string,
): string[] {
  const warnings: string[] = [];
  for (const { superset, subset } of pairs) {
    const sup = samples.get(superset);
    const sub = samples.get(subset);
    if (!sup || !sub) continue;
    const supCpu = spread(sup.map((s) => s.cpuUs));
    const subCpu = spread(sub.map((s) => s.cpuUs));
    if (supCpu.median < subCpu.median) {
      const beyond = supCpu.q3 < subCpu.q1 ? 'beyond the spread' : 'within the spread';
      warnings.push(
        `${label(superset)} (${supCpu.median.toFixed(1)} µs) measured cheaper than its subset ${label(subset)} (${subCpu.median.toFixed(1)} µs), ${beyond}`,
      );
    }
    const supRps = spread(sup.map((s) => s.rps)).median;
    const subRps = spread(sub.map((s) => s.rps)).median;
    if (supRps > subRps * 1.05) {
      warnings.push(
        `${label(superset)} (${Math.round(supRps)} req/s) saturated faster than its subset ${label(subset)} (${Math.round(subRps)} req/s)`,
      );
    }
  }
  return warnings;
}

/** `0.93 (0.91–0.95)`, with a flag when the middle half of the rounds is wider than WIDE. */
export function formatRatio(s: Spread): string {
  if (!Number.isFinite(s.median)) return 'n/a';
  const flag = s.relative > WIDE ? ' ⚠' : '';
  return `${s.median.toFixed(2)} (${s.q1.toFixed(2)}–${s.q3.toFixed(2)})${flag}`;
}
