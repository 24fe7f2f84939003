import {
  budgetedWriter,
  type ModelRef,
  reportError,
  runWithContext,
  startJob,
  withSpan,
} from '@threadline/core';
import { scoreAccumulator } from './compare.js';
import { finalize, type ResolvedTestOptions } from './evaluate.js';
import { joinFleet } from './fleet.js';
import { driftMetrics } from './metrics.js';
import { resolveMonitorOptions } from './monitor-options.js';
import { ReportPublisher } from './publish.js';
import { type ClosedWindow, SlicedWindow } from './slices.js';
import type { DriftMonitorOptions, DriftProfile, DriftReport } from './types.js';
import { type Accumulator, type FeatureSpec, specFor } from './window.js';

const COMPONENT = 'drift';

/** A streaming drift monitor over one reference profile. */
export interface DriftMonitor {
  /** The reference profile. */
  readonly profile: DriftProfile;
  /**
   * Adds one row (feature name → value). Unknown keys are ignored; bad values are counted. Never
   * throws; when the row completes a window slice, the evaluation runs after the call returns.
   */
  observe(row: Readonly<Record<string, unknown>>): void;
  /**
   * Adds many rows given as columns (feature name → values, all the same length): the fast path,
   * one tight loop per feature. A feature without a column is missing in those rows. Never throws.
   */
  observeColumns(columns: Readonly<Record<string, ArrayLike<unknown>>>): void;
  /** Evaluates the current window now (synchronously) and publishes the report. */
  evaluate(): DriftReport;
  /** The last report, if any. */
  lastReport(): DriftReport | undefined;
  /** Resolves when the evaluations already scheduled have finished. */
  flush(): Promise<void>;
  /** Stops the timer, detaches the metrics source. Idempotent. */
  close(): void;
}

/**
 * Creates a streaming drift monitor: rows go into a count- or time-based window (tumbling or
 * sliding by slices) whose memory is fixed by the profile (cells and bins per feature), never by
 * the rows. Each completed window (each slice, when sliding) is evaluated against the reference;
 * the report updates the metrics, logs `drift_detected` when a feature crosses its threshold and
 * goes to `onReport`. Throws `ThreadlineConfigError` for bad options.
 */
export function createDriftMonitor(options: DriftMonitorOptions): DriftMonitor {
  const o = resolveMonitorOptions(options);
  const { profile, tests, shape, now, model } = o;
  const names = Object.keys(profile.features);
  const specs: FeatureSpec[] = names.map((n) => specFor(n, profile.features[n]!));
  const metrics = o.metrics ? driftMetrics(options.registry, names.length) : undefined;
  const publisher = new ReportPublisher(
    metrics,
    budgetedWriter(o.logger, undefined, undefined, COMPONENT),
    o.onReport,
  );
  const evaluator = new Evaluator(specs, tests, model, publisher);
  const window = new SlicedWindow(specs, shape, now, (closed) => evaluator.schedule(closed));
  // Fleet totals: slices are added when they close; the open slice is read live at scrape time.
  const fleet = o.metrics
    ? joinFleet(
        options.registry,
        { model, histograms: () => window.histograms(), invalid: () => window.invalid() },
        new Map(
          specs.flatMap((s) => (s.kind === 'numeric' ? [[s.name, s.profile.histogram.counts] as const] : [])),
        ),
      )
    : undefined;
  const timer = shape.byTime
    ? setInterval(
        () => {
          try {
            window.tick(now());
          } catch (error) {
            reportError(COMPONENT, error);
          }
        },
        Math.max(1, Math.floor(shape.sliceSize)),
      )
    : undefined;
  timer?.unref();
  let closed = false;

  return {
    profile,
    observe(row) {
      if (closed || row === null || typeof row !== 'object') return;
      try {
        window.observe(row);
      } catch (error) {
        reportError(COMPONENT, error);
      }
    },
    observeColumns(columns) {
      if (closed || columns === null || typeof columns !== 'object') return;
      try {
        window.observeColumns(columns);
      } catch (error) {
        reportError(COMPONENT, error);
      }
    },
    evaluate() {
      const { accs, rows, start } = window.snapshot();
      const go = () => evaluator.run({ accs, rows, start, end: now() });
      return model ? runWithContext({ model }, go) : go();
    },
    lastReport: () => publisher.lastReport(),
    flush: () => evaluator.pending,
    close() {
      if (closed) return;
      closed = true;
      if (timer) clearInterval(timer);
      // The counters keep everything observed, the open slice included.
      fleet?.leave();
    },
  };
}

/** Scores windows against the reference, now or in the background, and publishes the reports. */
class Evaluator {
  /** Resolves when the evaluations already scheduled have finished. */
  pending: Promise<void> = Promise.resolve();

  constructor(
    private readonly specs: readonly FeatureSpec[],
    private readonly tests: ResolvedTestOptions,
    private readonly model: ModelRef | undefined,
    private readonly publisher: ReportPublisher,
  ) {}

  /** Evaluates a window synchronously, in a `drift evaluation` span. */
  run(w: ClosedWindow): DriftReport {
    return withSpan('drift evaluation', this.spanAttributes(w.rows), () => {
      const outcomes = this.specs.map((s, i) => scoreAccumulator(s.name, w.accs[i]!, this.tests));
      const report = finalize(outcomes, this.tests, w.rows, times(w.start, w.end));
      this.publisher.publish(report);
      return report;
    });
  }

  /**
   * Evaluates a closed window off the caller's stack, outside the request that happened to
   * complete it, and one feature per turn of the event loop so a wide profile never blocks it for long.
   */
  schedule(w: ClosedWindow): void {
    const { specs, tests, model } = this;
    const score = async (accs: Accumulator[]) => {
      const outcomes = [];
      for (let i = 0; i < specs.length; i++) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        outcomes.push(scoreAccumulator(specs[i]!.name, accs[i]!, tests));
      }
      this.publisher.publish(finalize(outcomes, tests, w.rows, times(w.start, w.end)));
    };
    this.pending = this.pending
      .then(() =>
        startJob(
          'drift-evaluation',
          () => withSpan('drift evaluation', this.spanAttributes(w.rows), () => score(w.accs)),
          model ? { model } : {},
        ),
      )
      .catch((error: unknown) => reportError(COMPONENT, error));
  }

  private spanAttributes(rows: number) {
    return { 'threadline.drift.features': this.specs.length, 'threadline.drift.rows': rows };
  }
}

function times(start: number, end: number) {
  return { window_start: new Date(start).toISOString(), window_end: new Date(end).toISOString() };
}
