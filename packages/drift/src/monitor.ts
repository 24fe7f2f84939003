import {
  type BudgetedWrite,
  budgetedWriter,
  check,
  getContext,
  type ModelRef,
  reportError,
  resolveEventSink,
  runWithContext,
  safeCall,
  startJob,
  ThreadlineConfigError,
  withSpan,
} from '@threadline/core';
import { scoreAccumulator } from './compare.js';
import { finalize, methodFor, resolveTestOptions } from './evaluate.js';
import { type FleetHandle, type InvalidReason, joinFleet } from './fleet.js';
import { type DriftMetrics, driftMetrics } from './metrics.js';
import { loadProfile } from './profile.js';
import type { DriftMonitorOptions, DriftProfile, DriftReport } from './types.js';
import { type Accumulator, accumulatorFor, type FeatureSpec, specFor } from './window.js';

const COMPONENT = 'drift';
/** Rows observe() collects before feeding them to the numeric accumulators in one loop. */
const BUFFER_ROWS = 256;
const OPTION_KEYS = [
  'reference',
  'window',
  'registry',
  'metrics',
  'model',
  'logger',
  'onReport',
  'now',
  'method',
  'threshold',
  'features',
  'driftShare',
  'correction',
  'minSamples',
];

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

interface Slice {
  readonly accs: Accumulator[];
  rows: number;
  start: number;
}

/**
 * Creates a streaming drift monitor: rows go into a count- or time-based window (tumbling or
 * sliding by slices) whose memory is fixed by the profile (cells and bins per feature), never by
 * the rows. Each completed window (each slice, when sliding) is evaluated against the reference;
 * the report updates the metrics, logs `drift_detected` when a feature crosses its threshold and
 * goes to `onReport`. Throws `ThreadlineConfigError` for bad options.
 */
