import { type BudgetedWrite, reportError, safeCall } from '@threadline/core';
import type { DriftMetrics } from './metrics.js';
import type { DriftReport } from './types.js';

const COMPONENT = 'drift';

/**
 * Where a monitor's reports go: the metrics, one `drift_detected` line when a feature crosses its
 * threshold (no drift before, drift now; a skipped feature keeps its state), and `onReport`.
 * Never throws: a failing metric update or callback is reported on the diagnostics channel.
 */
export class ReportPublisher {
  private readonly drifting = new Map<string, boolean>();
  private last: DriftReport | undefined;

  constructor(
    private readonly metrics: DriftMetrics | undefined,
    private readonly warn: BudgetedWrite,
    private readonly onReport: ((report: DriftReport) => void) | undefined,
  ) {}

  /** The last report published, if any. */
  lastReport(): DriftReport | undefined {
    return this.last;
  }

  publish(report: DriftReport): void {
    this.last = report;
    if (this.metrics) {
      try {
        updateMetrics(this.metrics, report);
      } catch (error) {
        reportError(COMPONENT, error);
      }
    }
    for (const [name, f] of Object.entries(report.features)) {
      const was = this.drifting.get(name) ?? false;
      if (f.skipped !== undefined) continue;
      this.drifting.set(name, f.drift);
      // One budget per feature: a profile's features are a bounded set, and one feature flapping
      // across its threshold cannot crowd out the others' lines.
      if (f.drift && !was) logDrift(this.warn, name, report);
    }
    if (this.onReport) safeCall(COMPONENT, this.onReport, [report]);
  }
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
