import {
  type AnyRegistry,
  type ContextCounter,
  type ContextGauge,
  type ContextHistogram,
  createCounter,
  createGauge,
  createHistogram,
  createScrapeCounter,
  createScrapeHistogram,
  isOpenMetricsRegistry,
  removeMetric,
  resolveRegistry,
  type ScrapeCounter,
  type ScrapeHistogram,
  ThreadlineConfigError,
} from '@threadline/core';

const COMPONENT = 'model.metrics';

export type { AnyRegistry };

/** The label pair every per-version series carries. */
export type VersionLabels = { model_name: string; model_version: string };
type V = 'model_name' | 'model_version';

/** Default buckets of `model_inference_duration_seconds`: 0.5 ms to 10 s. */
export const DURATION_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
] as const;
/** Default buckets of `model_output_score`. */
export const SCORE_BUCKETS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1] as const;
/** Default buckets of `model_batch_size` and `model_input_size`. */
export const SIZE_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096, 16384] as const;
/** Default buckets of `model_output_value` (prom-client's defaults). */
export const VALUE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;
/** Default buckets of `model_label_delay_seconds`: a second to a week. */
export const DELAY_BUCKETS = [1, 10, 60, 300, 900, 3600, 4 * 3600, 86400, 7 * 86400] as const;

const VL = ['model_name', 'model_version'] as const;

/** Every metric a monitor registers. */
export const METRIC_NAMES = [
  'model_info',
  'model_inference_duration_seconds',
  'model_predictions_total',
  'model_prediction_errors_total',
  'model_prediction_non_finite_total',
  'model_batch_items_untracked_total',
  'model_batch_size',
  'model_input_size',
  'model_output_score',
  'model_output_value',
  'model_output_class_total',
  'model_unknown_references_total',
  'model_shadow_comparisons_total',
  'model_shadow_disagreements_total',
  'model_shadow_disagreement_ratio',
  'model_outcomes_total',
  'model_label_delay_seconds',
  'model_accuracy_ratio',
  'model_precision_ratio',
  'model_recall_ratio',
  'model_f1_ratio',
  'model_roc_auc_ratio',
  'model_mean_absolute_error',
  'model_mean_squared_error',
  'model_outcome_join_ratio',
  'model_outcome_samples',
  'model_outcome_store_entries',
  'model_outcome_store_evictions_total',
] as const;

/**
 * Options every model metric shares. Labels are the declared model's name and version (set
 * explicitly, not read from the context: a shadow call is counted under the shadow's version) and
 * small fixed sets, all checked at declaration, so the core guard's limit is set past them.
 */
export function modelMetricOptions(registry: AnyRegistry): {
  registry: AnyRegistry;
  modelLabels: false;
  exemplars: false;
  maxLabelValues: number;
} {
  return { registry, modelLabels: false, exemplars: false, maxLabelValues: 100_000 };
}

/** Buckets a monitor was configured with. */
export interface ModelBuckets {
  readonly score?: readonly number[];
  readonly value?: readonly number[];
  readonly delay?: readonly number[];
}

/**
 * The event metrics of the model package, created once per monitor in its registry (the
 * scrape-time gauges belong to the parts that own their data: quality, shadow, outcome store). The
 * metrics updated on every call are core's scrape-time histograms and counters.
 */
export class ModelMetrics {
  readonly registry: AnyRegistry;
  readonly info: ContextGauge<string>;
  readonly duration: ScrapeHistogram<V | 'phase'>;
  readonly predictions: ScrapeCounter<V>;
  readonly errors: ContextCounter<V | 'error_type'>;
  readonly nonFinite: ContextCounter<V>;
  readonly untrackedItems: ContextCounter<V>;
  readonly batchSize: ScrapeHistogram<V>;
  readonly inputSize: ScrapeHistogram<V>;
  readonly outputScore: ScrapeHistogram<V>;
  readonly outputValue: ScrapeHistogram<V>;
  readonly outputClass: ScrapeCounter<V | 'class'>;
  readonly unknownModels: ContextCounter<never>;
  readonly shadowComparisons: ContextCounter<V | 'baseline_version'>;
  readonly shadowDisagreements: ContextCounter<V | 'baseline_version'>;
  readonly outcomes: ContextCounter<V | 'result'>;
  readonly labelDelay: ContextHistogram<V>;
  /** True when the registry serves OpenMetrics, so the duration histogram carries exemplars. */
  readonly exemplars: boolean;