export function createDriftMonitor(options: DriftMonitorOptions): DriftMonitor {
  if (!options || typeof options !== 'object') {
    throw new ThreadlineConfigError(COMPONENT, 'options must be an object');
  }
  check.keys(COMPONENT, options, OPTION_KEYS);
  if (options.reference === undefined)
    throw new ThreadlineConfigError(COMPONENT, 'option reference is required');
  const profile = loadProfile(options.reference);
  const names = Object.keys(profile.features);
  const tests = resolveTestOptions(options, names);
  // Fail at setup on a method that does not fit a feature's kind.
  for (const name of names) {
    const f = profile.features[name]!;
    methodFor(name, f.kind, f.count, f.kind === 'categorical' ? Object.keys(f.categories).length : 0, tests);
  }
  const win = options.window ?? {};
  check.keys(COMPONENT, win, ['type', 'rows', 'durationMs', 'slices']);
  const type = check.oneOf(COMPONENT, 'window.type', win.type, ['tumbling', 'sliding'], 'tumbling');
  if (win.rows !== undefined && win.durationMs !== undefined) {
    throw new ThreadlineConfigError(COMPONENT, 'option window takes rows or durationMs, not both');
  }
  const byTime = win.durationMs !== undefined;
  const size = byTime
    ? check.number(COMPONENT, 'window.durationMs', win.durationMs, 60_000, { min: 1 })
    : check.number(COMPONENT, 'window.rows', win.rows, 1000, { min: 1, integer: true });
  const sliceCount =
    type === 'sliding'
      ? check.number(COMPONENT, 'window.slices', win.slices, 10, { min: 2, max: 1000, integer: true })
      : 1;
  const sliceSize = byTime ? size / sliceCount : Math.max(1, Math.ceil(size / sliceCount));
  const now = check.fn<() => number>(COMPONENT, 'now', options.now, Date.now);
  const onReport = check.fn<((r: DriftReport) => void) | undefined>(
    COMPONENT,
    'onReport',
    options.onReport,
    undefined,
  );
  // One budget per feature: a profile's features are a bounded set, and one feature flapping
  // across its threshold cannot crowd out the others' lines.
  const warn = budgetedWriter(resolveEventSink(COMPONENT, options.logger), undefined, undefined, COMPONENT);
  const model: ModelRef | undefined = options.model ?? getContext()?.model;
  const metricsOn = check.boolean(COMPONENT, 'metrics', options.metrics, true);
  const metrics = metricsOn ? driftMetrics(options.registry, names.length) : undefined;

  const specs: FeatureSpec[] = names.map((n) => specFor(n, profile.features[n]!));
  const buffers = specs.map((s) => (s.kind === 'numeric' ? new Float64Array(BUFFER_ROWS) : undefined));
  let buffered = 0;
  const fresh = (): Accumulator[] => specs.map(accumulatorFor);
  const slices: Slice[] = Array.from({ length: sliceCount }, () => ({
    accs: fresh(),
    rows: 0,
    start: now(),
  }));
  let current = 0;
  let closed = false;
  let last: DriftReport | undefined;
  const drifting = new Map<string, boolean>();
  let pending: Promise<void> = Promise.resolve();

  // Fleet totals: slices are added when they close; the open slice is read live at scrape time.
  const totals = specs.map((s) => ({
    counts: new Float64Array(s.kind === 'numeric' ? s.bounds.length + 1 : 0),
    sum: 0,
    count: 0,
    invalid: invalidCounts(),
  }));
  const fleet: FleetHandle | undefined = metricsOn
    ? joinFleet(
        options.registry,
        {
          model,
          *histograms() {
            drain();
            const open = slices[current]!.accs;
            for (let i = 0; i < specs.length; i++) {
              const spec = specs[i]!;
              const acc = open[i]!;
              if (spec.kind !== 'numeric' || acc.kind !== 'numeric') continue;
              const t = totals[i]!;
              yield {
                feature: spec.name,
                bounds: spec.bounds,
                counts: t.counts.map((c, j) => c + acc.buckets[j]!),
                sum: t.sum + acc.moments.mean * acc.moments.n,
                count: t.count + acc.moments.n,
              };
            }
          },
          *invalid() {
            drain();
            const open = slices[current]!.accs;
            for (let i = 0; i < specs.length; i++) {
              const counts = invalidCounts();
              addInvalid(counts, totals[i]!.invalid);
              addInvalid(counts, invalidOf(open[i]!));
              yield { feature: specs[i]!.name, counts };
            }
          },
        },
        new Map(
          specs.flatMap((s) => (s.kind === 'numeric' ? [[s.name, s.profile.histogram.counts] as const] : [])),
        ),
      )
    : undefined;

  const timer = byTime
    ? setInterval(
        () => {
          try {
            tick(now());
          } catch (error) {
            reportError(COMPONENT, error);
          }
        },
        Math.max(1, Math.floor(sliceSize)),
      )
    : undefined;
  timer?.unref();

  function tick(t: number): void {
    // Close every slice whose time is over (at most a whole window's worth after a long pause).
    let guard = 0;
    while (t - slices[current]!.start >= sliceSize && guard++ <= sliceCount)
      closeSlice(slices[current]!.start + sliceSize);
    if (t - slices[current]!.start >= sliceSize) slices[current]!.start = t;
  }

  // Rows from observe() reach the numeric accumulators in blocks, through the columnar loop; the
  // block is drained before anything reads or closes the slice.
  function drain(): void {
    if (buffered === 0) return;
    const accs = slices[current]!.accs;
    for (let i = 0; i < buffers.length; i++) {
      const buffer = buffers[i];
      if (buffer !== undefined) accs[i]!.addMany(buffer, 0, buffered, true);
    }
    buffered = 0;
  }

  function closeSlice(nextStart: number): void {
    drain();
    const slice = slices[current]!;
    // Counters and fleet totals take the slice once, when it is complete.
    for (let i = 0; i < specs.length; i++) {
      const acc = slice.accs[i]!;
      const t = totals[i]!;
      addInvalid(t.invalid, invalidOf(acc));
      if (acc.kind === 'numeric') {
        for (let j = 0; j < t.counts.length; j++) t.counts[j]! += acc.buckets[j]!;
        t.sum += acc.moments.mean * acc.moments.n;
        t.count += acc.moments.n;
      }
    }
    const windowAccs = type === 'tumbling' ? slice.accs : mergeAll();
    const rows = type === 'tumbling' ? slice.rows : slices.reduce((n, s) => n + s.rows, 0);
    const start =
      type === 'tumbling' ? slice.start : Math.min(...slices.filter((s) => s.rows > 0).map((s) => s.start));
    const end = byTime ? nextStart : now();
    if (type === 'tumbling') slices[current] = { accs: fresh(), rows: 0, start: nextStart };
    else {
      current = (current + 1) % sliceCount;
      const next = slices[current]!;
      for (const acc of next.accs) acc.reset();
      next.rows = 0;
      next.start = nextStart;
    }
    schedule(windowAccs, rows, start, end);
  }

  function mergeAll(): Accumulator[] {
    const merged = fresh();
    for (const s of slices) {
      for (let i = 0; i < merged.length; i++)
        (merged[i] as { merge(o: Accumulator): void }).merge(s.accs[i]!);
    }
    return merged;
  }

  function schedule(accs: Accumulator[], rows: number, start: number, end: number): void {
    // Off the caller's stack, outside the request that happened to complete the window, and one
    // feature per turn of the event loop so a wide profile never blocks it for long.
    pending = pending
      .then(() =>
        startJob(
          'drift-evaluation',
          () =>
            withSpan('drift evaluation', spanAttributes(rows), async () => {
              const outcomes = [];
              for (let i = 0; i < specs.length; i++) {
                await new Promise<void>((resolve) => setImmediate(resolve));
                outcomes.push(scoreAccumulator(specs[i]!.name, accs[i]!, tests));
              }
              publish(finalize(outcomes, tests, rows, times(start, end)));
            }),
          model ? { model } : {},
        ),
      )
      .catch((error: unknown) => reportError(COMPONENT, error));
  }

  function spanAttributes(rows: number) {
    return { 'threadline.drift.features': specs.length, 'threadline.drift.rows': rows };
  }

  function times(start: number, end: number) {
    return { window_start: new Date(start).toISOString(), window_end: new Date(end).toISOString() };
  }

  function run(accs: Accumulator[], rows: number, start: number, end: number): DriftReport {
    return withSpan('drift evaluation', spanAttributes(rows), () => {
      const outcomes = specs.map((s, i) => scoreAccumulator(s.name, accs[i]!, tests));
      const report = finalize(outcomes, tests, rows, times(start, end));
      publish(report);
      return report;
    });
  }

  function publish(report: DriftReport): void {
    last = report;
    if (metrics) {
      try {
        updateMetrics(metrics, report);
      } catch (error) {
        reportError(COMPONENT, error);
      }
    }
    for (const [name, f] of Object.entries(report.features)) {
      const was = drifting.get(name) ?? false;
      if (f.skipped !== undefined) continue;
      drifting.set(name, f.drift);
      if (f.drift && !was) logDrift(warn, name, report);
    }
    if (onReport) safeCall(COMPONENT, onReport, [report]);
  }

  return {
    profile,
    observe(row) {
      if (closed || row === null || typeof row !== 'object') return;
      try {
        if (byTime) tick(now());
        const slice = slices[current]!;
        const accs = slice.accs;
        const at = buffered;
        for (let i = 0; i < names.length; i++) {
          // A row without the feature is a missing value for it.
          const v = row[names[i]!];
          const buffer = buffers[i];
          if (buffer === undefined) accs[i]!.add(v);
          else if (typeof v === 'number' && v - v === 0) buffer[at] = v;
          else {
            buffer[at] = Number.NaN;
            accs[i]!.add(v);
          }
        }
        buffered = at + 1;
        slice.rows++;
        if (buffered === BUFFER_ROWS) drain();
        if (!byTime && slice.rows >= sliceSize) closeSlice(now());
      } catch (error) {
        reportError(COMPONENT, error);
      }
    },
    observeColumns(columns) {
      if (closed || columns === null || typeof columns !== 'object') return;
      try {
        drain();
        const cols = specs.map((s) => columns[s.name]);
        let rows = 0;
        for (const c of cols) if (c && typeof c.length === 'number') rows = Math.max(rows, c.length);
        let offset = 0;
        while (offset < rows) {
          if (byTime) tick(now());
          const slice = slices[current]!;
          const take = byTime ? rows - offset : Math.min(rows - offset, sliceSize - slice.rows);
          for (let i = 0; i < specs.length; i++) {
            const col = cols[i];
            const acc = slice.accs[i]!;
            const have = col && typeof col.length === 'number' ? Math.min(col.length, offset + take) : offset;
            if (have > offset) acc.addMany(col!, offset, have);
            // Rows past the end of a shorter column (or with no column) are missing values.
            acc.missing += offset + take - Math.max(have, offset);
          }
          slice.rows += take;
          offset += take;
          if (!byTime && slice.rows >= sliceSize) closeSlice(now());
        }
      } catch (error) {
        reportError(COMPONENT, error);
      }
    },
    evaluate() {
      drain();
      const accs = type === 'tumbling' ? slices[current]!.accs : mergeAll();
      const rows = slices.reduce((n, s) => n + s.rows, 0);
      const start = Math.min(...slices.map((s) => s.start));
      const go = () => run(accs, rows, start, now());
      return model ? runWithContext({ model }, go) : go();
    },
    lastReport: () => last,
    flush: () => pending,
    close() {
      if (closed) return;
      closed = true;
      if (timer) clearInterval(timer);
      // The counters keep everything observed, the open slice included.
      fleet?.leave();
    },
  };
}

