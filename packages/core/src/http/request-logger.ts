import { contextStorage, type ThreadlineContext } from '../context.js';
import { safeCall } from '../guard.js';
import type { LogLevel, LogSink } from '../log-sink.js';
import { bufferDebugLine, debugDecision } from '../verbosity.js';

type Fields = Record<string, unknown>;

/** One level's method: `(message, fields?)`, or pino's order `(fields, message?)`. */
export type RequestLogMethod = {
  (message: string, fields?: Fields): void;
  (fields: Fields, message?: string): void;
};

/**
 * The request's logger (`req.log`, `ctx.log`): writes through the sink the middleware was given, in
 * the request's context, so every line carries the request's IDs even from callbacks that lost it.
 */
export interface RequestLogger {
  readonly debug: RequestLogMethod;
  readonly info: RequestLogMethod;
  readonly warn: RequestLogMethod;
  readonly error: RequestLogMethod;
  /** A logger that adds `fields` to every line (the request's fields stay as they are). */
  child(fields: Fields): RequestLogger;
}

const COMPONENT = 'http.request-logger';

class BoundLogger implements RequestLogger {
  readonly debug: RequestLogMethod = (a: string | Fields, b?: string | Fields) => this.write('debug', a, b);
  readonly info: RequestLogMethod = (a: string | Fields, b?: string | Fields) => this.write('info', a, b);
  readonly warn: RequestLogMethod = (a: string | Fields, b?: string | Fields) => this.write('warn', a, b);
  readonly error: RequestLogMethod = (a: string | Fields, b?: string | Fields) => this.write('error', a, b);

  constructor(
    private readonly sink: LogSink,
    private readonly ctx: ThreadlineContext,
    private readonly bindings: Fields | undefined,
  ) {}

  child(fields: Fields): RequestLogger {
    const own = fields !== null && typeof fields === 'object' ? fields : {};
    return new BoundLogger(this.sink, this.ctx, this.bindings ? { ...this.bindings, ...own } : { ...own });
  }

  private write(level: LogLevel, a: string | Fields, b: string | Fields | undefined): void {
    const message = typeof a === 'string' ? a : typeof b === 'string' ? b : '';
    const given =
      typeof a === 'object' && a !== null ? a : typeof b === 'object' && b !== null ? b : undefined;
    const fields = this.bindings ? { ...this.bindings, ...given } : (given ?? {});
    contextStorage().run(this.ctx, () => {
      const out = (): void => safeCall(COMPONENT, () => this.sink.log(level, fields, message), []);
      if (level !== 'debug') return out();
      // Debug lines follow the request's verbosity, as the logger bridges do: forced, buffered
      // until the request ends, or left to the sink's own level.
      const decision = debugDecision();
      if (decision === 'buffer') bufferDebugLine(out);
      else out();
    });
  }
}

/** A request logger over `sink`, bound to the request context `ctx`. */
export function requestLogger(sink: LogSink, ctx: ThreadlineContext): RequestLogger {
  return new BoundLogger(sink, ctx, undefined);
}
