// Drift monitoring of the request features against the training reference: one monitor per model
// version, so the drift panels and alerts can tell the versions apart.
import type { LogSink, ModelRef } from '@threadline/core';
import { buildProfile, createDriftMonitor, type DriftMonitor } from '@threadline/drift';
import type { Registry } from 'prom-client';
import type { UserFeatures } from './features.js';

/** Watches live features against the reference. */
export interface DriftWatch {
  /** Adds the features of one request to the window of the version serving it. */
  observe(model: ModelRef, features: UserFeatures): void;
  close(): void;
}

/** Options of `watchDrift`. */
export interface DriftWatchOptions {
  readonly registry: Registry;
  readonly logger: LogSink;
  readonly models: readonly ModelRef[];
  /** Requests per evaluated window (default 100). */
  readonly windowRows?: number;
}

/**
 * Starts watching. The reference is the features of the users the models were trained on; the
 * window is count-based, so a quiet service is not judged on a handful of requests.
 */
export function watchDrift(reference: readonly UserFeatures[], options: DriftWatchOptions): DriftWatch {
  const profile = buildProfile(
    reference.map((f) => ({ ...f })),
    { columns: ['history_length', 'mean_rating', 'top_genre'], categorical: ['top_genre'] },
  );
  const monitors = new Map<ModelRef, DriftMonitor>();
  for (const model of options.models) {
    monitors.set(
      model,
      createDriftMonitor({
        reference: profile,
        model,
        registry: options.registry,
        logger: options.logger,
        window: { type: 'tumbling', rows: options.windowRows ?? 100 },
      }),
    );
  }
  return {
    observe: (model, features) =>
      monitors.get(model)?.observe(features as unknown as Record<string, unknown>),
    close: () => {
      for (const m of monitors.values()) m.close();
    },
  };
}
