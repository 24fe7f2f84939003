import { codes, diag, type LogLevel, type LogSink, type ModelRef, writeEvent } from '@threadline/core';
import type { Order } from './order.js';
import type { RunStatus, RunSummary } from './types.js';

/** Error fields for a log line. */
export function errorFields(error: unknown): Record<string, unknown> {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      error_type: error.name,
      error_message: error.message,
      ...(typeof code === 'string' ? { error_code: code } : {}),
    };
  }
  return { error_type: typeof error, error_message: String(error) };
}

/** The error as the summary keeps it (with its stack, which a log line leaves out). */
export function errorSummary(error: unknown): NonNullable<RunSummary['error']> {
  if (error instanceof Error) {
    return { name: error.name, message: error.message, ...(error.stack ? { stack: error.stack } : {}) };
  }
  return { name: 'Error', message: String(error) };
}

/** The flag fields of a step or epoch line. */
export function flagFields(order: Order, nonFinite: readonly string[]): Record<string, unknown> {
  return {
    ...(order === 'out_of_order' ? { out_of_order: true } : {}),
    ...(order === 'duplicate' ? { duplicate: true } : {}),
    ...(nonFinite.length > 0 ? { non_finite_metrics: nonFinite } : {}),
  };
}

/** What the end line of a run says. */
export interface EndFields {
  readonly duration_ms: number;
  readonly epochs: number;
  readonly steps: number;
  readonly final_metrics: Record<string, number | null>;
}

/**
 * The run's log lines: each carries `run_id`, the experiment and the model explicitly, so lines of a
 * run driven by hand (outside its context) still say which run they belong to.
 */
export class RunLog {
  constructor(
    private readonly sink: LogSink | undefined,
    private readonly runId: string,
    private readonly experiment: string,
    private readonly model: ModelRef | undefined,
  ) {}

  /** Writes one event line; a sink that throws is reported, never thrown. */
  line(level: LogLevel, event: string, fields: Record<string, unknown>, message: string): void {
    const model = this.model;
    writeEvent(
      this.sink,
      level,
      {
        event,
        run_id: this.runId,
        experiment: this.experiment,
        ...(model ? { model_name: model.name, model_version: model.version } : {}),
        ...fields,
      },
      message,
      'training',
    );
  }

  /** The end line: `training_finished`, `training_failed` (with the error) or `training_killed`. */
  ended(
    status: Exclude<RunStatus, 'running'>,
    fields: EndFields,
    detail: { error?: unknown; signal: string | null },
  ): void {
    const base = { status, ...fields };
    if (status === 'finished') {
      this.line('info', 'training_finished', base, `training run ${this.runId} finished`);
    } else if (status === 'failed') {
      this.line(
        'error',
        'training_failed',
        { ...base, ...errorFields(detail.error) },
        `training run ${this.runId} failed`,
      );
    } else {
      this.line(
        'warn',
        'training_killed',
        { ...base, signal: detail.signal },
        `training run ${this.runId} killed by ${detail.signal}`,
      );
    }
  }

  /** A summary write failed: reported on the diagnostics channel and logged; the run goes on. */
  summaryFailed(path: string, error: unknown): void {
    diag({
      code: codes.TRAINING_SUMMARY_FAILED,
      component: 'training',
      level: 'error',
      message: `run ${this.runId}: summary ${path} not written: ${(error as Error)?.message}`,
      error,
    });
    this.line('error', 'training_summary_failed', { path, ...errorFields(error) }, 'summary not written');
  }

  /** A push failed: reported on the diagnostics channel and logged; the run goes on. */
  pushFailed(url: string, error: unknown): void {
    diag({
      code: codes.TRAINING_PUSH_FAILED,
      component: 'training',
      level: 'warn',
      message: `run ${this.runId}: push to ${url} failed: ${(error as Error)?.message}`,
      error,
    });
    this.line(
      'warn',
      'training_push_failed',
      { pushgateway_url: url, ...errorFields(error) },
      'push to the Pushgateway failed; the run goes on',
    );
  }
}
