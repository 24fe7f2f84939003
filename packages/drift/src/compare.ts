import { check, ThreadlineConfigError } from '@threadline/core';
import { ksStatisticFromCells, wassersteinFromCells } from './cells.js';
import { histogramCounts, histogramEdges, wasserstein1 } from './distances.js';
import {
  binnedDistance,
  finalize,
  methodFor,
  type Outcome,
  type ResolvedTestOptions,
  resolveTestOptions,
  scoreCategorical,
  TEST_OPTION_KEYS,
} from './evaluate.js';
import { ksPValue, ksTwoSample } from './ks.js';
import { Moments } from './moments.js';
import { type Table, toColumns } from './profile.js';
import type { DriftReport, DriftTestOptions, InvalidCounts } from './types.js';
import { looksNumeric, toCategory, toNumber } from './values.js';
import type { Accumulator, CategoricalAccumulator, NumericAccumulator } from './window.js';

const COMPONENT = 'drift';
/** Key under which unseen categories whose names were not kept are counted. */
export const UNSEEN_OTHER = '__unseen__';

function referenceStd(variance: number, n: number): number {
  // Evidently norms by numpy's population standard deviation (ddof = 0), floored at 0.001.
  return Math.max(Math.sqrt((variance * (n - 1)) / n), 0.001);
}

/** Scores one feature of a streaming window against its reference profile. */
export function scoreAccumulator(name: string, acc: Accumulator, options: ResolvedTestOptions): Outcome {
  return acc.kind === 'numeric' ? scoreNumeric(name, acc, options) : scoreCat(name, acc, options);
}

function scoreNumeric(name: string, acc: NumericAccumulator, options: ResolvedTestOptions): Outcome {
  const ref = acc.spec.profile;
  const { method, threshold } = methodFor(name, 'numeric', ref.count, 0, options);
  const nc = acc.count;
  const base = {
    name,
    kind: 'numeric' as const,
    method,
    threshold,
    nReference: ref.count,
    nCurrent: nc,
    invalid: { missing: acc.missing, nan: acc.nan, infinite: acc.infinite, invalid: acc.invalid, unseen: 0 },
    current: acc.moments.summary(),
  };
  if (nc < options.minSamples)
    return { ...base, statistic: null, pValue: null, skipped: 'insufficient_samples' };
  if (method === 'ks') {
    const d = ksStatisticFromCells(ref.support.counts, acc.cells);
    const r = ksPValue(d, ref.count, nc);
    return { ...base, statistic: r.statistic, pValue: r.pValue };
  }
  if (method === 'wasserstein') {
    const w = wassersteinFromCells(
      acc.spec.points,
      ref.support.counts,
      ref.support.sums,
      acc.cells,
      acc.sums,
    );
    return { ...base, statistic: w / referenceStd(ref.variance, ref.count), pValue: null };
  }
  const p = Float64Array.from(ref.histogram.counts, (c) => c / ref.count);
  const q = acc.buckets.map((c) => c / nc);
  return { ...base, statistic: binnedDistance(method as 'psi', p, q), pValue: null };
}

function scoreCat(name: string, acc: CategoricalAccumulator, options: ResolvedTestOptions): Outcome {
  const ref = acc.spec.profile;
  const keys = [...acc.spec.names, ...acc.unseen.keys(), ...(acc.unseenOther > 0 ? [UNSEEN_OTHER] : [])];
  const refCounts = new Float64Array(keys.length);
  const curCounts = new Float64Array(keys.length);
  acc.spec.names.forEach((k, i) => {
    refCounts[i] = ref.categories[k]!;
    curCounts[i] = acc.counts[i]!;
  });
  let i = acc.spec.names.length;
  for (const n of acc.unseen.values()) curCounts[i++] = n;
  if (acc.unseenOther > 0) curCounts[i] = acc.unseenOther;
  // Only categories present on either side count, as in a value_counts() over both samples.
  const present = keys.map((_, j) => j).filter((j) => refCounts[j]! > 0 || curCounts[j]! > 0);
  const { method, threshold } = methodFor(name, 'categorical', ref.count, present.length, options);
  const base = {
    name,
    kind: 'categorical' as const,
    method,
    threshold,
    nReference: ref.count,
    nCurrent: acc.count,
    invalid: {
      missing: acc.missing,
      nan: acc.nan,
      infinite: acc.infinite,
      invalid: acc.invalid,
      unseen: acc.unseenTotal,
    },
    unseenCategories: [...acc.unseen.keys()].slice(0, 20),
  };
  if (acc.count < options.minSamples)
    return { ...base, statistic: null, pValue: null, skipped: 'insufficient_samples' };
  // Sorted keys make the z-test's "first category" the same one the batch path picks.
  present.sort((a, b) => (keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : 0));
  const r = scoreCategorical(
    method,
    Float64Array.from(present, (j) => refCounts[j]!),
    Float64Array.from(present, (j) => curCounts[j]!),
    ref.count,
    acc.count,
  );
  return { ...base, ...r };
}

