// The adapter API (`@threadline/core/http`): what a framework adapter needs to build its
// middleware and endpoints on the shared HTTP logic. Applications use `@threadline/core`.
export {
  createDebugEndpoint,
  type DebugRequest,
  type DebugResponse,
  readJsonBody,
} from './debug-endpoint.js';
export { HttpInstrumentation, type RequestState } from './instrumentation.js';
export type { HttpMetrics } from './metrics.js';
export {
  createMetricsResponder,
  type MetricsResponder,
  type MetricsResponse,
  servingAddress,
  writeMetricsResponse,
} from './metrics-endpoint.js';
export { type ResolvedHttpOptions, resolveHttpOptions } from './options.js';
export { markOwnEndpoint } from './own-endpoint.js';
export { RequestLogProperty } from './request-logger.js';
