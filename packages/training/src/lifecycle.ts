import { performance } from 'node:perf_hooks';
import { codes, warnOnce } from '@threadline/core';
import { errorSummary } from './run-log.js';
import type { RunStatus, RunSummary } from './types.js';

/** A run's status and times: running once started, then ended exactly once. */
export class RunLifecycle {
  status: RunStatus = 'running';
  started = false;
  startedWall = new Date();
  endedWall: Date | null = null;
  durationMs: number | null = null;
  error: RunSummary['error'] = null;
  signal: string | null = null;
  private startedAt = 0;

  constructor(private readonly runId: string) {}

  /** Starts the clock; false when already started. */
  start(): boolean {
    if (this.started) return false;
    this.started = true;
    this.startedAt = performance.now();
    this.startedWall = new Date();
    return true;
  }

  /** Ends the run; false when it was not running (never started, or already ended). */
  end(status: Exclude<RunStatus, 'running'>, detail?: { error?: unknown; signal?: string }): boolean {
    if (this.status !== 'running' || !this.started) return false;
    this.status = status;
    this.endedWall = new Date();
    this.durationMs = performance.now() - this.startedAt;
    if (detail?.error !== undefined) this.error = errorSummary(detail.error);
    if (detail?.signal) this.signal = detail.signal;
    return true;
  }

  /** True (and the event reported once per run) when the run has ended and must not record more. */
  late(what: string): boolean {
    if (this.status === 'running') return false;
    warnOnce(`late:${this.runId}`, {
      code: codes.TRAINING_LATE_EVENT,
      component: 'training',
      message: `run ${this.runId} already ${this.status}: ${what} not recorded`,
    });
    return true;
  }
}
