import {
  type AnyRegistry,
  bindContext,
  type ContextGauge,
  check,
  createGauge,
  reportError,
  ThreadlineConfigError,
} from '@threadline/core';
import { modelCodes } from './codes.js';
import { withModel } from './context.js';
import type { MonitorCore } from './internal-types.js';
import { LineBudget, writeLine } from './log.js';
import { modelMetricOptions } from './metrics.js';
import { predictorInternals } from './predictor-internals.js';
import type { Prediction, Predictor, ShadowOptions } from './types.js';

const COMPONENT = 'model.shadow';

/** Running totals of one (primary, shadow) pair, for the disagreement ratio gauge. */
export interface ShadowPair {
  readonly labels: Record<string, string>;
  comparisons: number;
  disagreements: number;
}

/**
 * Builds a predictor that answers with `primary` and runs `shadow` on the same input without
 * touching the answer. The shadow starts only after the primary has answered (`after`) or on the
 * next turn of the event loop (`parallel`); it is abandoned past `budgetMs`; whatever it does
 * (throw, hang, return garbage) is counted and logged, never seen by the caller.
 */
export function createShadow<I, O>(
  core: MonitorCore,
  pairs: Map<string, ShadowPair>,
  options: ShadowOptions<I, O>,
): Predictor<I, O> {
  check.keys(COMPONENT, options, [
    'primary',
    'shadow',
    'budgetMs',
    'mode',
    'tolerance',
    'sampleRate',
    'disagreementLogsPerMinute',
  ]);
  const { primary, shadow } = options;
  const p = predictorInternals(primary);
  const sh = predictorInternals(shadow);
  if (!p || !sh)
    throw new ThreadlineConfigError(
      COMPONENT,
      'primary and shadow must be predictors made by monitor.instrument()',
    );
  if (primary.model === shadow.model) {
    throw new ThreadlineConfigError(COMPONENT, 'primary and shadow must be different model versions');
  }
  const budgetMs = check.number(COMPONENT, 'budgetMs', options.budgetMs, 1000, {
    min: 1,
    max: 2_147_483_647,
  });
  const mode = check.oneOf(COMPONENT, 'mode', options.mode, ['after', 'parallel'], 'after');
  const tolerance = check.number(COMPONENT, 'tolerance', options.tolerance, 0, { min: 0 });
  const sampleRate = check.number(COMPONENT, 'sampleRate', options.sampleRate, 1, { min: 0, max: 1 });
  const logs = new LineBudget(
    check.number(COMPONENT, 'disagreementLogsPerMinute', options.disagreementLogsPerMinute, 10, {
      min: 0,
      integer: true,
    }),
  );
  const key = `${shadow.model.name}\u0000${shadow.model.version}\u0000${primary.model.version}`;
  let pair = pairs.get(key);
  if (!pair) {
    pair = {
      labels: { ...sh.cell.labels, baseline_version: primary.model.version },
      comparisons: 0,
      disagreements: 0,
    };
    pairs.set(key, pair);
  }
  const totals = pair;

  const disagree = (a: string | number | undefined, b: string | number | undefined): boolean => {
    if (typeof a === 'number' && typeof b === 'number') return !(Math.abs(a - b) <= tolerance);
    return a !== b;
  };

  const compare = (primaryResult: Prediction<O>, shadowResult: Prediction<O>): void => {
    const batch = p.batch && Array.isArray(primaryResult.output) && Array.isArray(shadowResult.output);
    const a: readonly unknown[] = batch ? (primaryResult.output as unknown[]) : [primaryResult.output];
    const b: readonly unknown[] = batch ? (shadowResult.output as unknown[]) : [shadowResult.output];
    const n = Math.max(a.length, b.length);
    let differ = 0;
    let first = -1;
    for (let i = 0; i < n; i++) {
      if (disagree(i < a.length ? p.read(a[i]) : undefined, i < b.length ? sh.read(b[i]) : undefined)) {
        differ++;
        if (first < 0) first = i;
      }
    }
    totals.comparisons += n;
    totals.disagreements += differ;
    core.metrics.shadowComparisons.inc(totals.labels, n);
    if (differ === 0) return;
    core.metrics.shadowDisagreements.inc(totals.labels, differ);
    if (!logs.take()) return;
    // Written as the primary's line: it is the version whose answer the caller got.
    withModel(primary.model, () =>
      writeLine(
        core.logger,
        'info',
        {
          event: 'model_shadow_disagreement',
          prediction_id: primaryResult.predictionIds?.[first] ?? primaryResult.predictionId,
          shadow_prediction_id: shadowResult.predictionIds?.[first] ?? shadowResult.predictionId,
          baseline_version: primary.model.version,
          shadow_version: shadow.model.version,
          primary_output: p.read(a[first]),
          shadow_output: first < b.length ? sh.read(b[first]) : undefined,
          disagreements: differ,
          compared: n,
          suppressed_lines: logs.drainSuppressed(),
        },
        'shadow model disagreed with the primary',
      ),
    );
  };

  const failed = (reason: 'exception' | 'timeout', error?: unknown): void => {
    if (reason === 'timeout') core.metrics.errors.inc({ ...sh.cell.labels, error_type: 'timeout' });
    core.warn(
      'shadow',
      {
        event: 'model_shadow_failed',
        code: modelCodes.SHADOW_FAILED,
        reason,
        shadow_version: shadow.model.version,
        baseline_version: primary.model.version,
        error_message:
          error instanceof Error ? error.message : error === undefined ? undefined : String(error),
      },
      reason === 'timeout' ? `shadow model ran past its ${budgetMs} ms budget` : 'shadow model failed',
    );
  };

  /** Runs the shadow; `primaryDone` resolves with the primary's answer (or undefined if it failed). */
  const runShadow = (input: I, primaryDone: Promise<Prediction<O> | undefined>): void => {
    let result: Promise<Prediction<O>>;
    try {
      result = shadow(input);
    } catch (error) {
      failed('exception', error);
      return;
    }
    let over = false;
    const timer = setTimeout(() => {
      over = true;
      failed('timeout');
    }, budgetMs);
    timer.unref?.();
    result.then(
      (shadowResult) => {
        clearTimeout(timer);
        if (over) return;
        primaryDone.then(
          (primaryResult) => {
            try {
              if (primaryResult) compare(primaryResult, shadowResult);
            } catch (error) {
              reportError(COMPONENT, error);
            }
          },
          () => {},
        );
      },
      (error: unknown) => {
        clearTimeout(timer);
        if (!over) failed('exception', error);
      },
    );
  };

  const predictor = ((input: I): Promise<Prediction<O>> => {
    if (sampleRate < 1 && Math.random() >= sampleRate) return primary(input);
    const answer = primary(input);
    const settled = answer.then(
      (r) => r,
      () => undefined,
    );
    // The shadow runs in the caller's context (its request ID joins the shadow's lines), but
    // later, so nothing it does can delay or change the primary's answer.
    const start = bindContext(() => runShadow(input, settled));
    if (mode === 'parallel') setImmediate(start);
    else
      settled.then((r) => {
        if (r) setImmediate(start);
      });
    return answer;
  }) as Predictor<I, O>;
  Object.defineProperty(predictor, 'model', { value: primary.model, enumerable: true });
  return predictor;
}

/**
 * `model_shadow_disagreement_ratio`: disagreements over comparisons per (shadow, primary) pair
 * since the monitor started, set from the pairs' running totals at scrape time.
 */
export function createShadowRatio(registry: AnyRegistry, pairs: ReadonlyMap<string, ShadowPair>): void {
  const ratio: ContextGauge<'model_name' | 'model_version' | 'baseline_version'> = createGauge({
    name: 'model_shadow_disagreement_ratio',
    help: 'Disagreements over comparisons since the monitor started.',
    labelNames: ['model_name', 'model_version', 'baseline_version'],
    // A ratio summed over cluster workers is meaningless; their mean is the fleet view.
    aggregator: 'average',
    ...modelMetricOptions(registry),
    collect() {
      ratio.metric.reset();
      for (const pair of pairs.values()) {
        if (pair.comparisons > 0) ratio.set(pair.labels, pair.disagreements / pair.comparisons);
      }
    },
  });
}
