// The recommendation service's inference side on Koa: the same engine, metrics and log lines as the
// Express service, with Koa's middleware in place of Express's.
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import {
  createEngine,
  type Engine,
  type EngineOptions,
  paramsRow,
  queryRow,
} from '@threadline/example-recommendation-service/engine';
import { type KoaContextLike, metricsMiddleware, threadline } from '@threadline/koa';
import { bindModel } from '@threadline/model';
import { koaValidation } from '@threadline/validation';
import Koa from 'koa';

/** The engine with its Koa app, before it listens. */
export interface KoaService extends Engine {
  readonly app: Koa;
}

/** Builds the engine (data, nightly training, models) and the Koa app over it. */
export async function createKoaService(options: EngineOptions = {}): Promise<KoaService> {
  const engine = await createEngine(options);
  const { registry, logger, validators } = engine;
  const app = new Koa();
  const router = new Router();

  router.get('/healthz', (ctx) => {
    ctx.body = engine.health();
  });
  router.get(
    '/recommendations/:userId',
    // The canary decides per user before validation, so the request's lines and counters carry
    // the version that would serve it.
    async (ctx, next) => {
      bindModel(engine.modelFor(String(ctx.params.userId)));
      await next();
    },
    koaValidation(validators.params, { from: 'params', select: paramsRow }),
    koaValidation(validators.query, { from: 'query', select: queryRow }),
    async (ctx) => {
      const k = ctx.query.k === undefined ? 10 : Number(ctx.query.k);
      const genre = typeof ctx.query.genre === 'string' ? ctx.query.genre : undefined;
      const answer = await engine.recommend(Number(ctx.params.userId), k, genre);
      ctx.status = answer.status;
      ctx.body = answer.body;
    },
  );
  router.post('/outcomes', bodyParser({ jsonLimit: '16kb' }), koaValidation(validators.outcome), (ctx) => {
    const { prediction_id, clicked } = ctx.request.body as { prediction_id: string; clicked: boolean };
    const answer = engine.outcome(prediction_id, clicked);
    ctx.status = answer.status;
    ctx.body = answer.body;
  });

  const tl = threadline({ registry, logger, skip: ['/healthz', '/metrics'] });
  const metrics = metricsMiddleware({ registry });
  app.use((ctx, next) => tl(ctx as unknown as KoaContextLike, next));
  app.use((ctx, next) => metrics(ctx as unknown as KoaContextLike, next));
  app.use(router.routes());
  app.use(router.allowedMethods());
  return Object.assign(engine, { app });
}
