// Drift monitoring of the request features against the training reference.
import type { LogSink, ModelRef } from '@threadline/core';
import type { Registry } from 'prom-client';
import type { UserFeatures } from './features.js';

/** Watches live features against the reference. */
export interface DriftWatch {
  observe(features: UserFeatures): void;
  close(): void;
}

/** Options of `watchDrift`. */
export interface DriftWatchOptions {
  readonly registry: Registry;
  readonly logger: LogSink;
  readonly models: readonly ModelRef[];
}

/** Starts watching; the reference is the features of the users the models were trained on. */
export function watchDrift(_reference: readonly UserFeatures[], _options: DriftWatchOptions): DriftWatch {
  return { observe: () => {}, close: () => {} };
}
