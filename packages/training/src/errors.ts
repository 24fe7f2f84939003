/**
 * Stable codes for the training package's errors and diagnostics. A code keeps its meaning forever;
 * new meanings get new codes.
 */
export const trainingCodes = {
  /** A parameter was logged twice with different values (thrown by `logParams`). */
  PARAM_CONFLICT: 'TL_TRAINING_PARAM_CONFLICT',
  /** A parameter value cannot be stored as JSON (function, symbol, bigint, undefined). */
  PARAM_INVALID: 'TL_TRAINING_PARAM_INVALID',
  /** A metric value was NaN or infinite; it is logged as null and flagged. */
  NON_FINITE_METRIC: 'TL_TRAINING_NON_FINITE_METRIC',
  /** A push to the Pushgateway failed; the run went on. */
  PUSH_FAILED: 'TL_TRAINING_PUSH_FAILED',
  /** The run summary could not be written at the end of a run. */
  SUMMARY_FAILED: 'TL_TRAINING_SUMMARY_FAILED',
  /** An event arrived after the run ended; it was not recorded. */
  LATE_EVENT: 'TL_TRAINING_LATE_EVENT',
  /** A step or epoch index was not a non-negative integer; the next index was used instead. */
  BAD_INDEX: 'TL_TRAINING_BAD_INDEX',
  /** `tfjsCallback()` was used outside any run; nothing was recorded. */
  NO_RUN: 'TL_TRAINING_NO_RUN',
  /** A pipeline batch had schema issues (logged and counted; thrown when `onInvalid: 'throw'`). */
  SCHEMA_ERRORS: 'TL_PIPELINE_SCHEMA_ERRORS',
} as const;

/** Thrown when a run's parameter is set again with a different value, or cannot be stored. */
export class TrainingParamError extends Error {
  readonly code: (typeof trainingCodes)['PARAM_CONFLICT' | 'PARAM_INVALID'];
  constructor(code: (typeof trainingCodes)['PARAM_CONFLICT' | 'PARAM_INVALID'], message: string) {
    super(`[training] ${message}`);
    this.name = 'TrainingParamError';
    this.code = code;
  }
}

/** Thrown by a pipeline step with `onInvalid: 'throw'` when its validate hook reports issues. */
export class BatchSchemaError extends Error {
  readonly code = trainingCodes.SCHEMA_ERRORS;
  constructor(
    readonly step: string,
    readonly issues: readonly { path?: string; message: string; code?: string }[],
  ) {
    super(`[pipeline] step ${step}: batch has ${issues.length} schema issue(s): ${issues[0]?.message ?? ''}`);
    this.name = 'BatchSchemaError';
  }
}
