import { type ModelRef, runWithContext, safeCall, setContext, ThreadlineConfigError } from '@threadline/core';
import { withModel } from './context.js';
import type { DeclaredModel } from './types.js';
import type { ModelVersions } from './versions.js';

const COMPONENT = 'model.monitor';

/** What selects the model of a request: a declared model, a name (and version or alias), or a function of the request. */
export type ModelSelector<Req> =
  | DeclaredModel
  | string
  | ((request: Req) => DeclaredModel | string | undefined);

/** A Connect/Express-style middleware (no import of Express needed). */
export type ExpressLikeMiddleware = (req: unknown, res: unknown, next: (error?: unknown) => void) => void;
/** A Koa-style middleware (no import of Koa needed). */
export type KoaLikeMiddleware = (ctx: unknown, next: () => Promise<unknown>) => Promise<unknown>;

/**
 * Binds a selected model to a request or a block of work: resolves selectors among the declared
 * versions and puts the model in context, where every log line, metric and span picks it up.
 */
export class ModelSelection {
  constructor(private readonly versions: ModelVersions) {}

  /** The model a selector picks for this request, or undefined (unknown names are counted). */
  select<Req>(selector: ModelSelector<Req>, request: Req): DeclaredModel | undefined {
    const chosen =
      typeof selector === 'function' ? safeCall(COMPONENT, selector, [request], undefined) : selector;
    if (chosen === undefined) return undefined;
    if (typeof chosen === 'string') {
      const at = chosen.indexOf('@');
      return at > 0
        ? this.versions.resolve(chosen.slice(0, at), chosen.slice(at + 1))
        : this.versions.resolve(chosen);
    }
    if (this.versions.cellOf(chosen as DeclaredModel)) return chosen as DeclaredModel;
    const ref = chosen as ModelRef;
    return this.versions.resolve(ref?.name, ref?.version);
  }

  /** Runs `fn` with the model in context; an unknown one is counted and `fn` runs without it. */
  withModel<R>(model: DeclaredModel | string, fn: () => R): R {
    const found = this.select(model, undefined);
    return found ? withModel(found, fn) : fn();
  }

  /** An Express/Connect middleware (see `ModelMonitor.express`). */
  express<Req>(selector: ModelSelector<Req>): ExpressLikeMiddleware {
    this.checkSelector(selector);
    return (req, _res, next) => {
      const model = this.select(selector, req as Req);
      if (!model || setContext({ model })) {
        next();
        return;
      }
      runWithContext({ model }, () => next());
    };
  }

  /** A Koa middleware (see `ModelMonitor.koa`). */
  koa<Ctx>(selector: ModelSelector<Ctx>): KoaLikeMiddleware {
    this.checkSelector(selector);
    return (ctx, next) => {
      const model = this.select(selector, ctx as Ctx);
      if (!model || setContext({ model })) return next();
      return runWithContext({ model }, () => next());
    };
  }

  private checkSelector(selector: unknown): void {
    if (typeof selector === 'function') return;
    if (typeof selector === 'string') {
      if (!this.select(selector, undefined)) {
        throw new ThreadlineConfigError(COMPONENT, `model ${selector} is not declared`);
      }
      return;
    }
    if (!this.versions.cellOf(selector as DeclaredModel)) {
      throw new ThreadlineConfigError(
        COMPONENT,
        'the selector must be a declared model, a model name or a function',
      );
    }
  }
}
