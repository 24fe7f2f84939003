import { check, ThreadlineConfigError } from '@threadline/core';
import { histogramEdges } from './distances.js';
import { Moments, quantileSorted } from './moments.js';
import type {
  CategoricalFeatureProfile,
  DriftProfile,
  FeatureProfile,
  NumericFeatureProfile,
  ProfileOptions,
} from './types.js';
import { looksNumeric, toCategory, toNumber } from './values.js';
import { NumericAccumulator, specFor } from './window.js';

const COMPONENT = 'drift.profile';
/** Quantiles every numeric profile carries. */
export const PROFILE_QUANTILES = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99] as const;
/** The fold for categories past `maxCategories`. */
export const OTHER_CATEGORY = '__other__';

/** Tabular data: columns by name, or rows as records. */
export type Table =
  | Readonly<Record<string, readonly unknown[]>>
  | readonly Readonly<Record<string, unknown>>[];

/** Columns of a table (rows are transposed; a column missing from a row reads as missing). */
export function toColumns(table: Table, columns?: readonly string[]): Record<string, unknown[]> {
  if (Array.isArray(table)) {
    const rows = table as readonly Readonly<Record<string, unknown>>[];
    const names = columns ?? [
      ...new Set(rows.flatMap((r) => (r && typeof r === 'object' ? Object.keys(r) : []))),
    ];
    const out: Record<string, unknown[]> = {};
    for (const name of names) out[name] = rows.map((r) => (r && typeof r === 'object' ? r[name] : undefined));
    return out;
  }
  const cols = table as Readonly<Record<string, readonly unknown[]>>;
  const out: Record<string, unknown[]> = {};
  for (const name of columns ?? Object.keys(cols)) {
    const col = cols[name];
    if (col === undefined)
      throw new ThreadlineConfigError(COMPONENT, `unknown column ${JSON.stringify(name)}`);
    out[name] = [...col];
  }
  return out;
}

/**
 * Profiles reference (training) data: per numeric feature count, mean, variance, skew, kurtosis,
 * min/max, quantiles, histogram bins and the KS/Wasserstein support; per categorical feature the
 * frequencies. Missing, NaN, infinite and unreadable values are counted, not profiled. Throws
 * `ThreadlineConfigError` for bad options, unknown columns or a feature with no usable value.
 */
export function buildProfile(table: Table, options: ProfileOptions = {}): DriftProfile {
  check.keys(COMPONENT, options, [
    'columns',
    'categorical',
    'bins',
    'exactRows',
    'gridPoints',
    'maxCategories',
  ]);
  const bins = check.number(COMPONENT, 'bins', options.bins, 30, { min: 1, max: 1000, integer: true });
  const exactRows = check.number(COMPONENT, 'exactRows', options.exactRows, 1000, { min: 0, integer: true });
  const gridPoints = check.number(COMPONENT, 'gridPoints', options.gridPoints, 1000, {
    min: 2,
    max: 100_000,
    integer: true,
  });
  const maxCategories = check.number(COMPONENT, 'maxCategories', options.maxCategories, 1000, {
    min: 1,
    integer: true,
  });
  const categorical = new Set(options.categorical ?? []);
  const columns = toColumns(table, options.columns);
  const names = Object.keys(columns);
  if (names.length === 0) throw new ThreadlineConfigError(COMPONENT, 'the reference has no columns');
  let rows = 0;
  const features: Record<string, FeatureProfile> = {};
  for (const name of names) {
    const values = columns[name]!;
    rows = Math.max(rows, values.length);
    features[name] =
      !categorical.has(name) && looksNumeric(values)
        ? numericProfile(name, values, bins, exactRows, gridPoints)
        : categoricalProfile(name, values, maxCategories);
  }
  return { format: 'threadline-drift-profile', version: 1, rows, features };
}