type InvalidCounts = Record<InvalidReason, number>;

function invalidCounts(): InvalidCounts {
  return { missing: 0, nan: 0, infinite: 0, invalid: 0, unseen: 0 };
}

function invalidOf(acc: Accumulator): InvalidCounts {
  return {
    missing: acc.missing,
    nan: acc.nan,
    infinite: acc.infinite,
    invalid: acc.invalid,
    unseen: acc.kind === 'categorical' ? acc.unseenTotal : 0,
  };
}

function addInvalid(into: InvalidCounts, from: InvalidCounts): void {
  for (const k of Object.keys(into) as InvalidReason[]) into[k] += from[k];
}

function updateMetrics(metrics: DriftMetrics, report: DriftReport): void {
  metrics.share.set(undefined, report.drift_share);
  for (const [feature, f] of Object.entries(report.features)) {
    metrics.detected.set({ feature, method: f.method }, f.drift ? 1 : 0);
    if (f.skipped === undefined) {
      const score = f.p_value !== undefined ? f.p_value : f.statistic;
      if (score !== null && score !== undefined && Number.isFinite(score)) {
        metrics.score.set({ feature, method: f.method }, score);
      }
    }
    if (f.current && f.n_current > 0) {
      metrics.mean.set({ feature }, f.current.mean);
      metrics.variance.set({ feature }, f.current.variance);
      metrics.skew.set({ feature }, f.current.skew);
      metrics.kurtosis.set({ feature }, f.current.kurtosis);
    }
  }
}

function logDrift(warn: BudgetedWrite, feature: string, report: DriftReport): void {
  const f = report.features[feature]!;
  const fields: Record<string, unknown> = {
    event: 'drift_detected',
    feature,
    method: f.method,
    statistic: f.statistic,
    ...(f.p_value !== undefined ? { p_value: f.p_value } : {}),
    ...(f.p_value_adjusted !== undefined ? { p_value_adjusted: f.p_value_adjusted } : {}),
    threshold: f.threshold,
    n_current: f.n_current,
    drift_share: report.drift_share,
    dataset_drift: report.dataset_drift,
  };
  warn(`drift_detected:${feature}`, fields, `drift detected on feature ${feature} (${f.method})`);
}
