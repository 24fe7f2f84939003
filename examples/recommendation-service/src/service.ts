// The recommendation service over Express: Threadline's middleware first, the model version
// bound per request by the canary, validation hooks in front of the handlers, /metrics beside them.
import { liveHandler, metricsHandler, threadline } from '@threadline/express';
import { bindModel } from '@threadline/model';
import { expressValidation } from '@threadline/validation';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { createEngine, type Engine, type EngineOptions, paramsRow, queryRow } from './engine.js';

/** Options of `createService` (those of the engine). */
export type ServiceOptions = EngineOptions;

/** The engine with its Express app, before it listens. */
export interface Service extends Engine {
  readonly app: Express;
}

/** Builds the engine (data, nightly training, models) and the Express app over it. */
export async function createService(options: ServiceOptions = {}): Promise<Service> {
  const engine = await createEngine(options);
  const { registry, logger, validators } = engine;
  const app = express();
  app.disable('x-powered-by');
  app.use(threadline({ registry, logger, skip: ['/healthz'] }));
  app.get('/metrics', metricsHandler({ registry }));
  // The article's dashboard in the browser, read from the same registry (no Prometheus needed).
  app.get('/live', liveHandler({ registry }));
  app.get('/healthz', (_req, res) => {
    res.json(engine.health());
  });
  app.get(
    '/recommendations/:userId',
    // The canary decides per user before validation, so every line and counter of the request
    // (validation failures included) carries the version that would serve it.
    (req: Request, _res: Response, next: NextFunction) => {
      bindModel(engine.modelFor(String(req.params.userId)));
      next();
    },
    expressValidation(validators.params, { from: 'params', select: paramsRow }),
    expressValidation(validators.query, { from: 'query', select: queryRow }),
    async (req: Request, res: Response) => {
      const k = req.query.k === undefined ? 10 : Number(req.query.k);
      const genre = typeof req.query.genre === 'string' ? req.query.genre : undefined;
      const answer = await engine.recommend(Number(req.params.userId), k, genre);
      res.status(answer.status).json(answer.body);
    },
  );
  app.post(
    '/outcomes',
    express.json({ limit: '16kb' }),
    expressValidation(validators.outcome),
    (req: Request, res: Response) => {
      const { prediction_id, clicked } = req.body as { prediction_id: string; clicked: boolean };
      const answer = engine.outcome(prediction_id, clicked);
      res.status(answer.status).json(answer.body);
    },
  );
  return Object.assign(engine, { app });
}
