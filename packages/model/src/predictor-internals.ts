import type { VersionCell } from './internal-types.js';
import { extract, type PredictionRecorder } from './prediction-recorder.js';
import type { ModelTask } from './types.js';

/** What the shadow comparison needs to read a predictor's outputs. */
export interface PredictorInternals {
  readonly cell: VersionCell;
  readonly batch: boolean;
  readonly task: ModelTask | undefined;
  /** The class or value of one output item (undefined when it has none). */
  read(item: unknown): string | number | undefined;
}

// Keyed by the predictor function itself, so a function made elsewhere has no entry and a
// dropped predictor takes its entry with it.
const internals = new WeakMap<object, PredictorInternals>();

/** The internals of a predictor made by this package, or undefined for any other function. */
export function predictorInternals(predictor: unknown): PredictorInternals | undefined {
  return typeof predictor === 'function' ? internals.get(predictor) : undefined;
}

/** Records what canary and shadow need to know of a new predictor; returns the predictor. */
export function remember<T, P extends object>(
  predictor: P,
  x: PredictionRecorder<never, never, never, never, T>,
): P {
  const s = x.s;
  internals.set(predictor, {
    cell: x.cell,
    batch: s.batch,
    task: s.task,
    read(item: unknown): string | number | undefined {
      if (s.task === 'classification') {
        const v = s.label ? extract(s.label, item as T) : item;
        return typeof v === 'string' ? v : undefined;
      }
      const v = s.value ? extract(s.value, item as T) : item;
      return typeof v === 'number' ? v : undefined;
    },
  });
  return predictor;
}
