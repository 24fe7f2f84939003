import type { createCounter } from '@threadline/core';
import type pino from 'pino';

/** Options of `createPinoLogger`. Every option is checked at setup; a bad one throws ThreadlineConfigError. */
export interface CreatePinoLoggerOptions {
  /** The most verbose level written. Default: the `LOG_LEVEL` environment variable, else `info`. */
  readonly level?: pino.LevelWithSilent;
  /**
   * The `service` field. Default: core's `resolveServiceName()` (`setServiceName`/`startTelemetry`,
   * `OTEL_SERVICE_NAME`, the nearest package.json name from the entry script, `unknown_service:node`).
   */
  readonly service?: string;
  /**
   * Keys whose values are censored at any depth up to core's bounds (32 levels, 50,000 entries a
   * line), case-insensitively, in arrays, class instances and Errors: the same rules as
   * `@threadline/winston`. Default: `authorization`, `cookie`, `set-cookie`, `password`. `[]`: off.
   */
  readonly redact?: readonly string[];
  /** Extra exact pino redact paths, e.g. `req.body.card.number`. */
  readonly redactPaths?: readonly string[];
  /** What a redacted value becomes (default `[REDACTED]`). */
  readonly censor?: string;
  /**
   * Per-request debug verbosity (see the README): debug lines of a request with forced debug are
   * written whatever the level; buffered ones are written when the request flushes them.
   */
  readonly verbosity?: boolean;
  /**
   * Where lines go: a stream (used as given), or a file path or descriptor written through
   * `threadlineDestination` (buffered). Default: stdout through `threadlineDestination`.
   */
  readonly destination?: pino.DestinationStream | string | number;
  /** Where `threadline_log_transport_errors_total` is registered (default: prom-client's global registry). */
  readonly registry?: Parameters<typeof createCounter>[0]['registry'];
}
