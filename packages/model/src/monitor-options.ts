import {
  type AnyRegistry,
  check,
  DEFAULT_LINES_PER_MINUTE,
  type LogSink,
  resolveEventSink,
  ThreadlineConfigError,
} from '@threadline/core';
import type { ModelBuckets } from './metrics.js';
import { OutcomeStore } from './outcomes.js';
import type { ModelMonitorOptions } from './types.js';

const COMPONENT = 'model.monitor';

/** A monitor's options, checked once at setup. */
export interface ResolvedMonitorOptions {
  readonly registry: AnyRegistry | undefined;
  readonly logger: LogSink | undefined;
  readonly maxModels: number;
  readonly warnPerMinute: number;
  readonly inferenceLogSampleRate: number;
  readonly buckets: ModelBuckets;
  readonly store: OutcomeStore;
}

/** Checks a monitor's options and builds its outcome store. Throws `ThreadlineConfigError`. */
export function resolveMonitorOptions(options: ModelMonitorOptions): ResolvedMonitorOptions {
  check.keys(COMPONENT, options, [
    'registry',
    'logger',
    'maxModels',
    'inferenceLogSampleRate',
    'warnLogsPerMinute',
    'scoreBuckets',
    'valueBuckets',
    'outcomes',
  ]);
  const logger = resolveEventSink(COMPONENT, options.logger);
  const o = options.outcomes ?? {};
  check.keys(`${COMPONENT}.outcomes`, o, [
    'maxEntries',
    'ttlMs',
    'windowMs',
    'windowSlices',
    'aucBuckets',
    'delayBuckets',
  ]);
  const int = { integer: true } as const;
  const store = new OutcomeStore(
    check.number(COMPONENT, 'outcomes.maxEntries', o.maxEntries, 100_000, {
      min: 1,
      max: 10_000_000,
      ...int,
    }),
    check.number(COMPONENT, 'outcomes.ttlMs', o.ttlMs, 86_400_000, { min: 1 }),
    check.number(COMPONENT, 'outcomes.windowMs', o.windowMs, 3_600_000, { min: 1 }),
    check.number(COMPONENT, 'outcomes.windowSlices', o.windowSlices, 12, { min: 1, max: 1000, ...int }),
    check.number(COMPONENT, 'outcomes.aucBuckets', o.aucBuckets, 100, { min: 2, max: 10_000, ...int }),
  );
  return {
    registry: options.registry,
    logger,
    maxModels: check.number(COMPONENT, 'maxModels', options.maxModels, 50, { min: 1, max: 1000, ...int }),
    warnPerMinute: check.number(
      COMPONENT,
      'warnLogsPerMinute',
      options.warnLogsPerMinute,
      DEFAULT_LINES_PER_MINUTE,
      {
        min: 0,
        ...int,
      },
    ),
    inferenceLogSampleRate: check.number(
      COMPONENT,
      'inferenceLogSampleRate',
      options.inferenceLogSampleRate,
      1,
      {
        min: 0,
        max: 1,
      },
    ),
    buckets: {
      ...(options.scoreBuckets ? { score: checkBuckets('scoreBuckets', options.scoreBuckets) } : {}),
      ...(options.valueBuckets ? { value: checkBuckets('valueBuckets', options.valueBuckets) } : {}),
      ...(o.delayBuckets ? { delay: checkBuckets('outcomes.delayBuckets', o.delayBuckets) } : {}),
    },
    store,
  };
}

function checkBuckets(name: string, buckets: unknown): number[] {
  const ok =
    Array.isArray(buckets) &&
    buckets.length > 0 &&
    buckets.every(
      (b, i) => typeof b === 'number' && Number.isFinite(b) && (i === 0 || b > (buckets[i - 1] as number)),
    );
  if (!ok)
    throw new ThreadlineConfigError(COMPONENT, `option ${name} must be finite, strictly ascending numbers`);
  return [...(buckets as number[])];
}
