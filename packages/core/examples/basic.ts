// One request's context flowing into a log line, an outgoing call's headers and a metric.
import {
  continueTrace,
  createHistogram,
  createRegistry,
  jsonLineSink,
  logFields,
  propagationHeaders,
  renderMetrics,
  runWithContext,
  setContext,
} from '@threadline/core';

const registry = createRegistry();
const latency = createHistogram({
  name: 'model_inference_duration_seconds',
  help: 'Time spent in model inference.',
  labelNames: ['phase'],
  registry,
});
const log = jsonLineSink(process.stdout, { service: 'example' });

// What an HTTP adapter does per request: continue the caller's trace, start a fresh context.
const trace = continueTrace('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
await runWithContext(
  { request_id: 'req-1', trace_id: trace.traceId, span_id: trace.spanId, trace_flags: trace.traceFlags },
  async () => {
    setContext({ model: { name: 'ranker', version: '1.4.0' } });
    const stop = latency.startTimer({ phase: 'predict' });
    await new Promise((resolve) => setTimeout(resolve, 5));
    stop();
    log.log('info', { event: 'model_inference' }, 'scored');
    console.log('fields:', logFields());
    console.log('outgoing headers:', propagationHeaders());
  },
  { inherit: false },
);

console.log((await renderMetrics(registry, 'openmetrics')).body);
