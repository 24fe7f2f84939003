import { type AnyRegistry, type ContextGauge, createGauge, type ModelRef } from '@threadline/core';
import { modelMetricOptions } from './metrics.js';
import type { OutcomeStore } from './outcomes.js';
import { figures, type VersionStats } from './window.js';

type QualityLabel = 'model_name' | 'model_version' | 'class' | 'average';

/** The quality gauges, read from the outcome store's window at scrape time. */
interface Gauges {
  readonly accuracy: ContextGauge<QualityLabel>;
  readonly precision: ContextGauge<QualityLabel>;
  readonly recall: ContextGauge<QualityLabel>;
  readonly f1: ContextGauge<QualityLabel>;
  readonly rocAuc: ContextGauge<QualityLabel>;
  readonly mae: ContextGauge<QualityLabel>;
  readonly mse: ContextGauge<QualityLabel>;
  readonly joinRatio: ContextGauge<QualityLabel>;
  readonly samples: ContextGauge<QualityLabel>;
}

/**
 * Creates the online quality gauges (accuracy, precision, recall, F1, ROC AUC, MAE, MSE, join
 * ratio, samples) of a monitor. All come from one pass over the outcome window; a scrape reads every
 * gauge in one synchronous sweep, so the pass runs once per scrape whichever gauge is read first.
 */
export function createQualityGauges(registry: AnyRegistry, store: OutcomeStore): void {
  let fresh = false;
  const refresh = (): void => {
    if (fresh) return;
    fresh = true;
    queueMicrotask(() => {
      fresh = false;
    });
    setQuality(gauges, store.window.totals());
  };
  const common = modelMetricOptions(registry);
  const gauge = (
    name: string,
    help: string,
    extra: QualityLabel[] = [],
    aggregator: 'average' | 'sum' = 'average',
  ): ContextGauge<QualityLabel> =>
    createGauge<QualityLabel>({
      name,
      help: `${help} Over the outcome window, computed at scrape time.`,
      labelNames: ['model_name', 'model_version', ...extra],
      // Cluster mode: ratios and errors are averaged over workers (unweighted), counts summed.
      aggregator,
      collect: refresh,
      ...common,
    });
  const perClass: QualityLabel[] = ['class', 'average'];
  const gauges: Gauges = {
    accuracy: gauge('model_accuracy_ratio', 'Share of joined classification outcomes predicted right.'),
    precision: gauge(
      'model_precision_ratio',
      'Precision per class (average="none"), of the positive class (average="binary") or macro-averaged (average="macro", class="").',
      perClass,
    ),
    recall: gauge('model_recall_ratio', 'Recall, with the labels of model_precision_ratio.', perClass),
    f1: gauge('model_f1_ratio', 'F1 score, with the labels of model_precision_ratio.', perClass),
    rocAuc: gauge(
      'model_roc_auc_ratio',
      'ROC AUC of binary scores, from bucketed scores (ties within a bucket count one half).',
    ),
    mae: gauge('model_mean_absolute_error', 'Mean absolute error of joined regression outcomes.'),
    mse: gauge('model_mean_squared_error', 'Mean squared error of joined regression outcomes.'),
    joinRatio: gauge('model_outcome_join_ratio', 'Joined outcomes over predictions tracked for outcomes.'),
    samples: gauge('model_outcome_samples', 'Joined outcomes behind the quality gauges.', [], 'sum'),
  };
}

function setQuality(g: Gauges, totals: Map<object, VersionStats>): void {
  for (const gauge of Object.values(g)) gauge.metric.reset();
  for (const [key, stats] of totals) {
    const model = key as ModelRef;
    const labels = { model_name: model.name, model_version: model.version };
    const f = figures(stats);
    g.samples.set(labels, f.samples);
    if (f.joinRatio !== undefined) g.joinRatio.set(labels, f.joinRatio);
    if (f.accuracy !== undefined) g.accuracy.set(labels, f.accuracy);
    if (f.rocAuc !== undefined) g.rocAuc.set(labels, f.rocAuc);
    if (f.mae !== undefined) g.mae.set(labels, f.mae);
    if (f.mse !== undefined) g.mse.set(labels, f.mse);
    const spec = stats.spec;
    const binary = spec.positive >= 0 && spec.classes.length === 2;
    const perClass = (gauge: ContextGauge<QualityLabel>, values: Map<string, number>): void => {
      for (const [cls, v] of values) {
        if (binary && cls !== spec.classes[spec.positive]) continue;
        gauge.set({ ...labels, class: cls, average: binary ? 'binary' : 'none' }, v);
      }
    };
    perClass(g.precision, f.precision);
    perClass(g.recall, f.recall);
    perClass(g.f1, f.f1);
    if (f.macro) {
      const macro = { ...labels, class: '', average: 'macro' };
      g.precision.set(macro, f.macro.precision);
      g.recall.set(macro, f.macro.recall);
      g.f1.set(macro, f.macro.f1);
    }
  }
}
