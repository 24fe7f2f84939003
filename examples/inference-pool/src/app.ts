// A scoring service on Express: GET /score?x=0.1,0.2,0.3,0.4 scores either in this thread or in a
// piscina pool, and its access lines, model_inference lines and metrics are the same either way.
import { collectWorkerMetrics, createRegistry, jsonLineSink, withTaskContext } from '@threadline/core';
import { metricsHandler, threadline } from '@threadline/express';
import { bindModel } from '@threadline/model';
import express, { type Express } from 'express';
import { Piscina } from 'piscina';
import { createScorer, MODEL, type Scored } from './model.js';

/** Options of `createApp`. */
export interface AppOptions {
  /** `pool`: score in worker threads; `inline`: in the service's own thread (default `pool`). */
  readonly mode?: 'pool' | 'inline';
  /** Worker threads in the pool (default 2). */
  readonly threads?: number;
}

/** The app and what to close when it stops. */
export interface App {
  readonly app: Express;
  close(): Promise<void>;
}

/** Builds the service; in pool mode the workers' metrics are served on this thread's /metrics. */
export function createApp(options: AppOptions = {}): App {
  const registry = createRegistry();
  const logger = jsonLineSink(process.stdout, { service: 'inference-pool' });
  const mode = options.mode ?? 'pool';
  let score: (features: number[]) => Promise<Scored>;
  let close = async (): Promise<void> => {};
  if (mode === 'pool') {
    const pool = new Piscina({
      filename: new URL('./worker.ts', import.meta.url).href,
      minThreads: options.threads ?? 2,
      maxThreads: options.threads ?? 2,
    });
    const undo = collectWorkerMetrics({ registry });
    score = (features) => pool.run(withTaskContext(features)) as Promise<Scored>;
    close = async () => {
      await pool.destroy();
      undo();
    };
  } else {
    score = createScorer(registry, logger);
  }
  const app = express();
  app.use(threadline({ registry, logger, skip: ['/metrics'] }));
  app.get('/metrics', metricsHandler({ registry }));
  app.get('/score', async (req, res) => {
    const features = String(req.query.x ?? '0')
      .split(',')
      .map(Number)
      .filter(Number.isFinite);
    bindModel(MODEL);
    res.json(await score(features));
  });
  return { app, close };
}
