import { check, ThreadlineConfigError } from '@threadline/core';
import type { MonitorCore, VersionCell } from './internal-types.js';
import type { ModelTask, PredictOptions } from './types.js';
import type { QualitySpec } from './window.js';

const COMPONENT = 'model.instrument';
/** The class every predicted label outside the declared set is counted as. */
export const OTHER_CLASS = '__other__';
const KNOWN = [
  'task',
  'preprocess',
  'postprocess',
  'batch',
  'inputSize',
  'label',
  'classes',
  'positiveClass',
  'score',
  'value',
  'timeoutMs',
  'trackOutcomes',
];

/** The options of one predictor, checked once when it is made. */
export interface Settings<I, P, R, O, T> {
  readonly task: ModelTask | undefined;
  readonly preprocess: ((input: I) => P | Promise<P>) | undefined;
  readonly postprocess: ((raw: R) => O | Promise<O>) | undefined;
  readonly batch: boolean;
  readonly inputSize: (input: I) => number | undefined;
  /** True when the user gave `inputSize`: only then is `model_input_size` observed. */
  readonly sizeHistogram: boolean;
  readonly label: ((item: T) => string) | undefined;
  readonly score: ((item: T) => number) | undefined;
  readonly value: ((item: T) => number) | undefined;
  readonly timeoutMs: number;
  readonly track: boolean;
  readonly spec: QualitySpec | undefined;
}

function defaultSize(input: unknown): number | undefined {
  if (typeof input === 'string' || Array.isArray(input)) return input.length;
  if (ArrayBuffer.isView(input)) return (input as unknown as { length?: number }).length;
  return undefined;
}

function checkClasses(classes: readonly string[] | undefined): void {
  if (classes === undefined) return;
  const ok =
    Array.isArray(classes) &&
    classes.length > 0 &&
    classes.length <= 100 &&
    classes.every((c) => typeof c === 'string' && c !== '' && c.length <= 128 && c !== OTHER_CLASS) &&
    new Set(classes).size === classes.length;
  if (!ok) {
    throw new ThreadlineConfigError(
      COMPONENT,
      'option classes must be 1 to 100 distinct non-empty strings of at most 128 characters',
    );
  }
}

/** The task of a predictor: given, or read from the options that only one task has. */
function resolveTask<I, P, R, O, T>(o: PredictOptions<I, P, R, O, T>): ModelTask | undefined {
  const task = check.oneOf<ModelTask | 'auto'>(
    COMPONENT,
    'task',
    o.task,
    ['classification', 'regression'],
    'auto',
  );
  if (task !== 'auto') return task;
  if (o.label || o.classes || o.score) return 'classification';
  return o.value ? 'regression' : undefined;
}

/** The quality spec of a predictor's options, or undefined when it has no task. */
function qualitySpec<I, P, R, O, T>(
  core: MonitorCore,
  o: PredictOptions<I, P, R, O, T>,
  task: ModelTask | undefined,
): QualitySpec | undefined {
  const classes = o.classes;
  if (task === 'classification' && classes === undefined) {
    throw new ThreadlineConfigError(
      COMPONENT,
      'a classification predictor needs option classes (the declared label set)',
    );
  }
  const positive = check.string(COMPONENT, 'positiveClass', o.positiveClass, undefined);
  if (positive !== undefined && !classes?.includes(positive)) {
    throw new ThreadlineConfigError(COMPONENT, 'option positiveClass must be one of classes');
  }
  if (o.score && positive === undefined) {
    throw new ThreadlineConfigError(
      COMPONENT,
      'option score needs positiveClass (the class the score is for)',
    );
  }
  if (!task) return undefined;
  return {
    task,
    classes: [...(classes ?? [])],
    classIndex: new Map((classes ?? []).map((c, i) => [c, i])),
    positive: positive === undefined ? -1 : classes!.indexOf(positive),
    aucBuckets: core.store.aucBuckets,
  };
}

/**
 * Binds a spec to its model version: every predictor of one version shares its task and class
 * set, and the class series (declared classes and `__other__`) are resolved here, once.
 */
function bindSpec(core: MonitorCore, cell: VersionCell, spec: QualitySpec): void {
  const prior = cell.spec;
  if (
    prior &&
    (prior.task !== spec.task ||
      prior.positive !== spec.positive ||
      prior.classes.join('\u0000') !== spec.classes.join('\u0000'))
  ) {
    throw new ThreadlineConfigError(
      COMPONENT,
      `model ${cell.model.name}@${cell.model.version} is already instrumented with another task or class set`,
    );
  }
  cell.spec = spec;
  for (const c of [...spec.classes, OTHER_CLASS]) {
    if (!cell.classes.has(c))
      cell.classes.set(c, core.metrics.outputClass.series({ ...cell.labels, class: c }));
  }
}

/** Checks a predictor's options (throws `ThreadlineConfigError`) and binds its spec to the version. */
export function settings<I, P, R, O, T>(
  core: MonitorCore,
  cell: VersionCell,
  options: PredictOptions<I, P, R, O, T>,
): Settings<I, P, R, O, T> {
  check.keys(COMPONENT, options, KNOWN);
  const o = options ?? {};
  checkClasses(o.classes);
  const task = resolveTask(o);
  const spec = qualitySpec(core, o, task);
  if (spec) bindSpec(core, cell, spec);
  // Every key is always present (undefined when unset), so all predictors share one object shape
  // and the hot path's property reads stay monomorphic.
  const s: Settings<I, P, R, O, T> = {
    task,
    preprocess: check.fn(COMPONENT, 'preprocess', o.preprocess, undefined),
    postprocess: check.fn(COMPONENT, 'postprocess', o.postprocess, undefined),
    batch: check.boolean(COMPONENT, 'batch', o.batch, false),
    inputSize: check.fn(COMPONENT, 'inputSize', o.inputSize, defaultSize as (input: I) => number | undefined),
    sizeHistogram: o.inputSize !== undefined,
    label: check.fn(COMPONENT, 'label', o.label, undefined),
    score: check.fn(COMPONENT, 'score', o.score, undefined),
    value: check.fn(COMPONENT, 'value', o.value, undefined),
    timeoutMs: check.number(COMPONENT, 'timeoutMs', o.timeoutMs, 0, { min: 0, max: 2_147_483_647 }),
    track: check.boolean(COMPONENT, 'trackOutcomes', o.trackOutcomes, true) && spec !== undefined,
    spec,
  };
  return s;
}
