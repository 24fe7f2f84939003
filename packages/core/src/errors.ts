/**
 * Stable codes for the errors and warnings of every Threadline package, in one registry so no code
 * is given two meanings. A code keeps its meaning forever, so users can
 * search logs and docs for it; new meanings get new codes.
 */
export const codes = {
  /** An option given at setup is invalid. Thrown, never at request time. */
  CONFIG: 'TL_CONFIG',
  /** A user callback (hook, formatter, extractor) threw; the error was reported and swallowed. */
  CALLBACK_FAILED: 'TL_CALLBACK_FAILED',
  /** A metric label received more distinct values than its limit; the rest fold into one value. */
  LABEL_OVERFLOW: 'TL_LABEL_OVERFLOW',
  /** A metric update was rejected (NaN, wrong type, prom-client error); nothing was recorded. */
  METRIC_REJECTED: 'TL_METRIC_REJECTED',
  /** An incoming header (traceparent, tracestate, request ID) was invalid and was replaced. */
  BAD_HEADER: 'TL_BAD_HEADER',
  /** Internal failure in Threadline's own code, caught before it reached the application. */
  INTERNAL: 'TL_INTERNAL',

  // @threadline/model
  /** A model name or version was used that was never declared. */
  MODEL_UNKNOWN: 'TL_MODEL_UNKNOWN',
  /** A predict function did not settle within `timeoutMs`. */
  MODEL_TIMEOUT: 'TL_MODEL_TIMEOUT',
  /** A predict function returned NaN or an infinite value. */
  MODEL_NON_FINITE_OUTPUT: 'TL_MODEL_NON_FINITE_OUTPUT',
  /** An outcome could not be joined (late, duplicate, unknown ID, invalid value). */
  MODEL_OUTCOME_REJECTED: 'TL_MODEL_OUTCOME_REJECTED',
  /** A shadow model failed or ran past its budget; the primary answer was unaffected. */
  MODEL_SHADOW_FAILED: 'TL_MODEL_SHADOW_FAILED',
  /** A canary was called without a routing ID; the call went to the primary. */
  MODEL_CANARY_NO_ID: 'TL_MODEL_CANARY_NO_ID',
  /** A batch had more items than are tracked one by one; the rest were only counted. */
  MODEL_BATCH_UNTRACKED: 'TL_MODEL_BATCH_UNTRACKED',

  // @threadline/training
  /** A parameter was logged twice with different values (thrown by `logParams`). */
  TRAINING_PARAM_CONFLICT: 'TL_TRAINING_PARAM_CONFLICT',
  /** A parameter value cannot be stored as JSON (function, symbol, bigint, undefined). */
  TRAINING_PARAM_INVALID: 'TL_TRAINING_PARAM_INVALID',
  /** A metric value was NaN or infinite; it is logged as null and flagged. */
  TRAINING_NON_FINITE_METRIC: 'TL_TRAINING_NON_FINITE_METRIC',
  /** A push to the Pushgateway failed; the run went on. */
  TRAINING_PUSH_FAILED: 'TL_TRAINING_PUSH_FAILED',
  /** The run summary could not be written at the end of a run. */
  TRAINING_SUMMARY_FAILED: 'TL_TRAINING_SUMMARY_FAILED',
  /** An event arrived after the run ended; it was not recorded. */
  TRAINING_LATE_EVENT: 'TL_TRAINING_LATE_EVENT',
  /** A step or epoch index was not a non-negative integer; the next index was used instead. */
  TRAINING_BAD_INDEX: 'TL_TRAINING_BAD_INDEX',
  /** `tfjsCallback()` was used outside any run; nothing was recorded. */
  TRAINING_NO_RUN: 'TL_TRAINING_NO_RUN',
  /** A pipeline batch had schema issues (logged and counted; thrown when `onInvalid: 'throw'`). */
  PIPELINE_SCHEMA_ERRORS: 'TL_PIPELINE_SCHEMA_ERRORS',
  /** A call to a Threadline endpoint was refused for a wrong or missing secret, or throttled. */
  AUTH_FAILED: 'TL_AUTH_FAILED',
  /** An endpoint serves without authentication on an address other hosts can reach. */
  OPEN_ENDPOINT: 'TL_OPEN_ENDPOINT',
} as const;

export type ThreadlineCode = (typeof codes)[keyof typeof codes];

/** Thrown at setup when options are invalid. Carries a stable `code`. */
export class ThreadlineConfigError extends TypeError {
  readonly code = codes.CONFIG;
  constructor(component: string, message: string) {
    super(`[${component}] ${message}`);
    this.name = 'ThreadlineConfigError';
  }
}