/** Options of `compareTables`. */
export interface CompareOptions extends DriftTestOptions {
  /** Columns to compare (default: every reference column). */
  readonly columns?: readonly string[];
  /** Columns to treat as categorical even when they look numeric. */
  readonly categorical?: readonly string[];
}

interface Column {
  readonly kind: 'numeric' | 'categorical';
  readonly numbers: Float64Array;
  readonly categories: string[];
  readonly invalid: InvalidCounts;
}

function readColumn(values: readonly unknown[], kind: 'numeric' | 'categorical'): Column {
  const bad = { missing: 0, nan: 0, infinite: 0, invalid: 0, unseen: 0 };
  if (kind === 'numeric') {
    const out: number[] = [];
    for (const v of values) {
      const x = toNumber(v);
      if (typeof x === 'number') out.push(x);
      else bad[x]++;
    }
    return { kind, numbers: Float64Array.from(out).sort(), categories: [], invalid: bad };
  }
  const out: string[] = [];
  for (const v of values) {
    const c = toCategory(v);
    if (c === 'missing' || c === 'nan' || c === 'infinite' || c === 'invalid') bad[c]++;
    else out.push(c);
  }
  return { kind, numbers: new Float64Array(0), categories: out, invalid: bad };
}

function countBy(keys: readonly string[], values: readonly string[]): Float64Array {
  const index = new Map(keys.map((k, i) => [k, i]));
  const counts = new Float64Array(keys.length);
  for (const v of values) counts[index.get(v)!]!++;
  return counts;
}

/**
 * Compares two whole tables exactly, as Evidently does on data frames: every value is kept, so
 * KS, Wasserstein and the binned distances equal scipy's on the same data (bins: 30 equal-width
 * bins over both samples together; numeric features with at most 5 distinct values are tested as
 * categories, like Evidently). For bounded memory on streams use `createDriftMonitor`.
 * Throws `ThreadlineConfigError` for unknown columns, empty data or bad options.
 */
export function compareTables(reference: Table, current: Table, options: CompareOptions = {}): DriftReport {
  const { columns, categorical, ...testOptions } = options;
  const ref = toColumns(reference, columns);
  const names = Object.keys(ref);
  if (names.length === 0) throw new ThreadlineConfigError(COMPONENT, 'the reference has no columns');
  const curAll = Array.isArray(current)
    ? toColumns(current, names)
    : (current as Record<string, readonly unknown[]>);
  for (const name of names) {
    if (curAll[name] === undefined) {
      throw new ThreadlineConfigError(
        COMPONENT,
        `column ${JSON.stringify(name)} is missing from the current data`,
      );
    }
  }
  const resolved = resolveTestOptions(testOptions, names);
  const forced = new Set(categorical ?? []);
  for (const c of forced) {
    if (!names.includes(c)) throw new ThreadlineConfigError(COMPONENT, `unknown column ${JSON.stringify(c)}`);
  }
  let rows = 0;
  const outcomes: Outcome[] = [];
  for (const name of names) {
    const refValues = ref[name]!;
    const curValues = curAll[name]!;
    rows = Math.max(rows, curValues.length);
    const kind = !forced.has(name) && looksNumeric(refValues) ? 'numeric' : 'categorical';
    const r = readColumn(refValues, kind);
    const c = readColumn(curValues, kind);
    const nr = kind === 'numeric' ? r.numbers.length : r.categories.length;
    if (nr === 0)
      throw new ThreadlineConfigError(COMPONENT, `column ${JSON.stringify(name)} has no reference value`);
    outcomes.push(
      kind === 'numeric' ? compareNumeric(name, r, c, resolved) : compareCategorical(name, r, c, resolved),
    );
  }
  return finalize(outcomes, resolved, rows);
}

