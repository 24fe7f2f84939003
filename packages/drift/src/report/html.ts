import { check, renderPage, ThreadlineConfigError } from '@threadline/core';
import { createDriftMonitor } from '../monitor.js';
import { type Table, toColumns } from '../profile.js';
import type { DriftProfile, DriftReport, DriftTestOptions } from '../types.js';
import { driftReportView } from './data.js';
import { DRIFT_SCRIPT } from './script.js';

const COMPONENT = 'drift.report';

/** What `renderDriftReport` draws. */
export interface DriftReportInput {
  /** The report to show (from `compareTables`, a monitor, or the command line's JSON). */
  readonly report: DriftReport;
  /** The reference profile: reference distributions and moments. */
  readonly reference: DriftProfile;
  /** The current rows or columns the report was computed on: current distributions. */
  readonly current: Table;
  /** Page title (default "Data drift report"). */
  readonly title?: string;
  /** Time printed as the report's date (default now). */
  readonly now?: Date;
}

const STYLE = `
#features{grid-template-columns:repeat(auto-fill,minmax(420px,1fr))}
table.test th{width:40%}table.moments,table.invalid{margin-top:8px}
`;

/**
 * One self-contained HTML page (uPlot inlined, no network at view time) showing a drift report:
 * the dataset decision and its rule, then per feature, by drift score, the reference and current
 * distributions over each other, the test and its numbers, the moments side by side and the invalid
 * values. The numbers are the report's own. Names and categories are escaped and cut to length.
 */
export function renderDriftReport(input: DriftReportInput): string {
  check.keys(COMPONENT, input, ['report', 'reference', 'current', 'title', 'now']);
  if (!input.report || typeof input.report.features !== 'object')
    throw new ThreadlineConfigError(COMPONENT, 'report must be a drift report');
  const title = check.string(COMPONENT, 'title', input.title, 'Data drift report');
  const view = driftReportView(input.report, input.reference, input.current, title, input.now);
  return renderPage({ title, data: view, script: DRIFT_SCRIPT, style: STYLE });
}

/** Options of `driftReportHtml`. */
export interface DriftReportHtmlOptions extends DriftTestOptions {
  readonly title?: string;
  readonly now?: Date;
}

/**
 * The drift report page for a reference profile and a current window of rows or columns, tested as
 * the streaming monitor tests a window (same methods, thresholds and corrections). Returns the HTML.
 */
export function driftReportHtml(
  reference: DriftProfile,
  current: Table,
  options: DriftReportHtmlOptions = {},
): string {
  const { title, now, ...tests } = options;
  const columns = toColumns(current, Array.isArray(current) ? Object.keys(reference.features) : undefined);
  const rows = Math.max(0, ...Object.values(columns).map((c) => c.length));
  // One window holding every row: it never fills, so it is evaluated once, here.
  const monitor = createDriftMonitor({ ...tests, reference, metrics: false, window: { rows: rows + 1 } });
  try {
    monitor.observeColumns(columns);
    const report = monitor.evaluate();
    return renderDriftReport({
      report,
      reference,
      current: columns,
      ...(title !== undefined ? { title } : {}),
      ...(now ? { now } : {}),
    });
  } finally {
    monitor.close();
  }
}
