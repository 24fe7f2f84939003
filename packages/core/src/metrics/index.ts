export { CardinalityGuard, DEFAULT_MAX_LABEL_VALUES, OVERFLOW_LABEL_VALUE } from './cardinality.js';
export { type ContextMetricOptions, type LabelInput, MODEL_LABEL_NAMES } from './context-metric.js';
export {
  createCounter,
  createGauge,
  createHistogram,
  forgetMetrics,
  removeMetric,
  reportRejectedMetric,
} from './create.js';
export { currentExemplarIds, type ExemplarIds, fitsExemplar, MAX_EXEMPLAR_CHARS } from './exemplars.js';
export type { IdleSeriesOptions } from './idle.js';
export {
  ContextCounter,
  ContextGauge,
  type ContextGaugeOptions,
  ContextHistogram,
  type ContextHistogramOptions,
  type EndTimer,
  type GaugeAggregator,
} from './instruments.js';
export { type AnyRegistry, createRegistry, isOpenMetricsRegistry, resolveRegistry } from './registry.js';
export {
  CounterSeries,
  createScrapeCounter,
  ScrapeCounter,
  type ScrapeCounterOptions,
} from './scrape-counter.js';
export {
  createScrapeHistogram,
  HistogramSeries,
  ScrapeHistogram,
  type ScrapeHistogramOptions,
} from './scrape-histogram.js';
export type { MetricSnapshot, Sample, ScrapeMetricOptions } from './scrape-metric.js';
