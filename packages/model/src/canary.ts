import { check, ThreadlineConfigError, warnOnce } from '@threadline/core';
import { modelCodes } from './codes.js';
import { stableUnit } from './hash.js';
import { predictorInternals } from './predictor-internals.js';
import type { CanaryOptions, DeclaredModel, Prediction, Predictor } from './types.js';

const COMPONENT = 'model.canary';

/** A deterministic split of traffic between a primary and a candidate version. */
export interface Canary<I, O> {
  /** Predicts with the version `id` is routed to. */
  (id: string, input: I): Promise<Prediction<O>>;
  /** The predictor `id` is routed to: the same for the same ID, every time, in every process. */
  choose(id: string): Predictor<I, O>;
  /** The model `id` is routed to (to bind to a request before predicting). */
  pick(id: string): DeclaredModel;
  readonly share: number;
}

/**
 * Builds a canary split. An ID's point in [0, 1) comes from a stable hash of the ID (and salt);
 * points below `share` go to the candidate. An ID that is not a non-empty string goes to the
 * primary, since it cannot be routed stably.
 */
export function createCanary<I, O>(options: CanaryOptions<I, O>): Canary<I, O> {
  check.keys(COMPONENT, options, ['primary', 'candidate', 'share', 'salt']);
  const { primary, candidate } = options;
  if (!predictorInternals(primary) || !predictorInternals(candidate)) {
    throw new ThreadlineConfigError(
      COMPONENT,
      'primary and candidate must be predictors made by monitor.instrument()',
    );
  }
  if (primary.model === candidate.model) {
    throw new ThreadlineConfigError(COMPONENT, 'primary and candidate must be different model versions');
  }
  const share = check.number(COMPONENT, 'share', options.share, Number.NaN, { min: 0, max: 1 });
  if (Number.isNaN(share)) throw new ThreadlineConfigError(COMPONENT, 'option share is required');
  const salt = options.salt === undefined ? '' : check.string(COMPONENT, 'salt', options.salt, '');

  const choose = (id: string): Predictor<I, O> => {
    if (typeof id !== 'string' || id === '') {
      warnOnce('model.canary:no-id', {
        code: modelCodes.CANARY_NO_ID,
        component: COMPONENT,
        message: 'canary called without a routing ID; such calls go to the primary',
      });
      return primary;
    }
    return stableUnit(id, salt) < share ? candidate : primary;
  };
  const canary = ((id: string, input: I) => choose(id)(input)) as Canary<I, O>;
  Object.defineProperties(canary, {
    choose: { value: choose },
    pick: { value: (id: string) => choose(id).model },
    share: { value: share, enumerable: true },
  });
  return canary;
}
