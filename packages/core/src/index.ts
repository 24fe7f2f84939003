export {
  bindContext,
  bindEmitter,
  type ContextFields,
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
export {
  acceptRequestId,
  MAX_REQUEST_ID_LENGTH,
  newRequestId,
  newSpanId,
  newTraceId,
} from './ids.js';
export { type JobOptions, startJob } from './job.js';
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
  CardinalityGuard,
  ContextCounter,
  ContextGauge,
  ContextHistogram,
  type ContextHistogramOptions,
  type ContextMetricOptions,
  createCounter,
  createGauge,
  createHistogram,
  createRegistry,
  DEFAULT_MAX_LABEL_VALUES,
  forgetMetrics,
  isOpenMetricsRegistry,
  type LabelInput,
  MODEL_LABEL_NAMES,
  OVERFLOW_LABEL_VALUE,
  reportRejectedMetric,
} from './metrics.js';
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
  FLAG_RANDOM,
  FLAG_SAMPLED,
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
  DEFAULT_DEBUG_TTL_MS,
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
