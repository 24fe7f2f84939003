export { type CompareOptions, compareTables } from './compare.js';
export { adjustPValues, type Correction } from './correction.js';
export {
  chiSquare,
  fillZeros,
  hellinger,
  histogramCounts,
  histogramEdges,
  jensenShannon,
  klDivergence,
  psi,
  type TestResult,
  twoProportionZ,
  wasserstein1,
} from './distances.js';
export { chi2Sf, kolmogorovSf, normCdf } from './distributions.js';
export { defaultThreshold, isPValueMethod } from './evaluate.js';
export { KS_EXACT_MAX_N, type KsResult, ksPValue, ksTwoSample } from './ks.js';
export { formatLe, METRIC_NAMES } from './metrics.js';
export { type MomentSummary, Moments, quantileSorted } from './moments.js';
export { createDriftMonitor, type DriftMonitor } from './monitor.js';
export { buildProfile, loadProfile, OTHER_CATEGORY, PROFILE_QUANTILES, type Table } from './profile.js';
export { type ReadTableOptions, readTable, TableReadError } from './read.js';
export {
  type DriftReportView,
  type FeatureView,
  MAX_DRAWN_CATEGORIES,
  MAX_DRAWN_FEATURES,
} from './report/data.js';
export {
  type DriftReportHtmlOptions,
  type DriftReportInput,
  driftReportHtml,
  renderDriftReport,
} from './report/html.js';
export type {
  CategoricalFeatureProfile,
  CategoricalMethod,
  DriftMethod,
  DriftMonitorOptions,
  DriftProfile,
  DriftReport,
  DriftTestOptions,
  FeatureDrift,
  FeatureProfile,
  FeatureTestOptions,
  InvalidCounts,
  LogLevel,
  LogSink,
  NumericFeatureProfile,
  NumericMethod,
  ProfileOptions,
  WindowOptions,
} from './types.js';