function distinctCount(a: Float64Array, b: Float64Array, cap: number): number {
  const seen = new Set<number>();
  for (const x of a) if (seen.add(x).size > cap) return seen.size;
  for (const x of b) if (seen.add(x).size > cap) return seen.size;
  return seen.size;
}

function compareNumeric(name: string, r: Column, c: Column, options: ResolvedTestOptions): Outcome {
  const a = r.numbers;
  const b = c.numbers;
  const own = options.features[name]?.method ?? options.method;
  // Evidently tests a numeric feature with few distinct values as categories when left to choose.
  if (own === 'auto' && distinctCount(a, b, 5) <= 5) {
    const asText = (x: Float64Array): Column => ({
      ...r,
      kind: 'categorical',
      categories: Array.from(x, String),
    });
    return {
      ...compareCategorical(name, asText(a), { ...asText(b), invalid: c.invalid }, options),
      kind: 'numeric',
    };
  }
  const { method, threshold } = methodFor(name, 'numeric', a.length, 0, options);
  const m = new Moments();
  for (const x of b) m.add(x);
  const base = {
    name,
    kind: 'numeric' as const,
    method,
    threshold,
    nReference: a.length,
    nCurrent: b.length,
    invalid: c.invalid,
    current: m.summary(),
  };
  if (b.length < options.minSamples)
    return { ...base, statistic: null, pValue: null, skipped: 'insufficient_samples' };
  if (method === 'ks') {
    const res = ksTwoSample(a, b);
    return { ...base, statistic: res.statistic, pValue: res.pValue };
  }
  if (method === 'wasserstein') {
    const ref = new Moments();
    for (const x of a) ref.add(x);
    const s = ref.summary();
    return { ...base, statistic: wasserstein1(a, b) / referenceStd(s.variance, s.count), pValue: null };
  }
  const { p, q } = binnedNumeric(a, b);
  return { ...base, statistic: binnedDistance(method as 'psi', p, q), pValue: null };
}

/**
 * Evidently's binning for numeric features: 30 equal-width bins over both samples when the
 * reference has more than 20 distinct values, else one bin per distinct value.
 */
export function binnedNumeric(a: Float64Array, b: Float64Array): { p: Float64Array; q: Float64Array } {
  if (distinctCount(a, new Float64Array(0), 20) > 20) {
    const min = Math.min(a[0]!, b[0] ?? a[0]!);
    const max = Math.max(a[a.length - 1]!, b[b.length - 1] ?? a[a.length - 1]!);
    const edges = histogramEdges(min, max, 30);
    const p = histogramCounts(a, edges).map((v) => v / a.length);
    const q = histogramCounts(b, edges).map((v) => v / b.length);
    return { p, q };
  }
  const keys = [...new Set([...a, ...b])].sort((x, y) => x - y).map(String);
  const p = countBy(keys, Array.from(a, String)).map((v) => v / a.length);
  const q = countBy(keys, Array.from(b, String)).map((v) => v / b.length);
  return { p, q };
}

function compareCategorical(name: string, r: Column, c: Column, options: ResolvedTestOptions): Outcome {
  const refSet = new Set(r.categories);
  const keys = [...new Set([...r.categories, ...c.categories])].sort();
  const unseen = keys.filter((k) => !refSet.has(k));
  const { method, threshold } = methodFor(name, 'categorical', r.categories.length, keys.length, options);
  const base = {
    name,
    kind: 'categorical' as const,
    method,
    threshold,
    nReference: r.categories.length,
    nCurrent: c.categories.length,
    invalid: { ...c.invalid, unseen: c.categories.filter((v) => !refSet.has(v)).length },
    unseenCategories: unseen.slice(0, 20),
  };
  if (c.categories.length < options.minSamples) {
    return { ...base, statistic: null, pValue: null, skipped: 'insufficient_samples' };
  }
  const res = scoreCategorical(
    method,
    countBy(keys, r.categories),
    countBy(keys, c.categories),
    r.categories.length,
    c.categories.length,
  );
  return { ...base, ...res };
}

/** Validates `compareTables` options without data (for the CLI's early errors). */
export function checkCompareOptions(options: CompareOptions): void {
  check.keys(COMPONENT, options, ['columns', 'categorical', ...TEST_OPTION_KEYS]);
  resolveTestOptions(options);
}
