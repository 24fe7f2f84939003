import { boundText } from '@threadline/core';
import { Locator } from './locate.js';
import { Moments } from './moments.js';
import type { CategoricalFeatureProfile, FeatureProfile, NumericFeatureProfile } from './types.js';
import { toCategory, toNumber } from './values.js';

/** Most unseen categories named per window; the rest are only counted. */
export const MAX_UNSEEN_NAMES = 100;

/** What a window keeps about a numeric feature: fixed-size arrays, whatever the row count. */
export class NumericAccumulator {
  readonly kind = 'numeric';
  readonly moments = new Moments();
  readonly cells: Float64Array;
  readonly sums: Float64Array;
  readonly buckets: Float64Array;
  missing = 0;
  nan = 0;
  infinite = 0;
  invalid = 0;

  constructor(readonly spec: NumericSpec) {
    this.cells = new Float64Array(spec.points.length * 2 + 1);
    this.sums = new Float64Array(spec.points.length * 2 + 1);
    this.buckets = new Float64Array(spec.bounds.length + 1);
  }

  /** Records one raw value; never throws. */
  add(value: unknown): void {
    const x = typeof value === 'number' && Number.isFinite(value) ? value : toNumber(value);
    if (typeof x !== 'number') {
      this[x]++;
      return;
    }
    this.addNumber(x);
  }

  /** Records one finite number. */
  addNumber(x: number): void {
    this.moments.add(x);
    const c = this.spec.cells.cell(x);
    this.cells[c]!++;
    this.sums[c]! += x;
    this.buckets[this.spec.buckets.lower(x)]!++;
  }

  /**
   * Records values[from..to) of a column: the hot loop, with the moments held in locals (the same
   * update as `Moments.add`) so each value costs no property traffic. With `counted`, values that are
   * not finite numbers were already counted by the caller and are skipped.
   */
  addMany(values: ArrayLike<unknown>, from: number, to: number, counted = false): void {
    const m = this.moments;
    let { n, mean, m2, m3, m4, min, max } = m;
    const { cells, sums, buckets } = this;
    const cellOf = this.spec.cells;
    const bucketOf = this.spec.buckets;
    for (let i = from; i < to; i++) {
      const v = values[i];
      let x: number;
      if (typeof v === 'number' && v - v === 0) x = v;
      else if (counted) continue;
      else {
        const r = toNumber(v);
        if (typeof r !== 'number') {
          this[r]++;
          continue;
        }
        x = r;
      }
      const n1 = n;
      n = n1 + 1;
      const delta = x - mean;
      const dn = delta / n;
      const dn2 = dn * dn;
      const term1 = delta * dn * n1;
      mean += dn;
      m4 += term1 * dn2 * (n * n - 3 * n + 3) + 6 * dn2 * m2 - 4 * dn * m3;
      m3 += term1 * dn * (n - 2) - 3 * dn * m2;
      m2 += term1;
      if (x < min) min = x;
      if (x > max) max = x;
      const c = cellOf.cell(x);
      cells[c]!++;
      sums[c]! += x;
      buckets[bucketOf.lower(x)]!++;
    }
    m.n = n;
    m.mean = mean;
    m.m2 = m2;
    m.m3 = m3;
    m.m4 = m4;
    m.min = min;
    m.max = max;
  }

  merge(other: NumericAccumulator): void {
    this.moments.merge(other.moments);
    for (let i = 0; i < this.cells.length; i++) {
      this.cells[i]! += other.cells[i]!;
      this.sums[i]! += other.sums[i]!;
    }
    for (let i = 0; i < this.buckets.length; i++) this.buckets[i]! += other.buckets[i]!;
    this.missing += other.missing;
    this.nan += other.nan;
    this.infinite += other.infinite;
    this.invalid += other.invalid;
  }

  reset(): void {
    this.moments.reset();
    this.cells.fill(0);
    this.sums.fill(0);
    this.buckets.fill(0);
    this.missing = 0;
    this.nan = 0;
    this.infinite = 0;
    this.invalid = 0;
  }

  get count(): number {
    return this.moments.n;
  }
}

