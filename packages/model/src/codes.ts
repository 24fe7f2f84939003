import type { ModelRef } from '@threadline/core';

/**
 * Stable codes of the model package's diagnostics and errors. A code keeps its meaning forever;
 * a new meaning gets a new code.
 */
export const modelCodes = {
  /** A model name or version was used that was never declared. */
  UNKNOWN_MODEL: 'TL_MODEL_UNKNOWN',
  /** A predict function did not settle within `timeoutMs`. */
  TIMEOUT: 'TL_MODEL_TIMEOUT',
  /** A predict function returned NaN or an infinite value. */
  NON_FINITE_OUTPUT: 'TL_MODEL_NON_FINITE_OUTPUT',
  /** An outcome could not be joined (late, duplicate, unknown ID, invalid value). */
  OUTCOME_REJECTED: 'TL_MODEL_OUTCOME_REJECTED',
  /** A shadow model failed or ran past its budget; the primary answer was unaffected. */
  SHADOW_FAILED: 'TL_MODEL_SHADOW_FAILED',
  /** A canary was called without a routing ID; the call went to the primary. */
  CANARY_NO_ID: 'TL_MODEL_CANARY_NO_ID',
  /** A batch had more items than are tracked one by one; the rest were only counted. */
  BATCH_UNTRACKED: 'TL_MODEL_BATCH_UNTRACKED',
} as const;

/** Thrown to the caller of an instrumented predict function that did not settle in time. */
export class ModelTimeoutError extends Error {
  readonly code = modelCodes.TIMEOUT;
  readonly model: ModelRef;
  readonly timeoutMs: number;
  constructor(model: ModelRef, timeoutMs: number) {
    super(`model ${model.name}@${model.version} did not answer within ${timeoutMs} ms`);
    this.name = 'ModelTimeoutError';
    this.model = model;
    this.timeoutMs = timeoutMs;
  }
}
