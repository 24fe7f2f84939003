import { displayText } from '@threadline/core';
import { metricFieldName } from '../index.js';
import type { ParamValue, RunSummary } from '../types.js';
import type { TrainingRunInput } from './runs.js';

/** Most epochs drawn per run (later ones are counted, not drawn). */
export const MAX_EPOCH_POINTS = 10_000;
/** Most step points drawn per run: longer runs are thinned evenly. */
export const MAX_STEP_POINTS = 2000;
/** Most metric charts per scope. */
export const MAX_METRICS = 40;
/** Longest error message shown. */
const MAX_MESSAGE = 4000;

/** Fields of a training line that are not metrics. */
const NOT_METRICS = new Set([
  'time',
  'level',
  'message',
  'msg',
  'service',
  'event',
  'run_id',
  'experiment',
  'job',
  'step',
  'epoch',
  'status',
  'request_id',
  'trace_id',
  'span_id',
  'trace_flags',
  'model_name',
  'model_version',
  'model_alias',
  'duration_ms',
  'out_of_order',
  'duplicate',
  'non_finite_metrics',
  'pid',
  'hostname',
]);

/** Curves of one scope (epochs or steps) of one run. */
export interface Curves {
  /** Epoch or step indexes, ascending. */
  readonly x: number[];
  /** Metric name to its value per index (null where not logged or not finite). */
  readonly metrics: Record<string, (number | null)[]>;
  /** Epoch durations (epochs only). */
  readonly duration_ms?: (number | null)[];
  /** Indexes seen but not drawn (past the limits, or thinned). */
  readonly dropped: number;
}

/** One run as the report shows it. */
export interface RunView {
  readonly run_id: string;
  readonly label: string;
  readonly experiment: string | null;
  readonly status: string;
  readonly started_at: string | null;
  readonly ended_at: string | null;
  readonly duration_ms: number | null;
  readonly params: Record<string, ParamValue>;
  readonly dataset_version: string | null;
  readonly model: { name: string; version: string } | null;
  readonly git_sha: string | null;
  readonly epochs: number | null;
  readonly steps: number | null;
  readonly epoch_ms: { total: number; min: number | null; max: number | null } | null;
  /** Final and best values from the summary, per scope and metric. */
  readonly final: Record<string, { last: number | null; best: number | null; goal: string }>;
  readonly error: { name: string; message: string; stack?: string } | null;
  readonly signal: string | null;
  readonly has_summary: boolean;
  readonly epoch_curves: Curves;
  readonly step_curves: Curves;
}

