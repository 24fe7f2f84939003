import { performance } from 'node:perf_hooks';
import { Registry, register } from 'prom-client';
import type { MetricStore } from './metric-store.js';
import { type TrainingMetrics, trainingMetrics } from './metrics.js';
import { flagged, type Order } from './order.js';
import type { RunStatus } from './types.js';

/** Longest delay before step counts and values reach the Prometheus metrics. */
const STEP_FLUSH_MS = 1000;
const STATUSES = ['running', 'finished', 'failed', 'killed'] as const;

/**
 * A run's Prometheus metrics. They go to the registry the service exposes (prom-client's global
 * one unless `registry` is given), where every run shares the metrics and its series are told
 * apart by the bounded `experiment` label. A run that pushes also records into a registry of its
 * own, so a push carries this run's series only: never the service's other metrics, nor another
 * experiment's.
 */
export class RunMetrics {
  /** The registry the run's metrics are exposed in. */
  readonly registry: Registry;
  /** The registry holding this run's series alone, for the Pushgateway. */
  readonly pushRegistry: Registry | undefined;
  private readonly targets: readonly TrainingMetrics[];
  private readonly labels: { readonly experiment: string };
  private readonly stepKind: { readonly experiment: string; readonly kind: 'step' };
  private readonly epochKind: { readonly experiment: string; readonly kind: 'epoch' };
  private pendingSteps = 0;
  // -Infinity, not 0: performance.now() counts from process start, so the first step of a run in a
  // process younger than a second would otherwise wait.
  private lastStepFlush = Number.NEGATIVE_INFINITY;

  constructor(experiment: string, registry: Registry | undefined, push: boolean) {
    this.registry = registry ?? register;
    this.pushRegistry = push ? new Registry() : undefined;
    this.targets = this.pushRegistry
      ? [trainingMetrics(this.registry), trainingMetrics(this.pushRegistry)]
      : [trainingMetrics(this.registry)];
    this.labels = { experiment };
    this.stepKind = { experiment, kind: 'step' };
    this.epochKind = { experiment, kind: 'epoch' };
  }

  /** The run started: status running, start time. */
  started(at: Date): void {
    this.status('running');
    for (const m of this.targets) m.startTime.set(this.labels, at.getTime() / 1000);
  }

  private status(status: RunStatus): void {
    const experiment = this.labels.experiment;
    for (const m of this.targets) {
      for (const s of STATUSES) m.status.set({ experiment, status: s }, s === status ? 1 : 0);
    }
  }

  /**
   * A step was recorded. Steps can come thousands a second and a scrape or push needs only the
   * latest, so counts and values reach the metrics at most once a second (and at each epoch end
   * and at the end of the run).
   */
  step(order: Order, steps: MetricStore): void {
    if (order !== 'continued') this.pendingSteps++;
    const now = performance.now();
    if (now - this.lastStepFlush >= STEP_FLUSH_MS) this.flushSteps(steps, now);
    if (flagged(order)) for (const m of this.targets) m.outOfOrder.inc(this.stepKind);
  }

  /** Moves step counts and the latest step values into the metrics. */
  flushSteps(steps: MetricStore, now = performance.now()): void {
    this.lastStepFlush = now;
    const pending = this.pendingSteps;
    this.pendingSteps = 0;
    const experiment = this.labels.experiment;
    for (const m of this.targets) {
      if (pending > 0) m.steps.inc(this.labels, pending);
      for (const [name, stat] of steps.byName) {
        if (stat.last !== null) m.metric.set({ experiment, name, scope: 'step' }, stat.last);
      }
    }
  }

  /** An epoch was recorded. */
  epoch(order: Order, durationMs: number | null): void {
    for (const m of this.targets) {
      if (order !== 'continued') m.epochs.inc(this.labels);
      if (flagged(order)) m.outOfOrder.inc(this.epochKind);
      if (durationMs !== null) m.epochDuration.observe(this.labels, durationMs / 1000);
    }
  }

  /** The latest value of an epoch metric. */
  epochValue(name: string, value: number): void {
    const experiment = this.labels.experiment;
    for (const m of this.targets) m.metric.set({ experiment, name, scope: 'epoch' }, value);
  }

  /** A NaN or infinite value of a metric. */
  nonFinite(name: string): void {
    const experiment = this.labels.experiment;
    for (const m of this.targets) m.nonFinite.inc({ experiment, name });
  }

  /** A data-load phase took `ms`. */
  dataLoad(phase: string, ms: number): void {
    const experiment = this.labels.experiment;
    for (const m of this.targets) m.dataLoadDuration.observe({ experiment, phase }, ms / 1000);
  }

  /** A push failed (counted here, so the next good push carries it). */
  pushFailure(): void {
    for (const m of this.targets) m.pushFailures.inc(this.labels);
  }

  /** The run ended: pending steps, status, failure flag, duration and, when finished, success time. */
  ended(status: Exclude<RunStatus, 'running'>, durationMs: number, at: Date, steps: MetricStore): void {
    this.flushSteps(steps);
    this.status(status);
    for (const m of this.targets) {
      m.failed.set(this.labels, status === 'finished' ? 0 : 1);
      m.runDuration.set(this.labels, durationMs / 1000);
      if (status === 'finished') m.lastSuccess.set(this.labels, at.getTime() / 1000);
    }
  }
}
