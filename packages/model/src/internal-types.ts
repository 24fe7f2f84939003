import type { CounterSeries, HistogramSeries, LineBudget, LogLevel, LogSink } from '@threadline/core';
import type { ModelMetrics, VersionLabels } from './metrics.js';
import type { OutcomeStore } from './outcomes.js';
import type { DeclaredModel } from './types.js';
import type { QualitySpec } from './window.js';

/** The hot-path series of one declared model, resolved once at declaration. */
export interface VersionCell {
  readonly model: DeclaredModel;
  readonly labels: VersionLabels;
  /** `model_inference_duration_seconds` series, one per phase, resolved once at declaration. */
  readonly phases: {
    readonly preprocess: HistogramSeries;
    readonly predict: HistogramSeries;
    readonly postprocess: HistogramSeries;
  };
  /** Per-version series of the hot-path histograms, resolved once at declaration. */
  readonly batchSize: HistogramSeries;
  readonly inputSize: HistogramSeries;
  readonly outputScore: HistogramSeries;
  readonly outputValue: HistogramSeries;
  /** `model_predictions_total` of this version. */
  readonly predictions: CounterSeries;
  /** `model_output_class_total` series by class (declared classes and `__other__`). */
  readonly classes: Map<string, CounterSeries>;
  spec: QualitySpec | undefined;
}

/** What the predictor, canary and shadow code needs from the monitor. */
export interface MonitorCore {
  readonly metrics: ModelMetrics;
  readonly logger: LogSink | undefined;
  readonly store: OutcomeStore;
  readonly inferenceLogSampleRate: number;
  /** The cell of a declared model; throws ThreadlineConfigError for an undeclared one (setup only). */
  cell(model: DeclaredModel, component: string): VersionCell;
  /** Writes a warning line within the budget of its kind, counting the lines it had to skip. */
  warn(kind: string, fields: Record<string, unknown>, message: string, level?: LogLevel): void;
  readonly budgets: Map<string, LineBudget>;
}
