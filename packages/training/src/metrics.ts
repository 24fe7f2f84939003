import {
  type ContextCounter,
  type ContextGauge,
  type ContextHistogram,
  createCounter,
  createGauge,
  createHistogram,
} from '@threadline/core';
import type { Registry } from 'prom-client';

type AnyRegistry = Parameters<typeof createGauge>[0]['registry'];

/** Seconds, from a quick epoch to an hour-long one. */
const EPOCH_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];

/** The Prometheus metrics of training runs in one registry (shared by every run using it). */
export interface TrainingMetrics {
  readonly status: ContextGauge<'experiment' | 'status'>;
  readonly failed: ContextGauge<'experiment'>;
  readonly lastSuccess: ContextGauge<'experiment'>;
  readonly startTime: ContextGauge<'experiment'>;
  readonly runDuration: ContextGauge<'experiment'>;
  readonly epochDuration: ContextHistogram<'experiment'>;
  readonly dataLoadDuration: ContextHistogram<'experiment' | 'phase'>;
  readonly epochs: ContextCounter<'experiment'>;
  readonly steps: ContextCounter<'experiment'>;
  readonly metric: ContextGauge<'experiment' | 'name' | 'scope'>;
  readonly outOfOrder: ContextCounter<'experiment' | 'kind'>;
  readonly nonFinite: ContextCounter<'experiment' | 'name'>;
  readonly pushFailures: ContextCounter<'experiment'>;
}

/** The metrics of a run's state: status, failure flag, times. */
function runStateMetrics(r: AnyRegistry) {
  return {
    status: createGauge({
      name: 'training_run_status',
      help: 'Status of the latest run of the experiment: 1 for its current status, 0 for the others.',
      labelNames: ['experiment', 'status'],
      registry: r,
    }),
    failed: createGauge({
      name: 'training_run_failed',
      help: '1 when the latest run of the experiment failed or was killed, else 0.',
      labelNames: ['experiment'],
      registry: r,
    }),
    lastSuccess: createGauge({
      name: 'training_last_success_timestamp_seconds',
      help: 'Unix time the experiment last finished a run successfully.',
      labelNames: ['experiment'],
      registry: r,
    }),
    startTime: createGauge({
      name: 'training_run_start_timestamp_seconds',
      help: 'Unix time the latest run of the experiment started.',
      labelNames: ['experiment'],
      registry: r,
    }),
    runDuration: createGauge({
      name: 'training_run_duration_seconds',
      help: 'Duration of the latest ended run of the experiment.',
      labelNames: ['experiment'],
      registry: r,
    }),
  };
}

/** The metrics of a run's progress: epochs, steps, metric values, flagged records, pushes. */
function progressMetrics(r: AnyRegistry) {
  return {
    epochDuration: createHistogram({
      name: 'training_epoch_duration_seconds',
      help: 'Duration of training epochs.',
      labelNames: ['experiment'],
      buckets: EPOCH_BUCKETS,
      registry: r,
    }),
    dataLoadDuration: createHistogram({
      name: 'training_data_load_duration_seconds',
      help: 'Duration of data-load phases of training runs.',
      labelNames: ['experiment', 'phase'],
      buckets: EPOCH_BUCKETS,
      registry: r,
    }),
    epochs: createCounter({
      name: 'training_epochs_total',
      help: 'Training epochs completed.',
      labelNames: ['experiment'],
      registry: r,
    }),
    steps: createCounter({
      name: 'training_steps_total',
      help: 'Training steps recorded.',
      labelNames: ['experiment'],
      registry: r,
    }),
    metric: createGauge({
      name: 'training_metric',
      help: 'Latest value of a training metric (loss, accuracy, ...) per scope (step or epoch).',
      labelNames: ['experiment', 'name', 'scope'],
      registry: r,
    }),
    outOfOrder: createCounter({
      name: 'training_out_of_order_steps_total',
      help: 'Steps or epochs recorded with an index at or below the highest seen (kept and flagged).',
      labelNames: ['experiment', 'kind'],
      registry: r,
    }),
    nonFinite: createCounter({
      name: 'training_non_finite_metrics_total',
      help: 'Metric values that were NaN or infinite (logged as null and flagged).',
      labelNames: ['experiment', 'name'],
      registry: r,
    }),
    pushFailures: createCounter({
      name: 'training_pushgateway_push_failures_total',
      help: 'Pushes to the Pushgateway that failed; the run went on.',
      labelNames: ['experiment'],
      registry: r,
    }),
  };
}

/** Creates (or returns the shared) training metrics of a registry. */
export function trainingMetrics(registry: Registry): TrainingMetrics {
  const r = registry as unknown as AnyRegistry;
  return { ...runStateMetrics(r), ...progressMetrics(r) };
}

/** The metrics of pipeline steps in one registry. */
export interface PipelineMetrics {
  readonly batchRecords: ContextGauge<'step' | 'source'>;
  readonly batches: ContextCounter<'step' | 'source'>;
  readonly records: ContextCounter<'step' | 'source'>;
  readonly batchBytes: ContextHistogram<'step' | 'source'>;
  readonly duration: ContextHistogram<'step'>;
  readonly latency: ContextHistogram<'step'>;
  readonly schemaErrors: ContextCounter<'step'>;
  readonly failures: ContextCounter<'step'>;
}

/** Creates (or returns the shared) pipeline metrics of a registry (the global one by default). */
export function pipelineMetrics(registry?: Registry): PipelineMetrics {
  const r = registry as unknown as AnyRegistry;
  const reg = r ? { registry: r } : {};
  return {
    batchRecords: createGauge({
      name: 'batch_records_count',
      help: 'Records in the latest batch a pipeline step received.',
      labelNames: ['step', 'source'],
      ...reg,
    }),
    batches: createCounter({
      name: 'pipeline_batches_total',
      help: 'Batches received by pipeline steps.',
      labelNames: ['step', 'source'],
      ...reg,
    }),
    records: createCounter({
      name: 'pipeline_records_total',
      help: 'Records received by pipeline steps.',
      labelNames: ['step', 'source'],
      ...reg,
    }),
    batchBytes: createHistogram({
      name: 'pipeline_batch_size_bytes',
      help: 'Size of batches received by pipeline steps.',
      labelNames: ['step', 'source'],
      buckets: [1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9],
      ...reg,
    }),
    duration: createHistogram({
      name: 'pipeline_step_duration_seconds',
      help: 'Time a pipeline step took to process a batch.',
      labelNames: ['step'],
      buckets: EPOCH_BUCKETS,
      ...reg,
    }),
    latency: createHistogram({
      name: 'pipeline_latency_seconds',
      help: 'Time from when a batch was produced to when a pipeline step finished it.',
      labelNames: ['step'],
      buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 21600, 86400],
      ...reg,
    }),
    schemaErrors: createCounter({
      name: 'pipeline_schema_errors_total',
      help: 'Schema issues the validate hook found in batches.',
      labelNames: ['step'],
      ...reg,
    }),
    failures: createCounter({
      name: 'pipeline_step_failures_total',
      help: 'Batches a pipeline step failed on (the error was rethrown).',
      labelNames: ['step'],
      ...reg,
    }),
  };
}
