import { check, codes, reportError, safeCall, ThreadlineConfigError } from '@threadline/core';
import type { HttpHookOptions, InputSource, ValidationResult } from './types.js';
import type { Validator } from './validator.js';

const COMPONENT = 'validation.http';

/** The parts of an Express request the hook reads. */
export interface ExpressLikeRequest {
  body?: unknown;
  query?: unknown;
  params?: unknown;
}

/** The parts of an Express (or plain Node) response the hook writes when it rejects. */
export interface ExpressLikeResponse {
  statusCode: number;
  readonly headersSent?: boolean;
  setHeader(name: string, value: string): unknown;
  end(body: string): unknown;
}

/** The parts of a Koa context the hook reads and writes. */
export interface KoaLikeContext {
  readonly request: { body?: unknown };
  readonly query?: unknown;
  readonly params?: unknown;
  status: number;
  body: unknown;
}

/** What a hook attaches to each request it validated. */
export interface RequestValidation {
  readonly result: ValidationResult;
  /** The rows that passed (all rows in `warn` mode), as the validator returned them. */
  readonly rows: readonly unknown[];
}

// Results are kept beside the request object, not on it: the hook never writes to user objects.
const attached = new WeakMap<object, RequestValidation>();

/** The validation of a request (Express `req`) or Koa `ctx`, once a hook ran on it. */
export function getValidation(target: object): RequestValidation | undefined {
  return attached.get(target);
}

interface ResolvedHook {
  readonly from: InputSource;
  readonly select: ((input: unknown) => unknown) | undefined;
  readonly status: number;
}

function resolve(validator: Validator, options: HttpHookOptions | undefined): ResolvedHook {
  if (!validator || typeof (validator as Validator).validate !== 'function') {
    throw new ThreadlineConfigError(
      COMPONENT,
      'the first argument must be a validator from createValidator()',
    );
  }
  check.keys(COMPONENT, options, ['from', 'select', 'status']);
  return {
    from: check.oneOf(COMPONENT, 'from', options?.from, ['body', 'query', 'params'], 'body'),
    select: check.fn(COMPONENT, 'select', options?.select, undefined),
    status: check.number(COMPONENT, 'status', options?.status, 422, { min: 400, max: 599, integer: true }),
  };
}

function pick(hook: ResolvedHook, input: unknown): unknown {
  if (!hook.select) return input;
  // A select that throws on a malformed body yields no input, which then fails `row_type`.
  return safeCall(COMPONENT, hook.select, [input], undefined);
}

/** The JSON body of a rejection: the failed checks, as issues, with the run's counts. */
export function rejectionBody(result: ValidationResult): Record<string, unknown> {
  const issues = result.results.filter((r) => !r.success);
  return {
    error: 'validation_failed',
    message: `input failed ${result.statistics.errors} validation checks`,
    statistics: result.statistics,
    issues,
  };
}

/**
 * An Express middleware `(req, res, next)` validating inference inputs (`req.body` by default;
 * a body parser must run first). In `reject` mode a failing input gets a 422 with the issues as
 * JSON and the handler never runs; otherwise the request continues and `getValidation(req)`
 * holds the result. Needs no import of Express.
 */
export function expressValidation(
  validator: Validator,
  options?: HttpHookOptions,
): (req: ExpressLikeRequest, res: ExpressLikeResponse, next: (error?: unknown) => void) => void {
  const hook = resolve(validator, options);
  return (req, res, next) => {
    let input: unknown;
    try {
      input = pick(hook, req[hook.from]);
    } catch (error) {
      reportError(COMPONENT, error);
    }
    let continued = false;
    const proceed = () => {
      if (continued) return;
      continued = true;
      next();
    };
    validator
      .validate(input)
      .then(
        (outcome) => {
          attached.set(req, { result: outcome.result, rows: outcome.rows });
          if (!outcome.rejected || res.headersSent) return proceed();
          res.statusCode = hook.status;
          res.setHeader('content-type', 'application/json; charset=utf-8');
          res.end(JSON.stringify(rejectionBody(outcome.result)));
        },
        (error: unknown) => {
          // Our failure must not hold the request: it continues unvalidated.
          reportError(COMPONENT, error, codes.INTERNAL);
          proceed();
        },
      )
      .catch((error: unknown) => {
        reportError(COMPONENT, error, codes.INTERNAL);
        proceed();
      });
  };
}

/**
 * A Koa middleware `(ctx, next)` validating inference inputs (`ctx.request.body` by default, as
 * set by a body parser; `ctx.query` or router `ctx.params` by option). In `reject` mode a failing
 * input gets a 422 with the issues as JSON; otherwise `next()` runs and its errors propagate
 * unchanged. `getValidation(ctx)` holds the result. Needs no import of Koa.
 */
export function koaValidation(
  validator: Validator,
  options?: HttpHookOptions,
): (ctx: KoaLikeContext, next: () => Promise<unknown>) => Promise<void> {
  const hook = resolve(validator, options);
  return async (ctx, next) => {
    let rejected = false;
    try {
      const source = hook.from === 'body' ? ctx.request?.body : ctx[hook.from];
      const outcome = await validator.validate(pick(hook, source));
      attached.set(ctx, { result: outcome.result, rows: outcome.rows });
      if (outcome.rejected) {
        ctx.status = hook.status;
        ctx.body = rejectionBody(outcome.result);
        rejected = true;
      }
    } catch (error) {
      reportError(COMPONENT, error, codes.INTERNAL);
    }
    if (!rejected) await next();
  };
}
