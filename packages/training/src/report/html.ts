import { check, renderPage, ThreadlineConfigError } from '@threadline/core';
import { trainingReportView } from './data.js';
import type { TrainingRunInput } from './runs.js';
import { TRAINING_SCRIPT } from './script.js';

const COMPONENT = 'training.report';

/** Options of `renderTrainingReport`. */
export interface TrainingReportOptions {
  /** Page title (default "Training report"). */
  readonly title?: string;
  /** Time printed as the report's date (default now). */
  readonly now?: Date;
}

const STYLE = `
tr.differs th,tr.differs td{background:#fff8c5}.swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px}
.failure{border-left:4px solid var(--bad);padding-left:12px;margin:8px 0}pre{white-space:pre-wrap;font-size:12px;max-height:240px;overflow:auto}
`;

/**
 * One self-contained HTML page (uPlot inlined, no network at view time) comparing training runs:
 * status, durations, params and dataset version side by side, the failure of a failed run, and
 * per-epoch (and per-step) curves of every logged metric, one line per run. Each run is its
 * summary (`summaryPath`'s JSON) and/or its log records; names and messages are escaped and cut.
 */
export function renderTrainingReport(
  runs: readonly TrainingRunInput[],
  options: TrainingReportOptions = {},
): string {
  check.keys(COMPONENT, options, ['title', 'now']);
  if (!Array.isArray(runs) || runs.length === 0)
    throw new ThreadlineConfigError(COMPONENT, 'expected at least one run (a summary or its records)');
  for (const [i, r] of runs.entries()) {
    if (!r || (r.summary === undefined && (r.records?.length ?? 0) === 0))
      throw new ThreadlineConfigError(COMPONENT, `run ${i} has neither a summary nor records`);
  }
  const title = check.string(COMPONENT, 'title', options.title, 'Training report');
  return renderPage({
    title,
    data: trainingReportView(runs, title, options.now),
    script: TRAINING_SCRIPT,
    style: STYLE,
  });
}
