import type { ValidationOutcome } from './evaluate.js';
import type { Settings } from './settings.js';

// Failed checks listed in one log line; the counts cover the rest.
const MAX_LOGGED_FAILURES = 20;

/** Counts every check, and writes one line when anything failed. */
export function record(settings: Settings, outcome: ValidationOutcome): void {
  const { result } = outcome;
  const { checks, failures } = settings.metrics;
  for (const r of result.results) {
    const labels = { feature: r.feature, check: r.check };
    checks.inc(labels);
    if (!r.success) failures.inc(labels);
  }
  const stats = result.statistics;
  if (stats.unsuccessful_checks === 0 || !settings.logging) return;
  const failed = result.results.filter((r) => !r.success);
  const outcomeWord = outcome.rejected ? 'rejected' : result.dropped_row_count > 0 ? 'dropped' : 'passed';
  const fields: Record<string, unknown> = {
    event: 'validation_failed',
    ...(settings.name ? { validator: settings.name } : {}),
    mode: result.mode,
    outcome: outcomeWord,
    rows: result.row_count,
    valid_rows: result.valid_row_count,
    dropped_rows: result.dropped_row_count,
    errors: stats.errors,
    warnings: stats.warnings,
    failed_checks: failed.slice(0, MAX_LOGGED_FAILURES).map((r) => ({
      feature: r.feature,
      check: r.check,
      severity: r.severity,
      unexpected_count: r.unexpected_count,
      unexpected_percent: r.unexpected_percent,
      observed_value: r.observed_value,
      sample: r.partial_unexpected_list,
    })),
  };
  const level = stats.errors > 0 && result.mode !== 'warn' ? 'error' : 'warn';
  const message =
    `data validation failed: ${stats.unsuccessful_checks} of ${stats.evaluated_checks} checks ` +
    `(${stats.errors} errors, ${stats.warnings} warnings), ${outcomeWord}`;
  settings.log('validation_failed', fields, message, level);
}
