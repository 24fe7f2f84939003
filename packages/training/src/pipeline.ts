import { performance } from 'node:perf_hooks';
import {
  check,
  codes,
  getContext,
  jsonLineSink,
  reportError,
  runWithContext,
  safeCall,
  startJob,
  ThreadlineConfigError,
  withSpan,
} from '@threadline/core';
import { BatchSchemaError, trainingCodes } from './errors.js';
import { pipelineMetrics } from './metrics.js';
import { errorFields } from './run.js';
import { emit, isLogSink } from './sink.js';
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
  if (options.logger !== undefined && !isLogSink(options.logger)) {
    throw new ThreadlineConfigError(
      COMPONENT,
      'option logger must have a log(level, fields, message) method',
    );
  }
  const sink = options.logger ?? jsonLineSink();
  const metrics = pipelineMetrics(options.registry);

  const handle = async (input: I, given: BatchInfo | undefined): Promise<Awaited<O>> => {
    const start = performance.now();
    const measured = safeCall(COMPONENT, measure, [input], {} as BatchInfo) ?? {};
    const info: BatchInfo = { ...measured, ...given };
    const source = typeof info.source === 'string' && info.source !== '' ? info.source : defaultSource;
    const records = Number.isFinite(info.records) && info.records! >= 0 ? info.records! : undefined;
    const bytes = Number.isFinite(info.bytes) && info.bytes! >= 0 ? info.bytes! : undefined;
    const labels = { step, source };
    metrics.batches.inc(labels);
    if (records !== undefined) {
      metrics.records.inc(labels, records);
      metrics.batchRecords.set(labels, records);
    }
    if (bytes !== undefined) metrics.batchBytes.observe(labels, bytes);
    const sizeFields = {
      ...(bytes !== undefined ? { size_bytes: bytes } : {}),
      ...(records !== undefined ? { records_count: records } : {}),
    };
    const failed = (error: unknown, message: string): void => {
      metrics.failures.inc({ step });
      emit(
        sink,
        'error',
        'pipeline_step_failed',
        {
          step,
          source,
          duration_ms: Math.round((performance.now() - start) * 1000) / 1000,
          ...errorFields(error),
        },
        message,
      );
    };
    emit(
      sink,
      'info',
      'pipeline_batch_received',
      { step, source, ...sizeFields },
      `batch received by ${step}`,
    );

    if (validate) {
      let issues: BatchIssue[] = [];
      try {
        issues = validIssues(await validate(input));
      } catch (error) {
        reportError(COMPONENT, error, codes.CALLBACK_FAILED);
      }
      if (issues.length > 0) {
        metrics.schemaErrors.inc({ step }, issues.length);
        emit(
          sink,
          'warn',
          'pipeline_schema_errors',
          {
            step,
            source,
            ...sizeFields,
            schema_errors_count: issues.length,
            schema_errors: issues.slice(0, MAX_LOGGED_ISSUES).map((i) => ({ ...i })),
            error_code: trainingCodes.SCHEMA_ERRORS,
          },
          `batch for ${step} has ${issues.length} schema issue(s)`,
        );
        if (onInvalid === 'throw') {
          const error = new BatchSchemaError(step, issues);
          failed(error, `${step} rejected the batch`);
          throw error;
        }
      }
    }

    try {
      const result = await withSpan(
        'pipeline.step',
        { 'pipeline.step': step, 'pipeline.source': source },
        () => runWithContext({ attributes: { pipeline_step: step } }, () => fn(input)),
      );
      const end = performance.now();
      const seconds = (end - start) / 1000;
      metrics.duration.observe({ step }, seconds);
      const produced = info.producedAt instanceof Date ? info.producedAt.getTime() : info.producedAt;
      let latencyMs: number | undefined;
      if (typeof produced === 'number' && Number.isFinite(produced)) {
        latencyMs = Math.max(0, Date.now() - produced);
        metrics.latency.observe({ step }, latencyMs / 1000);
      }
      emit(
        sink,
        'info',
        'pipeline_step_finished',
        {
          step,
          source,
          ...sizeFields,
          duration_ms: Math.round((end - start) * 1000) / 1000,
          ...(latencyMs !== undefined ? { pipeline_latency_ms: latencyMs } : {}),
        },
        `${step} finished`,
      );
      return result as Awaited<O>;
    } catch (error) {
      failed(error, `${step} failed`);
      throw error;
    }
  };

  return (input: I, info?: BatchInfo) =>
    getContext() ? handle(input, info) : startJob(step, () => handle(input, info));
}