function numericProfile(
  name: string,
  values: readonly unknown[],
  bins: number,
  exactRows: number,
  gridPoints: number,
): NumericFeatureProfile {
  const bad = { missing: 0, nan: 0, infinite: 0, invalid: 0 };
  const finite: number[] = [];
  for (const v of values) {
    const x = toNumber(v);
    if (typeof x === 'number') finite.push(x);
    else bad[x]++;
  }
  if (finite.length === 0) {
    throw new ThreadlineConfigError(COMPONENT, `feature ${JSON.stringify(name)} has no finite value`);
  }
  const sorted = Float64Array.from(finite).sort();
  const n = sorted.length;
  const moments = new Moments();
  for (const x of finite) moments.add(x);
  const summary = moments.summary();
  const quantiles: Record<string, number> = {};
  for (const q of PROFILE_QUANTILES) quantiles[String(q)] = quantileSorted(sorted, q);
  const exact = n <= exactRows;
  const points: number[] = [];
  if (exact) {
    for (let i = 0; i < n; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) points.push(sorted[i]!);
  } else {
    for (let i = 0; i < gridPoints; i++) {
      const x = sorted[Math.min(n - 1, Math.floor(((i + 0.5) * n) / gridPoints))]!;
      if (points.length === 0 || x !== points[points.length - 1]) points.push(x);
    }
  }
  // Upper bounds of the equal-width bins; the first bucket extends to -Infinity.
  const bounds = [...histogramEdges(summary.min, summary.max, bins).subarray(1)];
  const shell: NumericFeatureProfile = {
    kind: 'numeric',
    ...bad,
    ...summary,
    quantiles,
    histogram: { bounds, counts: [] },
    support: { exact, points, counts: [], sums: [] },
  };
  // The reference goes through the same cell and bucket lookups as the windows, so both agree.
  const acc = new NumericAccumulator(specFor(name, shell) as never);
  for (let i = 0; i < n; i++) acc.addNumber(sorted[i]!);
  return {
    ...shell,
    histogram: { bounds, counts: [...acc.buckets] },
    support: { exact, points, counts: [...acc.cells], sums: [...acc.sums] },
  };
}

function categoricalProfile(
  name: string,
  values: readonly unknown[],
  maxCategories: number,
): CategoricalFeatureProfile {
  const counts = new Map<string, number>();
  let missing = 0;
  let invalid = 0;
  let count = 0;
  for (const v of values) {
    const c = toCategory(v);
    if (c === 'missing' || c === 'nan') missing++;
    else if (c === 'invalid' || c === 'infinite') invalid++;
    else {
      count++;
      counts.set(c, (counts.get(c) ?? 0) + 1);
    }
  }
  if (count === 0) throw new ThreadlineConfigError(COMPONENT, `feature ${JSON.stringify(name)} has no value`);
  const ranked = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const categories: Record<string, number> = {};
  let other = 0;
  ranked.forEach(([k, n], i) => {
    if (i < maxCategories) categories[k] = n;
    else other += n;
  });
  if (other > 0) categories[OTHER_CATEGORY] = (categories[OTHER_CATEGORY] ?? 0) + other;
  return { kind: 'categorical', count, missing, invalid, categories };
}

/**
 * Reads a profile back from JSON (text or parsed), checking every field so a damaged or foreign
 * file fails here, at setup, with the path of the bad field.
 */
