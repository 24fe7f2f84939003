import { displayText } from '@threadline/core';
import { isPValueMethod } from '../evaluate.js';
import { type Table, toColumns } from '../profile.js';
import type { DriftProfile, DriftReport, FeatureDrift, FeatureProfile, InvalidCounts } from '../types.js';
import { toCategory, toNumber } from '../values.js';

/** Most categories drawn per feature; the rest are summed into one "other" bar. */
export const MAX_DRAWN_CATEGORIES = 30;
/** Most features a report draws (the summary still counts all of them). */
export const MAX_DRAWN_FEATURES = 500;
/** Longest feature name kept in the page's data (the display cuts at 120). */
export const MAX_NAME = 1000;

/** Four moments of one side. */
export interface SideMoments {
  readonly mean: number;
  readonly variance: number;
  readonly skew: number;
  readonly kurtosis: number;
}

/** Reference and current shares per bin (numeric) or category (categorical). */
export interface DrawnDistribution {
  /** Bin or category labels, in drawing order (bounded in length). */
  readonly labels: readonly string[];
  readonly reference: readonly number[];
  readonly current: readonly number[];
  /** Categories left out of the drawing (summed into the last bar). */
  readonly folded: number;
}

/** One feature as the report shows it. */
export interface FeatureView extends FeatureDrift {
  readonly name: string;
  /** The name as displayed (cut at 120 characters). */
  readonly label: string;
  /** The value `ml_feature_drift_score` carries: the p-value (p-value tests) or the distance. */
  readonly score: number | null;
  /** How far past its threshold the feature is (1 = at the threshold), the sort key. */
  readonly severity: number;
  readonly moments?: { readonly reference: SideMoments; readonly current: SideMoments | null };
  readonly distribution: DrawnDistribution;
}

/** The report's data, embedded in the page as JSON. */
export interface DriftReportView {
  readonly title: string;
  readonly generated_at: string;
  readonly summary: Omit<DriftReport, 'features'> & { readonly rule: string };
  readonly features: readonly FeatureView[];
  /** Features not drawn (past `MAX_DRAWN_FEATURES`). */
  readonly omitted: number;
}

function severity(f: FeatureDrift): number {
  if (f.skipped !== undefined) return -1;
  const p = f.p_value_adjusted ?? f.p_value;
  if (isPValueMethod(f.method)) {
    if (p === null || p === undefined) return 0;
    // log p / log threshold is 1 at the threshold and grows as p falls below it.
    return p <= 0 ? Number.MAX_VALUE : Math.log(p) / Math.log(f.threshold);
  }
  if (f.statistic === null) return Number.MAX_VALUE;
  return f.threshold > 0 ? f.statistic / f.threshold : f.statistic;
}

function numericDistribution(
  ref: FeatureProfile & { kind: 'numeric' },
  values: readonly unknown[],
): DrawnDistribution {
  const { bounds, counts } = ref.histogram;
  const cur = new Array<number>(counts.length).fill(0);
  let n = 0;
  for (const v of values) {
    const x = toNumber(v);
    if (typeof x !== 'number') continue;
    // The first bound at or above x (Prometheus `le`); values past the last bound go to the extra bucket.
    let lo = 0;
    let hi = bounds.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (x <= bounds[mid]!) hi = mid;
      else lo = mid + 1;
    }
    cur[lo]!++;
    n++;
  }
  const total = counts.reduce((a, b) => a + b, 0);
  const labels = counts.map((_, i) =>
    i === 0
      ? `≤ ${fmt(bounds[0]!)}`
      : i === bounds.length
        ? `> ${fmt(bounds[i - 1]!)}`
        : `≤ ${fmt(bounds[i]!)}`,
  );
  return {
    labels,
    reference: counts.map((c) => (total > 0 ? c / total : 0)),
    current: cur.map((c) => (n > 0 ? c / n : 0)),
    folded: 0,
  };
}

function fmt(x: number): string {
  return Number(x.toPrecision(4)).toString();
}

