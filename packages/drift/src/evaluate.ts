import { check, ThreadlineConfigError } from '@threadline/core';
import { adjustPValues, type Correction } from './correction.js';
import {
  chiSquare,
  fillZeros,
  hellinger,
  jensenShannon,
  klDivergence,
  psi,
  twoProportionZ,
} from './distances.js';
import type { MomentSummary } from './moments.js';
import type { DriftMethod, DriftReport, DriftTestOptions, FeatureDrift, InvalidCounts } from './types.js';

const COMPONENT = 'drift';
/** Evidently's switch: references up to this many rows get the statistical tests. */
export const SMALL_REFERENCE_ROWS = 1000;
export const NUMERIC_METHODS = ['ks', 'wasserstein', 'jensenshannon', 'psi', 'kl', 'hellinger'] as const;
export const CATEGORICAL_METHODS = ['chisquare', 'z', 'jensenshannon', 'psi', 'kl', 'hellinger'] as const;
const ALL_METHODS = ['auto', ...new Set([...NUMERIC_METHODS, ...CATEGORICAL_METHODS])] as DriftMethod[];
const P_VALUE_METHODS: ReadonlySet<string> = new Set(['ks', 'chisquare', 'z']);

export type ConcreteMethod = Exclude<DriftMethod, 'auto'>;

/** True for tests that give a p-value (drift when p <= threshold); the others are distances. */
export function isPValueMethod(method: ConcreteMethod): boolean {
  return P_VALUE_METHODS.has(method);
}

/** Evidently's default thresholds: 0.05 for p-values, 0.1 for distances. */
export function defaultThreshold(method: ConcreteMethod): number {
  return isPValueMethod(method) ? 0.05 : 0.1;
}

/** Test options after validation. */
export interface ResolvedTestOptions {
  readonly method: DriftMethod;
  readonly threshold: number | undefined;
  readonly features: Readonly<Record<string, { method?: DriftMethod; threshold?: number }>>;
  readonly driftShare: number;
  readonly correction: Correction;
  readonly minSamples: number;
}

/** The option names of a drift test (what `resolveTestOptions` reads), shared by every caller's key check. */
export const TEST_OPTION_KEYS = [
  'method',
  'threshold',
  'features',
  'driftShare',
  'correction',
  'minSamples',
] as const;

/** Validates the shared test options (throws `ThreadlineConfigError`). */
export function resolveTestOptions(
  options: DriftTestOptions,
  known?: readonly string[],
): ResolvedTestOptions {
  const method = check.oneOf(COMPONENT, 'method', options.method, ALL_METHODS, 'auto');
  const threshold =
    options.threshold === undefined
      ? undefined
      : check.number(COMPONENT, 'threshold', options.threshold, 0, { min: 0 });
  const features: Record<string, { method?: DriftMethod; threshold?: number }> = {};
  for (const [name, f] of Object.entries(options.features ?? {})) {
    if (known && !known.includes(name)) {
      throw new ThreadlineConfigError(COMPONENT, `option features: unknown feature ${JSON.stringify(name)}`);
    }
    check.keys(COMPONENT, f, ['method', 'threshold']);
    features[name] = {
      ...(f.method !== undefined
        ? { method: check.oneOf(COMPONENT, `features.${name}.method`, f.method, ALL_METHODS, 'auto') }
        : {}),
      ...(f.threshold !== undefined
        ? { threshold: check.number(COMPONENT, `features.${name}.threshold`, f.threshold, 0, { min: 0 }) }
        : {}),
    };
  }
  return {
    method,
    threshold,
    features,
    driftShare: check.number(COMPONENT, 'driftShare', options.driftShare, 0.5, { min: 0, max: 1 }),
    correction: check.oneOf(
      COMPONENT,
      'correction',
      options.correction,
      ['none', 'bonferroni', 'bh'],
      'none',
    ),
    minSamples: check.number(COMPONENT, 'minSamples', options.minSamples, 30, { min: 1, integer: true }),
  };
}

/**
 * The method and threshold for a feature. `auto` follows Evidently: KS for numeric and chi-square
 * (z-test with two categories) for categorical features when the reference has at most 1000
 * values, normed Wasserstein and Jensen-Shannon above. Throws when a method does not fit the kind.
 */
export function methodFor(
  name: string,
  kind: 'numeric' | 'categorical',
  referenceCount: number,
  categories: number,
  options: ResolvedTestOptions,
): { method: ConcreteMethod; threshold: number } {
  const own = options.features[name];
  const wanted = own?.method ?? options.method;
  let method: ConcreteMethod;
  if (wanted === 'auto') {
    const small = referenceCount <= SMALL_REFERENCE_ROWS;
    if (kind === 'numeric') method = small ? 'ks' : 'wasserstein';
    else method = small ? (categories > 2 ? 'chisquare' : 'z') : 'jensenshannon';
  } else {
    const allowed: readonly string[] = kind === 'numeric' ? NUMERIC_METHODS : CATEGORICAL_METHODS;
    if (!allowed.includes(wanted)) {
      throw new ThreadlineConfigError(
        COMPONENT,
        `method ${wanted} does not apply to ${kind} feature ${JSON.stringify(name)}; use one of ${allowed.join(', ')}`,
      );
    }
    method = wanted;
  }
  // A threshold given for one kind of test means nothing to the other kind, so the global
  // threshold applies only when it came with the global method.
  const threshold =
    own?.threshold ?? (own?.method === undefined ? options.threshold : undefined) ?? defaultThreshold(method);
  return { method, threshold };
}

