import { contextStorage, type ModelRef, setContext, type ThreadlineContext } from '@threadline/core';

const storage = contextStorage();

/**
 * The child of `parent` with `model` set: the fields core's `runWithContext` would give it. Built
 * with Object.assign on purpose: V8 (Node 20) takes `{ ...parent }` followed by a key the parent
 * lacks off its fast path, about 0.8 µs per call, more than the rest of an instrumented call.
 */
function childWith(parent: ThreadlineContext | undefined, model: ModelRef): ThreadlineContext {
  if (!parent) return { attributes: {}, model };
  const ctx: ThreadlineContext = Object.assign({}, parent);
  ctx.attributes = Object.assign({}, parent.attributes);
  ctx.model = model;
  return ctx;
}

/**
 * Runs `fn(arg)` with `model` as the context's model (see `withModel`). Taking the argument
 * instead of a closure lets a predictor run without allocating a function per call.
 */
export function callWithModel<A, R>(model: ModelRef, fn: (arg: A) => R, arg: A): R {
  const current = storage.getStore();
  if (current?.model === model) return fn(arg);
  return storage.run(childWith(current, model), fn, arg);
}

/**
 * Runs `fn` with `model` as the context's model, so every log line, metric and span beneath it
 * carries `model_name`/`model_version`. A child context: the caller's request and trace stay.
 */
export function withModel<R>(model: ModelRef, fn: () => R): R {
  return callWithModel(model, fn, undefined);
}

/**
 * Binds `model` to the current request's context (the one an HTTP adapter created), so the access
 * line and request metrics written at the end of the request carry it too. Returns false outside
 * any context.
 */
export function bindModel(model: ModelRef): boolean {
  return setContext({ model });
}