function categoricalDistribution(
  refCounts: Readonly<Record<string, number>>,
  values: readonly unknown[],
): DrawnDistribution {
  const cur = new Map<string, number>();
  let n = 0;
  for (const v of values) {
    const c = toCategory(v);
    if (c === 'missing' || c === 'nan' || c === 'infinite' || c === 'invalid') continue;
    cur.set(c, (cur.get(c) ?? 0) + 1);
    n++;
  }
  const refTotal = Object.values(refCounts).reduce((a, b) => a + b, 0);
  const keys = [...new Set([...Object.keys(refCounts), ...cur.keys()])];
  const share = (k: string) => ({
    r: refTotal > 0 ? (refCounts[k] ?? 0) / refTotal : 0,
    c: n > 0 ? (cur.get(k) ?? 0) / n : 0,
  });
  const ranked = keys
    .map((k) => ({ k, ...share(k) }))
    .sort((a, b) => Math.max(b.r, b.c) - Math.max(a.r, a.c) || (a.k < b.k ? -1 : 1));
  const shown = ranked.slice(0, MAX_DRAWN_CATEGORIES);
  const rest = ranked.slice(MAX_DRAWN_CATEGORIES);
  const labels = shown.map((s) => displayText(s.k, 40));
  const reference = shown.map((s) => s.r);
  const current = shown.map((s) => s.c);
  if (rest.length > 0) {
    labels.push(`${rest.length} more`);
    reference.push(rest.reduce((a, s) => a + s.r, 0));
    current.push(rest.reduce((a, s) => a + s.c, 0));
  }
  return { labels, reference, current, folded: rest.length };
}

const EMPTY_INVALID: InvalidCounts = { missing: 0, nan: 0, infinite: 0, invalid: 0, unseen: 0 };

/** Builds what the page shows from a report, the reference profile and the current rows. */
export function driftReportView(
  report: DriftReport,
  reference: DriftProfile,
  current: Table,
  title: string,
  now: Date = new Date(),
): DriftReportView {
  const names = Object.keys(report.features);
  const columns = toColumns(
    current,
    Array.isArray(current) ? names : names.filter((n) => n in (current as object)),
  );
  const features: FeatureView[] = names.map((name) => {
    const f = report.features[name]!;
    const ref = reference.features[name];
    const values = columns[name] ?? [];
    const distribution: DrawnDistribution = !ref
      ? { labels: [], reference: [], current: [], folded: 0 }
      : ref.kind === 'numeric'
        ? numericDistribution(ref, values)
        : categoricalDistribution(ref.categories, values);
    const moments =
      ref?.kind === 'numeric'
        ? {
            reference: { mean: ref.mean, variance: ref.variance, skew: ref.skew, kurtosis: ref.kurtosis },
            current: f.current
              ? {
                  mean: f.current.mean,
                  variance: f.current.variance,
                  skew: f.current.skew,
                  kurtosis: f.current.kurtosis,
                }
              : null,
          }
        : undefined;
    const score = f.skipped !== undefined ? null : f.p_value !== undefined ? f.p_value : f.statistic;
    return {
      ...f,
      invalid_values: f.invalid_values ?? EMPTY_INVALID,
      ...(f.unseen_categories ? { unseen_categories: f.unseen_categories.map((c) => displayText(c)) } : {}),
      name: displayText(name, MAX_NAME),
      label: displayText(name),
      score,
      severity: severity(f),
      ...(moments ? { moments } : {}),
      distribution,
    };
  });
  features.sort((a, b) => b.severity - a.severity || (a.name < b.name ? -1 : 1));
  const { features: _f, ...summary } = report;
  return {
    title,
    generated_at: now.toISOString(),
    summary: {
      ...summary,
      rule: `dataset drift when drifted / tested features ≥ ${report.drift_share_threshold} (${report.n_drifted} / ${report.n_tested} = ${fmt(report.drift_share)})`,
    },
    features: features.slice(0, MAX_DRAWN_FEATURES),
    omitted: Math.max(0, features.length - MAX_DRAWN_FEATURES),
  };
}