export function loadProfile(input: string | unknown): DriftProfile {
  let data: unknown = input;
  if (typeof input === 'string') {
    try {
      data = JSON.parse(input);
    } catch (error) {
      throw new ThreadlineConfigError(COMPONENT, `profile is not JSON: ${(error as Error).message}`);
    }
  }
  const fail = (path: string, what: string): never => {
    throw new ThreadlineConfigError(COMPONENT, `invalid profile: ${path} ${what}`);
  };
  const obj = (v: unknown, path: string): Record<string, unknown> =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : fail(path, 'must be an object');
  const num = (v: unknown, path: string, min = Number.NEGATIVE_INFINITY): number =>
    typeof v === 'number' && Number.isFinite(v) && v >= min
      ? v
      : fail(path, `must be a finite number >= ${min}`);
  const nums = (v: unknown, path: string, min?: number): number[] => {
    if (!Array.isArray(v)) return fail(path, 'must be an array of numbers');
    return v.map((x, i) => num(x, `${path}[${i}]`, min));
  };
  const root = obj(data, 'profile');
  if (root.format !== 'threadline-drift-profile') fail('format', 'must be "threadline-drift-profile"');
  if (root.version !== 1) fail('version', 'must be 1');
  const rows = num(root.rows, 'rows', 0);
  const featuresIn = obj(root.features, 'features');
  const features: Record<string, FeatureProfile> = {};
  const names = Object.keys(featuresIn);
  if (names.length === 0) fail('features', 'must name at least one feature');
  for (const name of names) {
    const p = `features.${name}`;
    const f = obj(featuresIn[name], p);
    if (f.kind === 'categorical') {
      const cats = obj(f.categories, `${p}.categories`);
      const categories: Record<string, number> = {};
      for (const [k, v] of Object.entries(cats)) categories[k] = num(v, `${p}.categories.${k}`, 0);
      if (Object.keys(categories).length === 0) fail(`${p}.categories`, 'must not be empty');
      features[name] = {
        kind: 'categorical',
        count: num(f.count, `${p}.count`, 0),
        missing: num(f.missing, `${p}.missing`, 0),
        invalid: num(f.invalid, `${p}.invalid`, 0),
        categories,
      };
      continue;
    }
    if (f.kind !== 'numeric') fail(`${p}.kind`, 'must be "numeric" or "categorical"');
    const hist = obj(f.histogram, `${p}.histogram`);
    const bounds = nums(hist.bounds, `${p}.histogram.bounds`);
    const hcounts = nums(hist.counts, `${p}.histogram.counts`, 0);
    if (bounds.length === 0 || hcounts.length !== bounds.length + 1) {
      fail(`${p}.histogram`, 'must have one more count than bounds');
    }
    for (let i = 1; i < bounds.length; i++)
      if (!(bounds[i]! > bounds[i - 1]!)) fail(`${p}.histogram.bounds`, 'must ascend');
    const support = obj(f.support, `${p}.support`);
    const points = nums(support.points, `${p}.support.points`);
    const scounts = nums(support.counts, `${p}.support.counts`, 0);
    const sums = nums(support.sums, `${p}.support.sums`);
    if (points.length === 0 || scounts.length !== 2 * points.length + 1 || sums.length !== scounts.length) {
      fail(`${p}.support`, 'must have 2·points + 1 counts and sums');
    }
    for (let i = 1; i < points.length; i++)
      if (!(points[i]! > points[i - 1]!)) fail(`${p}.support.points`, 'must ascend');
    if (typeof support.exact !== 'boolean') fail(`${p}.support.exact`, 'must be a boolean');
    const q = obj(f.quantiles, `${p}.quantiles`);
    const quantiles: Record<string, number> = {};
    for (const [k, v] of Object.entries(q)) quantiles[k] = num(v, `${p}.quantiles.${k}`);
    const count = num(f.count, `${p}.count`, 1);
    features[name] = {
      kind: 'numeric',
      count,
      missing: num(f.missing, `${p}.missing`, 0),
      nan: num(f.nan, `${p}.nan`, 0),
      infinite: num(f.infinite, `${p}.infinite`, 0),
      invalid: num(f.invalid, `${p}.invalid`, 0),
      mean: num(f.mean, `${p}.mean`),
      variance: num(f.variance, `${p}.variance`, 0),
      skew: num(f.skew, `${p}.skew`),
      kurtosis: num(f.kurtosis, `${p}.kurtosis`),
      min: num(f.min, `${p}.min`),
      max: num(f.max, `${p}.max`),
      quantiles,
      histogram: { bounds, counts: hcounts },
      support: { exact: support.exact as boolean, points, counts: scounts, sums },
    };
  }
  return { format: 'threadline-drift-profile', version: 1, rows, features };
}
