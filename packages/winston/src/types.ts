import type { createCounter } from '@threadline/core';
import type winston from 'winston';

/** Options of `createLogger`. Every option is checked at setup; a bad one throws ThreadlineConfigError. */
export interface CreateLoggerOptions {
  /**
   * The most verbose npm level written (`error`, `warn`, `info`, `http`, `verbose`, `debug`, `silly`).
   * Default: the `LOG_LEVEL` environment variable, else `info`.
   */
  readonly level?: string;
  /**
   * The `service` field. Default: core's `resolveServiceName()` (`setServiceName`/`startTelemetry`,
   * `OTEL_SERVICE_NAME`, the nearest package.json name from the entry script, `unknown_service:node`).
   */
  readonly service?: string;
  /**
   * Keys whose values are replaced by the censor, at any depth up to core's bounds (32 levels,
   * 50,000 entries a line), matched case-insensitively.
   * Default: `authorization`, `cookie`, `set-cookie`, `password`. Pass `[]` to turn redaction off.
   */
  readonly redact?: readonly string[];
  /** What a redacted value becomes (default `[REDACTED]`). */
  readonly censor?: string;
  /** Where lines go (default: one `threadlineTransport()`, buffered, to stdout). */
  readonly transports?: winston.transport | readonly winston.transport[];
  /**
   * Per-request debug verbosity (see the README): debug lines of a request with forced debug are
   * written whatever the level, and buffered debug lines are written when the request flushes
   * them. Off by default, so the normal path does no per-line verbosity work.
   */
  readonly verbosity?: boolean;
  /** Fields added to every line; a line's own fields win. */
  readonly defaultMeta?: Readonly<Record<string, unknown>>;
  /** Where `threadline_log_transport_errors_total` is registered (default: prom-client's global registry). */
  readonly registry?: Parameters<typeof createCounter>[0]['registry'];
}
