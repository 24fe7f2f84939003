export {
  bindContext,
  bindEmitter,
  type ContextFields,
  contextRevision,
  contextStorage,
  getContext,
  type ModelRef,
  type RequestVerbosity,
  runWithContext,
  setAttribute,
  setContext,
  type ThreadlineContext,
} from './context.js';
export { codes, type ThreadlineCode, ThreadlineConfigError } from './errors.js';
export {
  CONTENT_TYPES,
  checkBearerToken,
  type MetricsFormat,
  negotiateMetricsFormat,
  renderMetrics,
} from './exposition.js';
export { currentTraceIds, type LogFields, logFields } from './fields.js';
export {
  DIAG_CHANNEL,
  type DiagEvent,
  type DiagLogger,
  diag,
  onDiag,
  reportError,
  safeCall,
  setDiagLogger,
  warnOnce,
} from './guard.js';
export { UNMATCHED_ROUTE } from './http/constants.js';
export type { DebugEndpointOptions, DebugThrottleOptions } from './http/debug-endpoint.js';
export {
  clusterWorkerMetrics,
  type MetricsEndpointOptions,
  type MetricsServer,
  startMetricsServer,
} from './http/metrics-endpoint.js';
export type { FinishedRequest, HttpOptions, RequestIdentity } from './http/options.js';
export type { RequestLogger } from './http/request-logger.js';
export {
  acceptRequestId,
  MAX_REQUEST_ID_LENGTH,
  newRequestId,
  newSpanId,
  newTraceId,
} from './ids.js';
export { boundText, MAX_INPUT_TEXT } from './input-text.js';
export { type JobOptions, startJob } from './job.js';
export {
  createLiveResponder,
  LIVE_OPTION_KEYS,
  type LivePageOptions,
  type LiveResponder,
  type LiveResponse,
} from './live/endpoint.js';
export {
  type ChartLibrary,
  chartLibrary,
  displayText,
  escapeHtml,
  jsonForScript,
  MAX_DISPLAY_NAME,
  type PageOptions,
  renderPage,
} from './live/page.js';
export {
  LIVE_TOP_N,
  LiveSampler,
  type LiveSnapshot,
  type ModelStats,
  type Percentiles,
  type RouteStats,
} from './live/snapshot.js';
export {
  defaultServiceName,
  jsonLineSink,
  type LineStream,
  type LogLevel,
  type LogSink,
  mergeContextFields,
  RESERVED_LOG_FIELDS,
} from './log-sink.js';
export {
  type AnyRegistry,
  CardinalityGuard,
  ContextCounter,
  ContextGauge,
  type ContextGaugeOptions,
  ContextHistogram,
  type ContextHistogramOptions,
  type ContextMetricOptions,
  CounterSeries,
  createCounter,
  createGauge,
  createHistogram,
  createRegistry,
  createScrapeCounter,
  createScrapeHistogram,
  currentExemplarIds,
  DEFAULT_MAX_LABEL_VALUES,
  type EndTimer,
  type ExemplarIds,
  forgetMetrics,
  type GaugeAggregator,
  HistogramSeries,
  type IdleSeriesOptions,
  isOpenMetricsRegistry,
  type LabelInput,
  OVERFLOW_LABEL_VALUE,
  removeMetric,
  reportRejectedMetric,
  resolveRegistry,
  ScrapeCounter,
  type ScrapeCounterOptions,
  ScrapeHistogram,
  type ScrapeHistogramOptions,
  type ScrapeMetricOptions,
} from './metrics/index.js';
export { check } from './options.js';
export { activeOtelSpan, type OtelSpanIds } from './otel.js';
export {
  injectTraceHeaders,
  type PropagationOptions,
  propagationHeaders,
  withTraceHeaders,
} from './propagation.js';
export { type SpanAttributes, tracingEnabled, withSpan } from './spans.js';
export {
  continueTrace,
  formatTraceparent,
  isSampled,
  isValidTracestateKey,
  isValidTracestateValue,
  MAX_TRACESTATE_MEMBERS,
  newTrace,
  parseTraceparent,
  parseTracestate,
  type TraceIds,
  type TraceParent,
  type TraceStartOptions,
} from './trace-context.js';
export {
  bufferDebugLine,
  type DebugQuery,
  type DebugRule,
  type DebugRuleInput,
  DebugSwitch,
  debugDecision,
  debugSwitch,
  endRequestVerbosity,
  forceDebug,
  MAX_DEBUG_RULES,
  MAX_DEBUG_TTL_MS,
  startRequestVerbosity,
} from './verbosity.js';
