import { type ContextFields, runWithContext } from './context.js';
import { activeOtelSpan } from './otel.js';
import { newTrace } from './trace-context.js';

/** Options for a job-scoped context. */
export interface JobOptions extends ContextFields {
  /** Sampling decision for the job's new trace (default true). */
  readonly sampled?: boolean;
}

/**
 * Runs `fn` in a job-scoped context, for work outside any request: batch jobs, queue consumers,
 * timers. The job gets its name, a trace of its own (or the active OpenTelemetry span's), and
 * whatever fields are given (run_id, model, attributes). Returns what `fn` returns.
 */
export function startJob<R>(name: string, fn: () => R, options: JobOptions = {}): R {
  const { sampled, ...fields } = options;
  const span = activeOtelSpan();
  const trace = span ?? newTrace(sampled === undefined ? undefined : { sampled });
  return runWithContext(
    {
      trace_id: trace.traceId,
      span_id: trace.spanId,
      trace_flags: trace.traceFlags,
      ...fields,
      job: name,
    },
    fn,
    { inherit: false },
  );
}