  constructor(registry: AnyRegistry | undefined, buckets: ModelBuckets) {
    const reg = resolveRegistry(registry);
    this.registry = reg;
    this.exemplars = isOpenMetricsRegistry(reg);
    // Checked before anything is created, so a clash leaves the registry as it was.
    for (const name of METRIC_NAMES) {
      if (reg.getSingleMetric(name)) {
        throw new ThreadlineConfigError(
          COMPONENT,
          `metric ${name} is already registered in this registry (one model monitor per registry; close() the old one first)`,
        );
      }
    }
    const common = modelMetricOptions(reg);
    const hot = { registry: reg };
    this.info = createGauge<string>({
      name: 'model_info',
      help: 'Declared model versions (value 1) with their lineage as labels.',
      labelNames: [
        ...VL,
        'model_alias',
        'model_stage',
        'run_id',
        'dataset_version',
        'git_sha',
        'trained_at',
        'framework',
      ],
      // In cluster mode every worker declares the same models: an info series is 1, not N.
      aggregator: 'max',
      ...common,
    });
    this.duration = createScrapeHistogram({
      name: 'model_inference_duration_seconds',
      help: 'Time spent in each phase of an inference call (preprocess, predict, postprocess).',
      labelNames: [...VL, 'phase'],
      buckets: DURATION_BUCKETS,
      exemplars: this.exemplars,
      ...hot,
    });
    this.predictions = createScrapeCounter({
      name: 'model_predictions_total',
      help: 'Predictions made (one per item of a batch).',
      labelNames: VL,
      ...hot,
    });
    this.errors = createCounter({
      name: 'model_prediction_errors_total',
      help: 'Inference calls that failed: error_type is exception (the predict code threw) or timeout.',
      labelNames: [...VL, 'error_type'],
      ...common,
    });
    this.nonFinite = createCounter({
      name: 'model_prediction_non_finite_total',
      help: 'Output items with a NaN or infinite score or value (returned to the caller, flagged, not recorded as outputs).',
      labelNames: VL,
      ...common,
    });
    this.untrackedItems = createCounter({
      name: 'model_batch_items_untracked_total',
      help: 'Batch items past the per-call cap: counted as predictions, without a prediction ID, output distribution or outcome tracking.',
      labelNames: VL,
      ...common,
    });
    const sizes = (name: string, help: string, b: readonly number[]): ScrapeHistogram<V> =>
      createScrapeHistogram({ name, help, labelNames: VL, buckets: b, exemplars: false, ...hot });
    this.batchSize = sizes('model_batch_size', 'Items per batch inference call.', SIZE_BUCKETS);
    this.inputSize = sizes(
      'model_input_size',
      'Size of one inference input (elements, characters or a user-defined measure).',
      SIZE_BUCKETS,
    );
    this.outputScore = sizes(
      'model_output_score',
      'Predicted positive-class scores, per version, for output drift.',
      buckets.score ?? SCORE_BUCKETS,
    );
    this.outputValue = sizes(
      'model_output_value',
      'Predicted regression values, per version, for output drift.',
      buckets.value ?? VALUE_BUCKETS,
    );
    this.outputClass = createScrapeCounter({
      name: 'model_output_class_total',
      help: 'Predicted classes, per version, for output drift (classes outside the declared set count as __other__).',
      labelNames: [...VL, 'class'],
      ...hot,
    });
    this.unknownModels = createCounter({
      name: 'model_unknown_references_total',
      help: 'Uses of a model name or version that was never declared (the name is in the log line, not a label).',
      ...common,
    });
    const shadow = (name: string, help: string) =>
      createCounter<V | 'baseline_version'>({
        name,
        help,
        labelNames: [...VL, 'baseline_version'],
        ...common,
      });
    this.shadowComparisons = shadow(
      'model_shadow_comparisons_total',
      'Inputs answered by both the primary (baseline_version) and the shadow (model_version).',
    );
    this.shadowDisagreements = shadow(
      'model_shadow_disagreements_total',
      'Comparisons where the shadow disagreed with the primary (another class, or a value beyond the tolerance).',
    );
    this.outcomes = createCounter({
      name: 'model_outcomes_total',
      help: 'Ground-truth outcomes received, by result: joined, duplicate, late (expired), unknown (no such prediction) or invalid.',
      labelNames: [...VL, 'result'],
      ...common,
    });
    this.labelDelay = createHistogram({
      name: 'model_label_delay_seconds',
      help: 'Time from a prediction to its joined outcome.',
      labelNames: VL,
      buckets: buckets.delay ?? DELAY_BUCKETS,
      ...common,
    });
  }

  /** Removes every metric of this monitor from the registry (the parts' scrape-time gauges too). */
  close(): void {
    for (const name of METRIC_NAMES) removeMetric(this.registry, name);
  }
}
