import type winston from 'winston';

/** Options of `createLogger`. Every option is checked at setup; a bad one throws ThreadlineConfigError. */
export interface CreateLoggerOptions {
  /**
   * The most verbose npm level written (`error`, `warn`, `info`, `http`, `verbose`, `debug`, `silly`).
   * Default: the `LOG_LEVEL` environment variable, else `info`.
   */
  readonly level?: string;
  /** The `service` field. Default: `OTEL_SERVICE_NAME`, else the npm package name, else `app`. */
  readonly service?: string;
  /**
   * Keys whose values are replaced by the censor, at any depth, matched case-insensitively.
   * Default: `authorization`, `cookie`, `set-cookie`, `password`. Pass `[]` to turn redaction off.
   */
  readonly redact?: readonly string[];
  /** What a redacted value becomes (default `[REDACTED]`). */
  readonly censor?: string;
  /** Where lines go (default: one Console transport writing to stdout). */
  readonly transports?: winston.transport | readonly winston.transport[];
  /**
   * Per-request debug verbosity (see the README): debug lines of a request with forced debug are
   * written whatever the level, and buffered debug lines are written when the request flushes
   * them. Off by default, so the normal path does no per-line verbosity work.
   */
  readonly verbosity?: boolean;
  /** Fields added to every line; a line's own fields win. */
  readonly defaultMeta?: Readonly<Record<string, unknown>>;
}
