import { createScrapeHistogram, type ScrapeHistogram, ThreadlineConfigError } from '@threadline/core';
import {
  Counter,
  Gauge,
  register as globalRegistry,
  Histogram,
  Registry,
  type RegistryContentType,
} from 'prom-client';

const COMPONENT = 'model.metrics';

/** A prom-client registry of either content type. */
export type AnyRegistry = Registry<RegistryContentType>;

/** The label pair every per-version series carries. */
export type VersionLabels = { model_name: string; model_version: string };

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

const V = ['model_name', 'model_version'] as const;

/** Every metric a monitor registers. */
export const METRIC_NAMES = [
  'model_info',
  'model_inference_duration_seconds',
  'model_predictions_total',
  'model_prediction_errors_total',
  'model_prediction_non_finite_total',
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

/** Hooks the metrics call at scrape time. */
export interface ScrapeHooks {
  /** Moves counts kept on the hot path into the counters. */
  flush(): void;
  /** Sets the quality gauges from the outcome store's window. */
  quality(metrics: ModelMetrics): void;
  /** Sets the shadow disagreement ratios. */
  shadow(metrics: ModelMetrics): void;
  /** Outcome store size. */
  storeEntries(): number;
}

/**
 * Every metric the model package writes, created once per monitor in its registry. Labels are the
 * declared model's name and version (set explicitly, not read from the context: a shadow call is
 * counted under the shadow's version), plus small fixed sets (`phase`, `error_type`, `result`) and
 * declared classes. Counts on the hot path are kept in plain numbers and flushed at scrape time.
 */
export class ModelMetrics {
  readonly registry: AnyRegistry;
  readonly info: Gauge<string>;
  /** Observed on every call, so kept as plain bucket counts and rendered at scrape time. */
  readonly duration: ScrapeHistogram;
  readonly predictions: Counter<string>;
  readonly errors: Counter<string>;
  readonly nonFinite: Counter<string>;
  readonly batchSize: ScrapeHistogram;
  readonly inputSize: ScrapeHistogram;
  readonly outputScore: ScrapeHistogram;
  readonly outputValue: ScrapeHistogram;
  readonly outputClass: Counter<string>;
  readonly unknownModels: Counter<string>;
  readonly shadowComparisons: Counter<string>;
  readonly shadowDisagreements: Counter<string>;
  readonly shadowDisagreementRatio: Gauge<string>;
  readonly outcomes: Counter<string>;
  readonly labelDelay: Histogram<string>;
  readonly accuracy: Gauge<string>;
  readonly precision: Gauge<string>;
  readonly recall: Gauge<string>;
  readonly f1: Gauge<string>;
  readonly rocAuc: Gauge<string>;
  readonly mae: Gauge<string>;
  readonly mse: Gauge<string>;
  readonly joinRatio: Gauge<string>;
  readonly samples: Gauge<string>;
  readonly storeEntries: Gauge<string>;
  readonly storeEvictions: Counter<string>;
  /** True when the registry serves OpenMetrics, so the duration histogram carries exemplars. */
  readonly exemplars: boolean;
  private readonly names: string[] = [];

  constructor(
    registry: AnyRegistry | undefined,
    hooks: ScrapeHooks,
    buckets: { score?: readonly number[]; value?: readonly number[]; delay?: readonly number[] },
  ) {
    const reg = registry ?? (globalRegistry as AnyRegistry);
    this.registry = reg;
    this.exemplars = (reg.contentType as string) === Registry.OPENMETRICS_CONTENT_TYPE;
    const registers = [reg];
    const flush = (): void => hooks.flush();
    // Checked before anything is created, so a clash leaves the registry as it was.
    for (const name of METRIC_NAMES) {
      if (reg.getSingleMetric(name)) {
        throw new ThreadlineConfigError(
          COMPONENT,
          `metric ${name} is already registered in this registry (one model monitor per registry; close() the old one first)`,
        );
      }
    }
    const own = <M>(name: string, make: () => M): M => {
      this.names.push(name);
      return make();
    };
    const self = this;

    this.info = own(
      'model_info',
      () =>
        new Gauge({
          name: 'model_info',
          help: 'Declared model versions (value 1) with their lineage as labels.',
          labelNames: [
            ...V,
            'model_alias',
            'model_stage',
            'run_id',
            'dataset_version',
            'git_sha',
            'trained_at',
            'framework',
          ],
          registers,
          // In cluster mode every worker declares the same models: an info series is 1, not N.
          aggregator: 'max',
        }),
    );
    this.duration = own('model_inference_duration_seconds', () =>
      createScrapeHistogram({
        name: 'model_inference_duration_seconds',
        help: 'Time spent in each phase of an inference call (preprocess, predict, postprocess).',
        labelNames: [...V, 'phase'],
        buckets: DURATION_BUCKETS,
        exemplars: this.exemplars,
        registry: reg,
      }),
    );
    this.predictions = own(
      'model_predictions_total',
      () =>
        new Counter({
          name: 'model_predictions_total',
          help: 'Predictions made (one per item of a batch).',
          labelNames: [...V],
          registers,
          collect: flush,
        }),
    );
    this.errors = own(
      'model_prediction_errors_total',
      () =>
        new Counter({
          name: 'model_prediction_errors_total',
          help: 'Inference calls that failed: error_type is exception (the predict code threw) or timeout.',
          labelNames: [...V, 'error_type'],
          registers,
        }),
    );
    this.nonFinite = own(
      'model_prediction_non_finite_total',
      () =>
        new Counter({
          name: 'model_prediction_non_finite_total',
          help: 'Output items with a NaN or infinite score or value (returned to the caller, flagged, not recorded as outputs).',
          labelNames: [...V],
          registers,
        }),
    );
    this.batchSize = own('model_batch_size', () =>
      createScrapeHistogram({
        name: 'model_batch_size',
        help: 'Items per batch inference call.',
        labelNames: V,
        buckets: SIZE_BUCKETS,
        exemplars: false,
        registry: reg,
      }),
    );
    this.inputSize = own('model_input_size', () =>
      createScrapeHistogram({
        name: 'model_input_size',
        help: 'Size of one inference input (elements, characters or a user-defined measure).',
        labelNames: V,
        buckets: SIZE_BUCKETS,
        exemplars: false,
        registry: reg,
      }),
    );
    this.outputScore = own('model_output_score', () =>
      createScrapeHistogram({
        name: 'model_output_score',
        help: 'Predicted positive-class scores, per version, for output drift.',
        labelNames: V,
        buckets: buckets.score ?? SCORE_BUCKETS,
        exemplars: false,
        registry: reg,
      }),
    );
    this.outputValue = own('model_output_value', () =>
      createScrapeHistogram({
        name: 'model_output_value',
        help: 'Predicted regression values, per version, for output drift.',
        labelNames: V,
        buckets: buckets.value ?? VALUE_BUCKETS,
        exemplars: false,
        registry: reg,
      }),
    );
    this.outputClass = own(
      'model_output_class_total',
      () =>
        new Counter({
          name: 'model_output_class_total',
          help: 'Predicted classes, per version, for output drift (classes outside the declared set count as __other__).',
          labelNames: [...V, 'class'],
          registers,
          collect: flush,
        }),
    );
    this.unknownModels = own(
      'model_unknown_references_total',
      () =>
        new Counter({
          name: 'model_unknown_references_total',
          help: 'Uses of a model name or version that was never declared (the name is in the log line, not a label).',
          registers,
        }),
    );
    this.shadowComparisons = own(
      'model_shadow_comparisons_total',
      () =>
        new Counter({
          name: 'model_shadow_comparisons_total',
          help: 'Inputs answered by both the primary (baseline_version) and the shadow (model_version).',
          labelNames: [...V, 'baseline_version'],
          registers,
        }),
    );
    this.shadowDisagreements = own(
      'model_shadow_disagreements_total',
      () =>
        new Counter({
          name: 'model_shadow_disagreements_total',
          help: 'Comparisons where the shadow disagreed with the primary (another class, or a value beyond the tolerance).',
          labelNames: [...V, 'baseline_version'],
          registers,
        }),
    );
    this.shadowDisagreementRatio = own(
      'model_shadow_disagreement_ratio',
      () =>
        new Gauge({
          name: 'model_shadow_disagreement_ratio',
          help: 'Disagreements over comparisons since the monitor started.',
          labelNames: [...V, 'baseline_version'],
          registers,
          // A ratio summed over cluster workers is meaningless; their mean is the fleet view.
          aggregator: 'average',
          collect() {
            hooks.shadow(self);
          },
        }),
    );
    this.outcomes = own(
      'model_outcomes_total',
      () =>
        new Counter({
          name: 'model_outcomes_total',
          help: 'Ground-truth outcomes received, by result: joined, duplicate, late (expired), unknown (no such prediction) or invalid.',
          labelNames: [...V, 'result'],
          registers,
        }),
    );
    this.labelDelay = own(
      'model_label_delay_seconds',
      () =>
        new Histogram({
          name: 'model_label_delay_seconds',
          help: 'Time from a prediction to its joined outcome.',
          labelNames: [...V],
          buckets: [...(buckets.delay ?? DELAY_BUCKETS)],
          registers,
        }),
    );
    // All quality gauges come from one pass over the outcome window; a scrape reads every gauge in
    // one synchronous sweep, so the pass runs once per scrape whichever gauge is read first.
    let fresh = false;
    const qualityOnce = (): void => {
      if (fresh) return;
      fresh = true;
      queueMicrotask(() => {
        fresh = false;
      });
      hooks.quality(self);
    };
    const quality = (
      name: string,
      help: string,
      extra: string[] = [],
      aggregator: 'average' | 'sum' = 'average',
    ): Gauge<string> =>
      own(
        name,
        () =>
          new Gauge({
            name,
            help: `${help} Over the outcome window, computed at scrape time.`,
            labelNames: [...V, ...extra],
            registers,
            // Cluster mode: ratios and errors are averaged over workers (unweighted), counts summed.
            aggregator,
            collect: qualityOnce,
          }),
      );
    this.accuracy = quality(
      'model_accuracy_ratio',
      'Share of joined classification outcomes predicted right.',
    );
    this.precision = quality(
      'model_precision_ratio',
      'Precision per class (average="none"), of the positive class (average="binary") or macro-averaged (average="macro", class="").',
      ['class', 'average'],
    );
    this.recall = quality('model_recall_ratio', 'Recall, with the labels of model_precision_ratio.', [
      'class',
      'average',
    ]);
    this.f1 = quality('model_f1_ratio', 'F1 score, with the labels of model_precision_ratio.', [
      'class',
      'average',
    ]);
    this.rocAuc = quality(
      'model_roc_auc_ratio',
      'ROC AUC of binary scores, from bucketed scores (ties within a bucket count one half).',
    );
    this.mae = quality('model_mean_absolute_error', 'Mean absolute error of joined regression outcomes.');
    this.mse = quality('model_mean_squared_error', 'Mean squared error of joined regression outcomes.');
    this.joinRatio = quality(
      'model_outcome_join_ratio',
      'Joined outcomes over predictions tracked for outcomes.',
    );
    this.samples = quality('model_outcome_samples', 'Joined outcomes behind the quality gauges.', [], 'sum');
    this.storeEntries = own(
      'model_outcome_store_entries',
      () =>
        new Gauge({
          name: 'model_outcome_store_entries',
          help: 'Predictions held in the outcome store (bounded by maxEntries).',
          registers,
          collect() {
            this.set(hooks.storeEntries());
          },
        }),
    );
    this.storeEvictions = own(
      'model_outcome_store_evictions_total',
      () =>
        new Counter({
          name: 'model_outcome_store_evictions_total',
          help: 'Predictions dropped from the outcome store before their TTL because it was full.',
          registers,
        }),
    );
  }

  /** Removes every metric of this monitor from the registry. */
  close(): void {
    for (const name of this.names) this.registry.removeSingleMetric(name);
  }
}
