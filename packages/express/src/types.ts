import type { IncomingMessage, ServerResponse } from 'node:http';
import type {
  DebugEndpointOptions,
  HttpOptions,
  MetricsEndpointOptions,
  RequestLogger,
} from '@threadline/core';

// What threadline() adds to every request, typed on Express's Request (declaration merging, as
// @types/express asks of middleware that extends the request).
declare global {
  namespace Express {
    interface Request {
      /** The request ID (`X-Request-Id`), set by threadline(). */
      id: string;
      /** A logger bound to the request's context, writing through the middleware's logger. */
      log: RequestLogger;
    }
  }
}

/** Options of `threadline()` for Express. */
export type ThreadlineExpressOptions = HttpOptions;

/** Options of `metricsHandler()`. */
export type MetricsHandlerOptions = MetricsEndpointOptions;

/** Options of `debugHandler()`. */
export type DebugHandlerOptions = DebugEndpointOptions;

/** Express's `next`. */
export type NextFunction = (error?: unknown) => void;

/** A middleware in the shape Express 4 and 5 both accept. */
export type Middleware = (req: IncomingMessage, res: ServerResponse, next: NextFunction) => void;
