import type { LogSink, ModelRef } from '@threadline/core';
import type { Registry, RegistryContentType } from 'prom-client';
import type { Correction } from './correction.js';

/** Drift tests for numeric features. */
export type NumericMethod = 'ks' | 'wasserstein' | 'jensenshannon' | 'psi' | 'kl' | 'hellinger';
/** Drift tests for categorical features. */
export type CategoricalMethod = 'chisquare' | 'z' | 'jensenshannon' | 'psi' | 'kl' | 'hellinger';
/** A drift test; `auto` picks Evidently's default for the feature's kind and reference size. */
export type DriftMethod = NumericMethod | CategoricalMethod | 'auto';

/**
 * Where `drift_detected` events go: core's `LogSink` (`jsonLineSink()`, the winston and pino sinks,
 * or any `{ log(level, fields, message) }`). A throw is caught and reported on the diagnostics channel.
 */
export type { LogLevel, LogSink } from '@threadline/core';

/** Statistics of one numeric reference feature. Definitions as in `MomentSummary`. */
export interface NumericFeatureProfile {
  readonly kind: 'numeric';
  /** Finite values profiled. */
  readonly count: number;
  readonly missing: number;
  readonly nan: number;
  readonly infinite: number;
  readonly invalid: number;
  readonly mean: number;
  /** Sample variance (ddof = 1). */
  readonly variance: number;
  /** Biased sample skewness (scipy's default). */
  readonly skew: number;
  /** Fisher's biased excess kurtosis (scipy's default). */
  readonly kurtosis: number;
  readonly min: number;
  readonly max: number;
  /** Quantiles by probability ("0.05", "0.25", ...), numpy's linear interpolation. */
  readonly quantiles: Readonly<Record<string, number>>;
  /**
   * Histogram bins: `bounds` are the upper bounds of the finite buckets (Prometheus `le`), equal
   * width over the reference range; `counts` has one more entry, for values above the last bound.
   * The first bucket reaches down to -Infinity.
   */
  readonly histogram: { readonly bounds: readonly number[]; readonly counts: readonly number[] };
  /**
   * The reference distribution for KS and Wasserstein: sorted `points` cut the line into
   * 2·points + 1 cells (below the first point, each point, between points, above the last);
   * `counts` and `sums` per cell. `exact` when every distinct reference value is a point (the
   * reference had at most `exactRows` rows), so the open cells are empty and KS is exact.
   */
  readonly support: {
    readonly exact: boolean;
    readonly points: readonly number[];
    readonly counts: readonly number[];
    readonly sums: readonly number[];
  };
}

/** Frequencies of one categorical reference feature. */
export interface CategoricalFeatureProfile {
  readonly kind: 'categorical';
  readonly count: number;
  readonly missing: number;
  readonly invalid: number;
  readonly categories: Readonly<Record<string, number>>;
}

/** One feature's reference profile. */
export type FeatureProfile = NumericFeatureProfile | CategoricalFeatureProfile;

/** A reference profile: JSON-serialisable, reloaded with `loadProfile`. */
export interface DriftProfile {
  readonly format: 'threadline-drift-profile';
  readonly version: 1;
  /** Rows profiled. */
  readonly rows: number;
  readonly features: Readonly<Record<string, FeatureProfile>>;
}

/** Options of `buildProfile`. */
export interface ProfileOptions {
  /** Features to profile (default: every column seen). */
  readonly columns?: readonly string[];
  /** Features to treat as categorical even when their values look numeric. */
  readonly categorical?: readonly string[];
  /** Equal-width histogram bins per numeric feature (default 30, Evidently's). */
  readonly bins?: number;
  /** Up to this many rows the reference keeps every distinct value, so KS is exact (default 1000). */
  readonly exactRows?: number;
  /** Points of the reference quantile grid above `exactRows` (default 1000). */
  readonly gridPoints?: number;
  /** Most categories kept per feature; rarer ones fold into `__other__` (default 1000). */
  readonly maxCategories?: number;
}

/** Per-feature test settings. */
export interface FeatureTestOptions {
  readonly method?: DriftMethod;
  /** p-value at or below which (p-value tests), or distance at or above which, the feature drifted. */
  readonly threshold?: number;
}

