/**
 * Stable codes for Threadline's errors and warnings. A code keeps its meaning forever, so users can
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
