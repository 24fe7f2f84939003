import { getContext, runWithContext, startJob, ThreadlineConfigError, withSpan } from '@threadline/core';
import { activeRun, TrainingRun } from './run.js';
import type { TrainingOptions } from './types.js';
import { validateTrainingOptions } from './validate.js';

/** Options, or a function that builds them per call from the instance and the call's arguments. */
export type TrainingOptionsInput<This = unknown, Args extends unknown[] = unknown[]> =
  | TrainingOptions
  | ((self: This, args: Args) => TrainingOptions);

/** The run of the current context (inside `runTraining`, a wrapped function or a decorated method). */
export function currentRun(): TrainingRun | undefined {
  return activeRun(getContext()?.run_id);
}

function inRunContext<R>(run: TrainingRun, options: TrainingOptions, fn: () => R): R {
  const fields = {
    run_id: run.runId,
    attributes: { experiment: run.experiment },
    ...(options.model ? { model: options.model } : {}),
  };
  // A run started inside another context (a request, a parent job) stays part of it; a top-level
  // run is a job of its own with a fresh trace.
  if (getContext()) return runWithContext(fields, fn);
  return startJob(run.experiment, fn, fields);
}

async function execute<R>(
  run: TrainingRun,
  options: TrainingOptions,
  fn: (run: TrainingRun) => R | Promise<R>,
): Promise<R> {
  // The run's own lines (started, finished, failed) are written inside its span, like its epochs'.
  return inRunContext(run, options, () =>
    withSpan('training.run', { run_id: run.runId, 'training.experiment': run.experiment }, async () => {
      await run.begin();
      let result: R;
      try {
        result = await fn(run);
      } catch (error) {
        await run.end('failed', error);
        throw error;
      }
      await run.end('finished');
      return result;
    }),
  );
}

/**
 * Runs `fn` as one training run: `run_id` and the experiment are in the context of everything it
 * does; the run ends finished when `fn` resolves, or failed when it throws (the error is rethrown
 * unchanged). Bad options, or a summary path that cannot be written, reject before `fn` runs.
 */
export function runTraining<R>(
  options: TrainingOptions,
  fn: (run: TrainingRun) => R | Promise<R>,
): Promise<R> {
  let run: TrainingRun;
  try {
    run = new TrainingRun(options);
  } catch (error) {
    return Promise.reject(error);
  }
  return execute(run, options, fn);
}

/**
 * Starts a run by hand (for callback-style loops): returns it once begun. The caller ends it with
 * `run.end()`. Logs inside carry `run_id` explicitly, though the context is not entered.
 */
export async function startRun(options: TrainingOptions): Promise<TrainingRun> {
  const run = new TrainingRun(options);
  await run.begin();
  return run;
}

/** Options per call: static ones are checked once, now; built ones at each call. */
function resolver<This, Args extends unknown[]>(
  input: TrainingOptionsInput<This, Args>,
): (self: This, args: Args) => TrainingOptions {
  if (typeof input === 'function') {
    return (self, args) => {
      const options = input(self, args);
      validateTrainingOptions(options);
      return options;
    };
  }
  validateTrainingOptions(input);
  return () => input;
}

/**
 * Wraps a plain async function so each call is a training run (see `runTraining`). Inside, the run
 * is `currentRun()`. Static options are checked now, so a mistake fails at setup.
 */
export function wrapTraining<This, Args extends unknown[], R>(
  options: TrainingOptionsInput<This, Args>,
  fn: (this: This, ...args: Args) => R | Promise<R>,
): (this: This, ...args: Args) => Promise<Awaited<R>> {
  if (typeof fn !== 'function') throw new ThreadlineConfigError('training', 'wrapTraining needs a function');
  return trainedCall(resolver(options), fn);
}

/** Each call of `fn` is a run with the options resolved for that call; a bad option rejects the call. */
function trainedCall<This, Args extends unknown[], R>(
  resolve: ReturnType<typeof resolver<This, Args>>,
  fn: (this: This, ...args: Args) => R | Promise<R>,
): (this: This, ...args: Args) => Promise<Awaited<R>> {
  return function trained(this: This, ...args: Args): Promise<Awaited<R>> {
    let run: TrainingRun;
    let opts: TrainingOptions;
    try {
      opts = resolve(this, args);
      run = new TrainingRun(opts);
    } catch (error) {
      return Promise.reject(error);
    }
    return execute(run, opts, () => fn.apply(this, args)) as Promise<Awaited<R>>;
  };
}

/**
 * The error for a decorator called the legacy way: TypeScript's `experimentalDecorators` (and
 * Babel's legacy mode) call it with `(prototype, name, descriptor)` instead of `(method, context)`.
 */
function legacyDecoratorError(target: unknown, key: string | symbol): ThreadlineConfigError {
  const owner =
    typeof target === 'function'
      ? target.name
      : (target as { constructor?: { name?: string } })?.constructor?.name;
  const where = `${owner || 'a class'}.${String(key)}`;
  return new ThreadlineConfigError(
    'training',
    `@trackTraining is a standard (TC39) decorator, but ${where} was compiled with TypeScript's ` +
      `legacy "experimentalDecorators": remove experimentalDecorators from tsconfig.json (TypeScript 5+ ` +
      'compiles standard decorators), or wrap the method with wrapTraining() instead',
  );
}

/**
 * Standard (TC39) method decorator: every call of the method is a training run (see
 * `runTraining`); inside, the run is `currentRun()`. Options may be a function of the instance and
 * the arguments. Static options are checked when the class is defined. Legacy decorators
 * (`experimentalDecorators`) are not supported: they fail when the class is defined, saying so.
 *
 * @example
 * class Trainer {
 *   @trackTraining({ experiment: 'iris-softmax' })
 *   async train(epochs: number) { currentRun()!.logEpoch(0, { loss: 0.9 }); }
 * }
 */
export function trackTraining(options: TrainingOptionsInput<unknown, unknown[]>) {
  const resolve = resolver(options);
  return function decorate<This, Args extends unknown[], R>(
    target: (this: This, ...args: Args) => Promise<R>,
    context: ClassMethodDecoratorContext<This, (this: This, ...args: Args) => Promise<R>>,
  ): (this: This, ...args: Args) => Promise<R> {
    const given = context as unknown;
    if (typeof given === 'string' || typeof given === 'symbol') throw legacyDecoratorError(target, given);
    if (context?.kind !== 'method') {
      const what = context?.kind ? `, not a ${context.kind} (${String(context.name)})` : '';
      throw new ThreadlineConfigError('training', `@trackTraining decorates class methods only${what}`);
    }
    return trainedCall(resolve as ReturnType<typeof resolver<This, Args>>, target) as (
      this: This,
      ...args: Args
    ) => Promise<R>;
  };
}