/** Options shared by the streaming monitor and the batch comparison. */
export interface DriftTestOptions {
  /** Default method (default `auto`). */
  readonly method?: DriftMethod;
  /** Default threshold (default: the method's, 0.05 for p-values and 0.1 for distances). */
  readonly threshold?: number;
  /** Per-feature overrides. */
  readonly features?: Readonly<Record<string, FeatureTestOptions>>;
  /** Share of drifted features at or above which the dataset drifted (default 0.5). */
  readonly driftShare?: number;
  /** Multiple-testing correction across the p-value tests (default `none`). */
  readonly correction?: Correction;
  /** A feature with fewer valid current values is not tested (default 30). */
  readonly minSamples?: number;
}

/** The current window. */
export interface WindowOptions {
  /** `tumbling`: disjoint windows, reset when evaluated; `sliding`: the last `size`, moving by slice. */
  readonly type?: 'tumbling' | 'sliding';
  /** Window length in rows (count-based). Give this or `durationMs`. */
  readonly rows?: number;
  /** Window length in milliseconds (time-based). */
  readonly durationMs?: number;
  /** Slices of a sliding window (default 10); memory grows with slices, never with rows. */
  readonly slices?: number;
}

/** Options of `createDriftMonitor`. */
export interface DriftMonitorOptions extends DriftTestOptions {
  /** The reference profile (from `buildProfile` or `loadProfile`). */
  readonly reference: DriftProfile;
  /** The current window (default: tumbling, 1000 rows). */
  readonly window?: WindowOptions;
  /** Registry for the metrics (default: prom-client's global registry). */
  readonly registry?: Registry<RegistryContentType>;
  /** Export metrics (default true). */
  readonly metrics?: boolean;
  /** The model the features belong to; default: the model in context when the monitor is created. */
  readonly model?: ModelRef;
  /**
   * Receives `drift_detected` events: a `LogSink`, or `false` for none (default: core's
   * `jsonLineSink()`, JSON lines on stdout, as every plugin).
   */
  readonly logger?: LogSink | false;
  /** Called with every report (a throw is caught and reported). */
  readonly onReport?: (report: DriftReport) => void;
  /** Clock in milliseconds (default `Date.now`), for time windows. */
  readonly now?: () => number;
}

/** Values of a feature that were not tested, by reason. */
export interface InvalidCounts {
  /** undefined, null or empty. */
  readonly missing: number;
  readonly nan: number;
  readonly infinite: number;
  /** Not a number for a numeric feature (or not a string/number for a categorical one). */
  readonly invalid: number;
  /** Categories absent from the reference (they still take part in the test). */
  readonly unseen: number;
}

/** One feature's outcome. */
export interface FeatureDrift {
  readonly kind: 'numeric' | 'categorical';
  readonly method: Exclude<DriftMethod, 'auto'>;
  /** Test statistic or distance; null when skipped, or infinite (a category with no expected count). */
  readonly statistic: number | null;
  /** For p-value tests (ks, chisquare, z). */
  readonly p_value?: number | null;
  /** The p-value after the correction, when one is configured. */
  readonly p_value_adjusted?: number | null;
  readonly threshold: number;
  readonly drift: boolean;
  /** Why the feature was not tested (`insufficient_samples`, `empty_reference`). */
  readonly skipped?: string;
  readonly n_reference: number;
  readonly n_current: number;
  readonly invalid_values: InvalidCounts;
  /** Summary of the current window (numeric features). */
  readonly current?: {
    readonly mean: number;
    readonly variance: number;
    readonly skew: number;
    readonly kurtosis: number;
    readonly min: number;
    readonly max: number;
  };
  /** Unseen categories, at most 20 named. */
  readonly unseen_categories?: readonly string[];
}

/** A drift report (JSON). */
export interface DriftReport {
  readonly features: Readonly<Record<string, FeatureDrift>>;
  /** Drifted features / tested features (0 when none was tested). */
  readonly drift_share: number;
  readonly dataset_drift: boolean;
  readonly drift_share_threshold: number;
  readonly correction: Correction;
  readonly n_features: number;
  readonly n_tested: number;
  readonly n_drifted: number;
  /** Rows in the current window. */
  readonly rows: number;
  /** ISO times of the window, for streaming reports. */
  readonly window_start?: string;
  readonly window_end?: string;
}
