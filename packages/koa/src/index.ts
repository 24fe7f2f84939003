export { clusterWorkerMetrics, startMetricsServer, UNMATCHED_ROUTE } from '@threadline/core';
export { debugMiddleware, metricsHandler, metricsMiddleware } from './handlers.js';
export { type LiveMiddlewareOptions, liveMiddleware } from './live.js';
export { routeTemplateOf, threadline } from './middleware.js';
export type {
  DebugMiddlewareOptions,
  KoaContextLike,
  KoaMiddleware,
  MetricsMiddlewareOptions,
  ThreadlineKoaOptions,
} from './types.js';
