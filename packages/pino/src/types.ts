import type pino from 'pino';

/** Options of `createPinoLogger`. Every option is checked at setup; a bad one throws ThreadlineConfigError. */
export interface CreatePinoLoggerOptions {
  /** The most verbose level written. Default: the `LOG_LEVEL` environment variable, else `info`. */
  readonly level?: pino.LevelWithSilent;
  /** The `service` field. Default: `OTEL_SERVICE_NAME`, else the npm package name, else `app`. */
  readonly service?: string;
  /**
   * Keys whose values are censored, as pino redact paths at the top level and two levels down
   * (`key`, `*.key`, `*.*.key`), each in lower case, Capitalised-Words and UPPER case.
   * Default: `authorization`, `cookie`, `set-cookie`, `password`. Pass `[]` to turn it off.
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
  /** Where lines go (default: stdout). */
  readonly destination?: pino.DestinationStream;
}
