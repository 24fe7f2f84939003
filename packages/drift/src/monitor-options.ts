import {
  check,
  getContext,
  type LogSink,
  type ModelRef,
  resolveEventSink,
  ThreadlineConfigError,
} from '@threadline/core';
import { methodFor, type ResolvedTestOptions, resolveTestOptions, TEST_OPTION_KEYS } from './evaluate.js';
import { loadProfile } from './profile.js';
import type { WindowShape } from './slices.js';
import type { DriftMonitorOptions, DriftProfile, DriftReport } from './types.js';

const COMPONENT = 'drift';
const OPTION_KEYS = [
  'reference',
  'window',
  'registry',
  'metrics',
  'model',
  'logger',
  'onReport',
  'now',
  ...TEST_OPTION_KEYS,
];

/** A drift monitor's options, checked once at setup. */
export interface ResolvedMonitorOptions {
  readonly profile: DriftProfile;
  readonly tests: ResolvedTestOptions;
  readonly shape: WindowShape;
  readonly now: () => number;
  readonly onReport: ((report: DriftReport) => void) | undefined;
  readonly logger: LogSink | undefined;
  readonly model: ModelRef | undefined;
  readonly metrics: boolean;
}

/** Checks a drift monitor's options; throws `ThreadlineConfigError` for a bad one. */
export function resolveMonitorOptions(options: DriftMonitorOptions): ResolvedMonitorOptions {
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
  return {
    profile,
    tests,
    shape: resolveWindow(options.window ?? {}),
    now: check.fn<() => number>(COMPONENT, 'now', options.now, Date.now),
    onReport: check.fn<((r: DriftReport) => void) | undefined>(
      COMPONENT,
      'onReport',
      options.onReport,
      undefined,
    ),
    logger: resolveEventSink(COMPONENT, options.logger),
    model: options.model ?? getContext()?.model,
    metrics: check.boolean(COMPONENT, 'metrics', options.metrics, true),
  };
}

/** The window option: tumbling or sliding, by rows (default 1000) or by time; 10 slices when sliding. */
export function resolveWindow(win: DriftMonitorOptions['window'] = {}): WindowShape {
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
  return { type, byTime, sliceCount, sliceSize };
}
