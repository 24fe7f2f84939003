import { codes } from '@threadline/core';

/**
 * The training package's codes under their short names. Each is defined once, in core's `codes`
 * registry (`TRAINING_*`, `PIPELINE_SCHEMA_ERRORS`); this is a view of those entries.
 */
export const trainingCodes = {
  PARAM_CONFLICT: codes.TRAINING_PARAM_CONFLICT,
  PARAM_INVALID: codes.TRAINING_PARAM_INVALID,
  NON_FINITE_METRIC: codes.TRAINING_NON_FINITE_METRIC,
  PUSH_FAILED: codes.TRAINING_PUSH_FAILED,
  SUMMARY_FAILED: codes.TRAINING_SUMMARY_FAILED,
  LATE_EVENT: codes.TRAINING_LATE_EVENT,
  BAD_INDEX: codes.TRAINING_BAD_INDEX,
  NO_RUN: codes.TRAINING_NO_RUN,
  SCHEMA_ERRORS: codes.PIPELINE_SCHEMA_ERRORS,
} as const;

/** Thrown when a run's parameter is set again with a different value, or cannot be stored. */
export class TrainingParamError extends Error {
  readonly code: (typeof codes)['TRAINING_PARAM_CONFLICT' | 'TRAINING_PARAM_INVALID'];
  constructor(code: (typeof codes)['TRAINING_PARAM_CONFLICT' | 'TRAINING_PARAM_INVALID'], message: string) {
    super(`[training] ${message}`);
    this.name = 'TrainingParamError';
    this.code = code;
  }
}

/** Thrown by a pipeline step with `onInvalid: 'throw'` when its validate hook reports issues. */
export class BatchSchemaError extends Error {
  readonly code = codes.PIPELINE_SCHEMA_ERRORS;
  constructor(
    readonly step: string,
    readonly issues: readonly { path?: string; message: string; code?: string }[],
  ) {
    super(`[pipeline] step ${step}: batch has ${issues.length} schema issue(s): ${issues[0]?.message ?? ''}`);
    this.name = 'BatchSchemaError';
  }
}