/** A feature's raw outcome, before the correction and the dataset verdict. */
export interface Outcome {
  readonly name: string;
  readonly kind: 'numeric' | 'categorical';
  readonly method: ConcreteMethod;
  readonly threshold: number;
  readonly statistic: number | null;
  readonly pValue: number | null;
  readonly skipped?: string;
  readonly nReference: number;
  readonly nCurrent: number;
  readonly invalid: InvalidCounts;
  readonly current?: MomentSummary;
  readonly unseenCategories?: readonly string[];
}

/** Distances over two binned distributions (fractions), with Evidently's zero filling where it applies. */
export function binnedDistance(
  method: 'jensenshannon' | 'psi' | 'kl' | 'hellinger',
  p: Float64Array,
  q: Float64Array,
): number {
  if (method === 'hellinger') return hellinger(p, q);
  const fp = fillZeros(p);
  const fq = fillZeros(q);
  if (method === 'jensenshannon') return jensenShannon(fp, fq);
  if (method === 'psi') return psi(fp, fq);
  return klDivergence(fp, fq);
}

/**
 * Scores a categorical feature from counts per key (reference and current, aligned). Chi-square
 * scales the reference counts to the current total (Evidently's expected frequencies).
 */
export function scoreCategorical(
  method: ConcreteMethod,
  ref: Float64Array,
  cur: Float64Array,
  nr: number,
  nc: number,
): { statistic: number; pValue: number | null } {
  if (method === 'chisquare') {
    const expected = ref.map((r) => (r * nc) / nr);
    const r = chiSquare(cur, expected);
    return { statistic: r.statistic, pValue: r.pValue };
  }
  if (method === 'z') {
    // The first key (in the caller's order) is the "success" category; the p-value does not depend on it.
    const r = twoProportionZ(ref[0] ?? 0, nr, cur[0] ?? 0, nc);
    return { statistic: r.statistic, pValue: r.pValue };
  }
  const p = ref.map((r) => r / nr);
  const q = cur.map((c) => c / nc);
  return { statistic: binnedDistance(method as 'psi', p, q), pValue: null };
}

/** Applies the correction and the dataset rule, and shapes the report. */
export function finalize(
  outcomes: readonly Outcome[],
  options: ResolvedTestOptions,
  rows: number,
  extra: { window_start?: string; window_end?: string } = {},
): DriftReport {
  const tested = outcomes.filter((o) => o.skipped === undefined);
  const pIdx = tested.filter((o) => o.pValue !== null);
  const adjusted = adjustPValues(
    pIdx.map((o) => o.pValue!),
    options.correction,
  );
  const adj = new Map(pIdx.map((o, i) => [o.name, adjusted[i]!]));
  const features: Record<string, FeatureDrift> = {};
  let drifted = 0;
  for (const o of outcomes) {
    const pValue = isPValueMethod(o.method);
    let drift = false;
    if (o.skipped === undefined) {
      drift = pValue ? adj.get(o.name)! <= o.threshold : o.statistic !== null && o.statistic >= o.threshold;
      if (drift) drifted++;
    }
    features[o.name] = {
      kind: o.kind,
      method: o.method,
      statistic: o.statistic === null || !Number.isFinite(o.statistic) ? null : o.statistic,
      ...(pValue ? { p_value: o.pValue } : {}),
      ...(pValue && options.correction !== 'none' ? { p_value_adjusted: adj.get(o.name) ?? null } : {}),
      threshold: o.threshold,
      drift,
      ...(o.skipped !== undefined ? { skipped: o.skipped } : {}),
      n_reference: o.nReference,
      n_current: o.nCurrent,
      invalid_values: o.invalid,
      ...(o.current
        ? {
            current: {
              mean: o.current.mean,
              variance: o.current.variance,
              skew: o.current.skew,
              kurtosis: o.current.kurtosis,
              min: o.current.min,
              max: o.current.max,
            },
          }
        : {}),
      ...(o.unseenCategories && o.unseenCategories.length > 0
        ? { unseen_categories: o.unseenCategories }
        : {}),
    };
  }
  const share = tested.length === 0 ? 0 : drifted / tested.length;
  return {
    features,
    drift_share: share,
    dataset_drift: tested.length > 0 && share >= options.driftShare,
    drift_share_threshold: options.driftShare,
    correction: options.correction,
    n_features: outcomes.length,
    n_tested: tested.length,
    n_drifted: drifted,
    rows,
    ...extra,
  };
}
