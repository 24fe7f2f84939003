import { getContext, type ModelRef, runWithContext, setContext } from '@threadline/core';

/**
 * Runs `fn` with `model` as the context's model, so every log line, metric and span beneath it
 * carries `model_name`/`model_version`. A child context: the caller's request and trace stay.
 */
export function withModel<R>(model: ModelRef, fn: () => R): R {
  if (getContext()?.model === model) return fn();
  return runWithContext({ model }, fn);
}

/**
 * Binds `model` to the current request's context (the one an HTTP adapter created), so the access
 * line and request metrics written at the end of the request carry it too. Returns false outside
 * any context.
 */
export function bindModel(model: ModelRef): boolean {
  return setContext({ model });
}
