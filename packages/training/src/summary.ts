import type { ModelRef } from '@threadline/core';
import { type EpochDurations, round, roundDurations } from './durations.js';
import { knownGitSha } from './environment.js';
import type { RunLifecycle } from './lifecycle.js';
import type { MetricStore } from './metric-store.js';
import type { IndexTracker } from './order.js';
import type { RunParams } from './params.js';
import type { DurationSummary, RunSummary } from './types.js';

/** Everything the summary is made of, as the run holds it. */
export interface SummaryParts {
  readonly runId: string;
  readonly experiment: string;
  readonly life: RunLifecycle;
  readonly params: RunParams;
  readonly model: ModelRef | undefined;
  readonly stepMetrics: MetricStore;
  readonly epochMetrics: MetricStore;
  readonly stepIndex: IndexTracker;
  readonly epochIndex: IndexTracker;
  readonly stepCount: number;
  readonly epochCount: number;
  readonly epochDurations: EpochDurations;
  readonly dataLoad: ReadonlyMap<string, DurationSummary>;
}

/**
 * The run summary (the JSON of `summaryPath`). `epochs.count` counts every epoch recorded, as
 * `training_epochs_total` and the end line do; the duration aggregates cover the `timed` ones
 * (an epoch logged without `beginEpoch`, `epoch()` or `durationMs` has no duration).
 */
export function summarize(p: SummaryParts): RunSummary {
  const dataLoad: Record<string, DurationSummary> = {};
  for (const [k, v] of p.dataLoad) dataLoad[k] = roundDurations(v);
  const timed = roundDurations(p.epochDurations.all);
  return {
    run_id: p.runId,
    experiment: p.experiment,
    status: p.life.status,
    started_at: p.life.startedWall.toISOString(),
    ended_at: p.life.endedWall ? p.life.endedWall.toISOString() : null,
    duration_ms: p.life.durationMs === null ? null : round(p.life.durationMs),
    params: { ...p.params.values },
    dataset_version: p.params.datasetVersion,
    tags: { ...p.params.tags },
    model: p.model ? { name: p.model.name, version: p.model.version } : null,
    metrics: { step: p.stepMetrics.snapshot(), epoch: p.epochMetrics.snapshot() },
    epochs: {
      ...timed,
      count: p.epochCount,
      timed: timed.count,
      last_epoch: p.epochIndex.highest,
      out_of_order: p.epochIndex.outOfOrder,
      duplicates: p.epochIndex.duplicates,
      durations_ms: p.epochDurations.latest(),
    },
    data_load: dataLoad,
    steps: {
      count: p.stepCount,
      last_step: p.stepIndex.highest,
      out_of_order: p.stepIndex.outOfOrder,
      duplicates: p.stepIndex.duplicates,
    },
    non_finite_values: p.stepMetrics.nonFiniteValues + p.epochMetrics.nonFiniteValues,
    error: p.life.error,
    signal: p.life.signal,
    environment: {
      node_version: process.version,
      platform: process.platform,
      arch: process.arch,
      pid: process.pid,
      git_sha: knownGitSha(),
    },
  };
}
