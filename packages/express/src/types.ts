import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DebugEndpointOptions, HttpOptions, MetricsEndpointOptions } from '@threadline/core';

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
