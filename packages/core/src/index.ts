// Baggage, automatic outgoing propagation, workers and pools: see boundaries.ts.
export * from './boundaries.js';
// The buffered line writers of the logger adapters: flushed on a timer and at exit.
export {
  type BufferedWriteOptions,
  type BufferedWriter,
  type BufferedWriteSettings,
  flushAtExit,
  flushBuffered,
  flushPeriodically,
  resolveBufferedWrite,
} from './buffered-write.js';
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
// The one event-line writer of the plugins: logger option, default sink, line budget.
export {
  type BudgetedWrite,
  budgetedWriter,
  DEFAULT_LINES_PER_MINUTE,
  type EventLoggerOption,
  LineBudget,
  resolveEventSink,
  writeEvent,
} from './events.js';
export {
  CONTENT_TYPES,
  checkBearerToken,
  type MetricsFormat,
  negotiateMetricsFormat,
  renderMetrics,
} from './exposition.js';
// Loggers, shutdown, service name, redaction and sink failures.
export {
  CONTEXT_LOG_FIELDS,
  captureLogFields,
  contextSpanAttributes,
  currentTraceIds,
  ENVELOPE_LOG_FIELDS,
  type LogFields,
  logFields,
  SPAN_CONTEXT_ATTRIBUTES,
  type SpanContextAttribute,
} from './fields.js';
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
  ADDS_CONTEXT,
  addsContext,
  type ContextSink,
  jsonLineSink,
  type LineStream,
  type LogLevel,
  type LogSink,
  markAddsContext,
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
export {
  CIRCULAR,
  createRedactor,
  DEFAULT_CENSOR,
  DEFAULT_REDACT_KEYS,
  REDACT_MAX_DEPTH,
  REDACT_MAX_ENTRIES,
  type Redaction,
  type Redactor,
  type RedactorOptions,
  resolveRedaction,
  serializeError,
  TRUNCATED,
} from './redaction.js';
export {
  defaultServiceName,
  FALLBACK_SERVICE_NAME,
  nearestPackageName,
  resolveServiceName,
  type ServiceNameSources,
  setServiceName,
} from './service.js';
export {
  type DrainableServer,
  drainServer,
  flushOnShutdown,
  handleSignals,
  isShuttingDown,
  onShutdown,
  type ShutdownHook,
  type ShutdownOptions,
  type ShutdownPhase,
  type ShutdownResult,
  shutdown,
} from './shutdown.js';
export {
  LOG_TRANSPORT_ERRORS,
  logTransportErrorReporter,
  type SinkErrorOptions,
  sinkErrorCodes,
  TELEMETRY_EXPORT_ERRORS,
  telemetryExportErrorReporter,
} from './sink-errors.js';
export { type SpanAttributes, tracingEnabled, withSpan } from './spans.js';
export { isoNow } from './time.js';
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