/** What a window keeps about a categorical feature: counts per reference category, bounded unseen. */
export class CategoricalAccumulator {
  readonly kind = 'categorical';
  readonly counts: Float64Array;
  /** Unseen categories by name, at most MAX_UNSEEN_NAMES of them. */
  readonly unseen = new Map<string, number>();
  /** Unseen values whose names were not kept. */
  unseenOther = 0;
  unseenTotal = 0;
  count = 0;
  missing = 0;
  nan = 0;
  infinite = 0;
  invalid = 0;

  constructor(readonly spec: CategoricalSpec) {
    this.counts = new Float64Array(spec.names.length);
  }

  /** Records one raw value; never throws. */
  add(value: unknown): void {
    const c = toCategory(value);
    if (c === 'missing' || c === 'nan' || c === 'infinite' || c === 'invalid') {
      // A category literally named like a reason is still a category when it is in the reference.
      const known = typeof value === 'string' ? this.spec.index.get(value) : undefined;
      if (known === undefined) {
        this[c]++;
        return;
      }
    }
    this.count++;
    const i = this.spec.index.get(c);
    if (i !== undefined) {
      this.counts[i]!++;
      return;
    }
    this.unseenTotal++;
    // Names are kept (and reported) cut to MAX_INPUT_TEXT characters, whatever the input sends.
    const name = boundText(c);
    const seen = this.unseen.get(name);
    if (seen !== undefined) this.unseen.set(name, seen + 1);
    else if (this.unseen.size < MAX_UNSEEN_NAMES) this.unseen.set(name, 1);
    else this.unseenOther++;
  }

  /** Records values[from..to) of a column. */
  addMany(values: ArrayLike<unknown>, from: number, to: number): void {
    for (let i = from; i < to; i++) this.add(values[i]);
  }

  merge(other: CategoricalAccumulator): void {
    for (let i = 0; i < this.counts.length; i++) this.counts[i]! += other.counts[i]!;
    for (const [name, n] of other.unseen) {
      const seen = this.unseen.get(name);
      if (seen !== undefined) this.unseen.set(name, seen + n);
      else if (this.unseen.size < MAX_UNSEEN_NAMES) this.unseen.set(name, n);
      else this.unseenOther += n;
    }
    this.unseenOther += other.unseenOther;
    this.unseenTotal += other.unseenTotal;
    this.count += other.count;
    this.missing += other.missing;
    this.nan += other.nan;
    this.infinite += other.infinite;
    this.invalid += other.invalid;
  }

  reset(): void {
    this.counts.fill(0);
    this.unseen.clear();
    this.unseenOther = 0;
    this.unseenTotal = 0;
    this.count = 0;
    this.missing = 0;
    this.nan = 0;
    this.infinite = 0;
    this.invalid = 0;
  }
}

/** Lookup tables of a numeric feature, shared by every slice. */
export interface NumericSpec {
  readonly kind: 'numeric';
  readonly name: string;
  readonly profile: NumericFeatureProfile;
  readonly points: Float64Array;
  readonly bounds: Float64Array;
  /** Finds support cells (points) and histogram buckets (bounds). */
  readonly cells: Locator;
  readonly buckets: Locator;
}

/** Lookup tables of a categorical feature, shared by every slice. */
export interface CategoricalSpec {
  readonly kind: 'categorical';
  readonly name: string;
  readonly profile: CategoricalFeatureProfile;
  readonly names: readonly string[];
  readonly index: ReadonlyMap<string, number>;
}

export type FeatureSpec = NumericSpec | CategoricalSpec;
export type Accumulator = NumericAccumulator | CategoricalAccumulator;

/** The lookup tables for one profiled feature. */
export function specFor(name: string, profile: FeatureProfile): FeatureSpec {
  if (profile.kind === 'numeric') {
    return {
      kind: 'numeric',
      name,
      profile,
      points: Float64Array.from(profile.support.points),
      bounds: Float64Array.from(profile.histogram.bounds),
      cells: new Locator(profile.support.points),
      buckets: new Locator(profile.histogram.bounds),
    };
  }
  const names = Object.keys(profile.categories);
  return { kind: 'categorical', name, profile, names, index: new Map(names.map((n, i) => [n, i])) };
}

/** A fresh accumulator for a feature. */
export function accumulatorFor(spec: FeatureSpec): Accumulator {
  return spec.kind === 'numeric' ? new NumericAccumulator(spec) : new CategoricalAccumulator(spec);
}
