import { codes, type ModelRef } from '@threadline/core';

/**
 * The model package's codes, by their names in this package; the codes themselves live in core's
 * registry (`codes`), where every package's are kept.
 */
export const modelCodes = {
  UNKNOWN_MODEL: codes.MODEL_UNKNOWN,
  TIMEOUT: codes.MODEL_TIMEOUT,
  NON_FINITE_OUTPUT: codes.MODEL_NON_FINITE_OUTPUT,
  OUTCOME_REJECTED: codes.MODEL_OUTCOME_REJECTED,
  SHADOW_FAILED: codes.MODEL_SHADOW_FAILED,
  CANARY_NO_ID: codes.MODEL_CANARY_NO_ID,
  BATCH_UNTRACKED: codes.MODEL_BATCH_UNTRACKED,
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
