import { performance } from 'node:perf_hooks';
import {
  check,
  codes,
  getContext,
  type LogSink,
  reportError,
  resolveEventSink,
  runWithContext,
  safeCall,
  startJob,
  ThreadlineConfigError,
  withSpan,
  writeEvent,
} from '@threadline/core';
import { BatchSchemaError } from './errors.js';
import { type PipelineMetrics, pipelineMetrics } from './metrics.js';
import { errorFields } from './run-log.js';
import type { BatchInfo, BatchIssue, PipelineStepOptions } from './types.js';

const COMPONENT = 'training.pipeline';
const KNOWN = ['name', 'source', 'logger', 'registry', 'measure', 'validate', 'onInvalid'] as const;
/** Issues copied into one log line; the count covers them all. */
const MAX_LOGGED_ISSUES = 10;

function byteSize(value: unknown): number | undefined {
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (value instanceof ArrayBuffer) return value.byteLength;
  if (ArrayBuffer.isView(value)) return value.byteLength;
  return undefined;
}

/**
 * What can be known about a batch without serialising it: arrays give a record count (and bytes
 * when their items are strings or buffers); strings and buffers give bytes.
 */
export function measureBatch(input: unknown): BatchInfo {
  if (Array.isArray(input)) {
    let bytes = 0;
    for (const item of input) {
      const size = byteSize(item);
      if (size === undefined) return { records: input.length };
      bytes += size;
    }
    return { records: input.length, bytes };
  }
  const bytes = byteSize(input);
  return bytes === undefined ? {} : { bytes };
}

function validIssues(value: unknown): BatchIssue[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (i): i is BatchIssue =>
      i !== null && typeof i === 'object' && typeof (i as BatchIssue).message === 'string',
  );
}

/** A pipeline step as set up: checked options, its sink and its metrics. */
interface StepSetup<I> {
  readonly step: string;
  readonly defaultSource: string;
  readonly measure: (input: I) => BatchInfo;
  readonly validate: PipelineStepOptions<I>['validate'];
  readonly onInvalid: 'log' | 'throw';
  readonly sink: LogSink | undefined;
  readonly metrics: PipelineMetrics;
}

/** Checks the options (throws `ThreadlineConfigError`) and creates the step's metrics. */
function setUp<I>(options: PipelineStepOptions<I>, fn: unknown): StepSetup<I> {
  if (options === null || typeof options !== 'object') {
    throw new ThreadlineConfigError(COMPONENT, 'options must be an object with at least { name }');
  }
  check.keys(COMPONENT, options, KNOWN);
  const step = check.string(COMPONENT, 'name', options.name, undefined);
  if (step === undefined) throw new ThreadlineConfigError(COMPONENT, 'option name is required');
  const defaultSource = check.string(COMPONENT, 'source', options.source, 'unknown');
  const measure = check.fn<(input: I) => BatchInfo>(COMPONENT, 'measure', options.measure, measureBatch);
  const validate = check.fn<PipelineStepOptions<I>['validate']>(
    COMPONENT,
    'validate',
    options.validate,
    undefined,
  );
  const onInvalid = check.oneOf(COMPONENT, 'onInvalid', options.onInvalid, ['log', 'throw'], 'log');
  if (typeof fn !== 'function') throw new ThreadlineConfigError(COMPONENT, 'pipelineStep needs a function');
  const sink = resolveEventSink(COMPONENT, options.logger);
  return {
    step,
    defaultSource,
    measure,
    validate,
    onInvalid,
    sink,
    metrics: pipelineMetrics(options.registry),
  };
}

/** One batch going through a step: what is known about it, and when it arrived. */
interface Batch {
  readonly start: number;
  readonly info: BatchInfo;
  readonly source: string;
  readonly sizeFields: Record<string, number>;
}

/** Measures the batch, counts it and logs its arrival (`pipeline_batch_received`). */
function arrive<I>(s: StepSetup<I>, input: I, given: BatchInfo | undefined): Batch {
  const start = performance.now();
  const measured = safeCall(COMPONENT, s.measure, [input], {} as BatchInfo) ?? {};
  const info: BatchInfo = { ...measured, ...given };
  const source = typeof info.source === 'string' && info.source !== '' ? info.source : s.defaultSource;
  const records = Number.isFinite(info.records) && info.records! >= 0 ? info.records! : undefined;
  const bytes = Number.isFinite(info.bytes) && info.bytes! >= 0 ? info.bytes! : undefined;
  const labels = { step: s.step, source };
  s.metrics.batches.inc(labels);
  if (records !== undefined) {
    s.metrics.records.inc(labels, records);
    s.metrics.batchRecords.set(labels, records);
  }
  if (bytes !== undefined) s.metrics.batchBytes.observe(labels, bytes);
  const sizeFields = {
    ...(bytes !== undefined ? { size_bytes: bytes } : {}),
    ...(records !== undefined ? { records_count: records } : {}),
  };
  writeEvent(
    s.sink,
    'info',
    { event: 'pipeline_batch_received', step: s.step, source, ...sizeFields },
    `batch received by ${s.step}`,
    COMPONENT,
  );
  return { start, info, source, sizeFields };
}