/** The report's data, embedded in the page as JSON. */
export interface TrainingReportView {
  readonly title: string;
  readonly generated_at: string;
  readonly runs: RunView[];
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Metric name of a line's field: the summary's own name when it maps to this field. */
function namer(summary: RunSummary | undefined, scope: 'step' | 'epoch'): (field: string) => string {
  const known = new Map<string, string>();
  for (const name of Object.keys(summary?.metrics?.[scope] ?? {})) known.set(metricFieldName(name), name);
  return (field) => known.get(field) ?? (field.startsWith('metric_') ? field.slice(7) : field);
}

function curves(
  records: readonly Readonly<Record<string, unknown>>[],
  event: string,
  key: 'epoch' | 'step',
  name: (field: string) => string,
  max: number,
): Curves {
  // The last line for an index wins (a duplicate index is logged again with the new values).
  const byIndex = new Map<number, Readonly<Record<string, unknown>>>();
  for (const r of records) {
    const i = num(r[key]);
    if (r.event === event && i !== null) byIndex.set(i, r);
  }
  let xs = [...byIndex.keys()].sort((a, b) => a - b);
  const seen = xs.length;
  if (key === 'epoch') xs = xs.slice(0, max);
  else if (xs.length > max) {
    const stride = xs.length / max;
    xs = Array.from({ length: max }, (_, j) => xs[Math.floor(j * stride)]!);
  }
  const metrics: Record<string, (number | null)[]> = {};
  const names: string[] = [];
  xs.forEach((x, j) => {
    for (const [field, v] of Object.entries(byIndex.get(x)!)) {
      if (NOT_METRICS.has(field) || typeof v !== 'number') continue;
      const n = displayText(name(field), 200);
      let series = metrics[n];
      if (!series) {
        if (names.length >= MAX_METRICS) continue;
        names.push(n);
        series = new Array<number | null>(xs.length).fill(null);
        metrics[n] = series;
      }
      series[j] = num(v);
    }
  });
  return {
    x: xs,
    metrics,
    ...(key === 'epoch' ? { duration_ms: xs.map((x) => num(byIndex.get(x)!.duration_ms)) } : {}),
    dropped: seen - xs.length,
  };
}

function fromRecords(records: readonly Readonly<Record<string, unknown>>[], event: string) {
  return records.find((r) => r.event === event);
}

function runView(input: TrainingRunInput, index: number): RunView {
  const s = input.summary;
  const records = input.records ?? [];
  const started = fromRecords(records, 'training_started');
  const ended =
    fromRecords(records, 'training_finished') ??
    fromRecords(records, 'training_failed') ??
    fromRecords(records, 'training_killed');
  const runId = s?.run_id ?? String(records[0]?.run_id ?? `run ${index + 1}`);
  const final: RunView['final'] = {};
  for (const scope of ['epoch', 'step'] as const) {
    for (const [name, m] of Object.entries(s?.metrics?.[scope] ?? {}))
      final[`${scope}:${displayText(name, 200)}`] = { last: m.last, best: m.best, goal: m.goal };
  }
  const errorOf = (): RunView['error'] => {
    const e =
      s?.error ??
      (ended?.event === 'training_failed'
        ? { name: String(ended.error_type ?? 'Error'), message: String(ended.error_message ?? '') }
        : null);
    if (!e) return null;
    return {
      name: displayText(String(e.name), 200),
      message: displayText(String(e.message), MAX_MESSAGE),
      ...(e.stack ? { stack: displayText(String(e.stack), MAX_MESSAGE) } : {}),
    };
  };
  const status = s?.status ?? String(ended?.status ?? started?.status ?? 'unknown');
  return {
    run_id: displayText(runId, 200),
    label: displayText(`${s?.experiment ?? started?.experiment ?? 'run'} · ${runId.slice(0, 8)}`, 80),
    experiment: s?.experiment ?? (typeof started?.experiment === 'string' ? started.experiment : null),
    status: displayText(status, 40),
    started_at: s?.started_at ?? (typeof started?.time === 'string' ? started.time : null),
    ended_at: s?.ended_at ?? (typeof ended?.time === 'string' ? ended.time : null),
    duration_ms: s?.duration_ms ?? num(ended?.duration_ms),
    params: s?.params ?? (started?.params as Record<string, ParamValue> | undefined) ?? {},
    dataset_version:
      s?.dataset_version ?? (typeof started?.dataset_version === 'string' ? started.dataset_version : null),
    model: s?.model ?? null,
    git_sha: s?.environment?.git_sha ?? null,
    epochs: s?.epochs?.count ?? null,
    steps: s?.steps?.count ?? null,
    epoch_ms:
      s?.epochs && s.epochs.count > 0
        ? { total: s.epochs.total_ms, min: s.epochs.min_ms, max: s.epochs.max_ms }
        : null,
    final,
    error: errorOf(),
    signal: s?.signal ?? (typeof ended?.signal === 'string' ? ended.signal : null),
    has_summary: s !== undefined,
    epoch_curves: curves(records, 'training_epoch', 'epoch', namer(s, 'epoch'), MAX_EPOCH_POINTS),
    step_curves: curves(records, 'training_step', 'step', namer(s, 'step'), MAX_STEP_POINTS),
  };
}

/** Builds what the page shows from the runs' summaries and records. */
export function trainingReportView(
  runs: readonly TrainingRunInput[],
  title: string,
  now: Date = new Date(),
): TrainingReportView {
  return { title, generated_at: now.toISOString(), runs: runs.map(runView) };
}
