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

interface WithState {
  readonly [key: symbol]: { readonly owner: { logger(state: never): RequestLogger } } | undefined;
}

/**
 * The `log` property of requests (Express `req.log`, Koa `ctx.log`): a getter that makes the
 * request's logger on first use, and a setter so an application (or pino-http after us) can still
 * assign its own. It is put once on the prototype the framework gives each request (Express's
 * `app.request`, Koa's `app.context`, which sub-apps inherit from), not on every request: defining
 * a property per request is a runtime call and a new shape for the framework's objects.
 */
export class RequestLogProperty {
  private readonly descriptor: PropertyDescriptor;
  private readonly prototypes = new WeakSet<object>();

  /**
   * @param stateKey the adapter's key of the request's `RequestState` on the same object
   * @param shared prototypes never to touch (the runtime's own classes, such as IncomingMessage's)
   */
  constructor(
    stateKey: symbol,
    private readonly shared: readonly object[] = [],
  ) {
    this.descriptor = {
      configurable: true,
      enumerable: false,
      get(this: WithState): RequestLogger | undefined {
        const state = this[stateKey];
        return state ? state.owner.logger(state as never) : undefined;
      },
      set(this: object, value: unknown) {
        Object.defineProperty(this, 'log', { value, writable: true, configurable: true, enumerable: true });
      },
    };
  }

  /** Makes `target.log` the request's logger. Throws when `target` already owns a fixed `log`. */
  attach(target: object): void {
    const proto = Object.getPrototypeOf(target) as object | null;
    if (proto !== null && this.prototypes.has(proto)) {
      // An own `log` (assigned by an earlier middleware) hides the prototype's: keep the old rule,
      // ours replaces it on this request.
      if (Object.hasOwn(target, 'log')) Object.defineProperty(target, 'log', this.descriptor);
      return;
    }
    if (
      proto !== null &&
      proto !== Object.prototype &&
      !this.shared.includes(proto) &&
      !('log' in proto) &&
      Object.isExtensible(proto)
    ) {
      Object.defineProperty(proto, 'log', this.descriptor);
      this.prototypes.add(proto);
      if (Object.hasOwn(target, 'log')) Object.defineProperty(target, 'log', this.descriptor);
      return;
    }
    Object.defineProperty(target, 'log', this.descriptor);
  }
}