/** The step failed on this batch: counted and logged (the caller rethrows). */
function failed<I>(s: StepSetup<I>, batch: Batch, error: unknown, message: string): void {
  s.metrics.failures.inc({ step: s.step });
  writeEvent(
    s.sink,
    'error',
    {
      event: 'pipeline_step_failed',
      step: s.step,
      source: batch.source,
      duration_ms: Math.round((performance.now() - batch.start) * 1000) / 1000,
      ...errorFields(error),
    },
    message,
    COMPONENT,
  );
}

/**
 * Runs the validate hook: issues are logged and counted; with `onInvalid: 'throw'` the batch is
 * rejected with a `BatchSchemaError`. A hook that throws is reported and the batch goes on.
 */
async function checkSchema<I>(s: StepSetup<I>, input: I, batch: Batch): Promise<void> {
  if (!s.validate) return;
  let issues: BatchIssue[] = [];
  try {
    issues = validIssues(await s.validate(input));
  } catch (error) {
    reportError(COMPONENT, error, codes.CALLBACK_FAILED);
  }
  if (issues.length === 0) return;
  s.metrics.schemaErrors.inc({ step: s.step }, issues.length);
  writeEvent(
    s.sink,
    'warn',
    {
      event: 'pipeline_schema_errors',
      step: s.step,
      source: batch.source,
      ...batch.sizeFields,
      schema_errors_count: issues.length,
      schema_errors: issues.slice(0, MAX_LOGGED_ISSUES).map((i) => ({ ...i })),
      error_code: codes.PIPELINE_SCHEMA_ERRORS,
    },
    `batch for ${s.step} has ${issues.length} schema issue(s)`,
    COMPONENT,
  );
  if (s.onInvalid === 'throw') {
    const error = new BatchSchemaError(s.step, issues);
    failed(s, batch, error, `${s.step} rejected the batch`);
    throw error;
  }
}

/** The step finished the batch: duration, latency from `producedAt`, `pipeline_step_finished`. */
function finished<I>(s: StepSetup<I>, batch: Batch): void {
  const end = performance.now();
  s.metrics.duration.observe({ step: s.step }, (end - batch.start) / 1000);
  const produced =
    batch.info.producedAt instanceof Date ? batch.info.producedAt.getTime() : batch.info.producedAt;
  let latencyMs: number | undefined;
  if (typeof produced === 'number' && Number.isFinite(produced)) {
    latencyMs = Math.max(0, Date.now() - produced);
    s.metrics.latency.observe({ step: s.step }, latencyMs / 1000);
  }
  writeEvent(
    s.sink,
    'info',
    {
      event: 'pipeline_step_finished',
      step: s.step,
      source: batch.source,
      ...batch.sizeFields,
      duration_ms: Math.round((end - batch.start) * 1000) / 1000,
      ...(latencyMs !== undefined ? { pipeline_latency_ms: latencyMs } : {}),
    },
    `${s.step} finished`,
    COMPONENT,
  );
}

/**
 * Wraps an ingestion or feature step. Each call logs the batch's arrival (`pipeline_batch_received`:
 * source, size_bytes, records_count), runs the optional validate hook (`pipeline_schema_errors`),
 * then the step (`pipeline_step_finished` with duration_ms and pipeline_latency_ms, or
 * `pipeline_step_failed` with the error, which is rethrown), and records the matching metrics.
 * Inside a training run the lines carry its `run_id`; outside any context the step is a job of its own.
 */
export function pipelineStep<I, O>(
  options: PipelineStepOptions<I>,
  fn: (input: I) => O | Promise<O>,
): (input: I, info?: BatchInfo) => Promise<Awaited<O>> {
  const s = setUp(options, fn);
  const handle = async (input: I, given: BatchInfo | undefined): Promise<Awaited<O>> => {
    const batch = arrive(s, input, given);
    await checkSchema(s, input, batch);
    try {
      const result = await withSpan(
        'pipeline.step',
        { 'pipeline.step': s.step, 'pipeline.source': batch.source },
        () => runWithContext({ attributes: { pipeline_step: s.step } }, () => fn(input)),
      );
      finished(s, batch);
      return result as Awaited<O>;
    } catch (error) {
      failed(s, batch, error, `${s.step} failed`);
      throw error;
    }
  };
  return (input: I, info?: BatchInfo) =>
    getContext() ? handle(input, info) : startJob(s.step, () => handle(input, info));
}
