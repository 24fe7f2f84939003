// The recommendation service: batch files in, a nightly training job, real-time inference over
// Express with a canary of two model versions, input validation, drift monitoring against the
// training data, and delayed outcomes joined back to predictions.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRegistry, jsonLineSink, type LogSink } from '@threadline/core';
import { metricsHandler, threadline } from '@threadline/express';
import {
  bindModel,
  type Canary,
  createModelMonitor,
  type DeclaredModel,
  type ModelMonitor,
  type Predictor,
} from '@threadline/model';
import { createValidator, expressValidation } from '@threadline/validation';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Registry } from 'prom-client';
import { generateRatings, genresOf, loadMovies, type Movie, type Population } from './data.js';
import { type DriftWatch, watchDrift } from './drift.js';
import { FeatureStore, FeatureStoreUnavailableError, type UserFeatures } from './features.js';
import { writeBatches } from './ingest.js';
import type { RecommendedItem, Recommender } from './recommender.js';
import { type TrainedModels, trainNightly } from './training.js';

/** The model's input: who, how many, and optionally which genre. */
export interface RecommendationInput {
  readonly userId: number;
  readonly k: number;
  readonly genre?: string | undefined;
}

/** The model's output: the films, and how likely the user is to click the first one. */
export interface RecommendationOutput {
  readonly items: readonly RecommendedItem[];
  /** Probability of a click on the top item, in [0, 1]. */
  readonly score: number;
}

/** Options of `createService`. */
export interface ServiceOptions {
  /** Where batch files are written and read (default: a new temporary directory). */
  readonly dataDir?: string;
  /** prom-client registry for every metric (default: a new OpenMetrics registry, for exemplars). */
  readonly registry?: Registry;
  /** Where every structured line goes (default: JSON lines on stdout). */
  readonly logger?: LogSink;
  /** Share of feature lookups that fail (default 0). */
  readonly faultRate?: number;
  /** Share of users served by the challenger version (default 0.2). */
  readonly canaryShare?: number;
  /** Share of champion requests also run on the challenger in shadow, to measure disagreement (default 0.25). */
  readonly shadowRate?: number;
  /** Matrix-factorisation epochs (default 10; fewer in tests). */
  readonly epochs?: number;
  /** Generated users (default 600). */
  readonly users?: number;
  /** Random source for simulated faults (default Math.random). */
  readonly random?: () => number;
}

/** The live pieces of one generation of models, swapped as a whole on retraining. */
interface Generation {
  readonly trained: TrainedModels;
  readonly champion: DeclaredModel;
  readonly challenger: DeclaredModel;
  readonly canary: Canary<RecommendationInput, RecommendationOutput>;
  /** The champion, with the challenger running beside it in shadow on a share of calls. */
  readonly shadowedChampion: Predictor<RecommendationInput, RecommendationOutput>;
  readonly features: FeatureStore;
  readonly drift: DriftWatch;
}

/** A running service, before it listens. */
export interface Service {
  readonly app: Express;
  readonly registry: Registry;
  readonly monitor: ModelMonitor;
  readonly movies: readonly Movie[];
  readonly population: Population;
  readonly dataDir: string;
  /** The models being served now. */
  current(): { champion: DeclaredModel; challenger: DeclaredModel; runId: string; features: FeatureStore };
  /** Runs the nightly job again and swaps the new versions in. */
  retrain(): Promise<void>;
  /** Sets the share of failing feature lookups (the traffic generator's fault knob). */
  setFaultRate(rate: number): void;
  /** Stops timers and removes the model metrics. */
  close(): void;
}

const MODEL_NAME = 'recommender';

function clickScore(items: readonly RecommendedItem[]): number {
  // A predicted rating of 4 is a coin flip; each star above or below moves the odds by e^3.
  const top = items[0]?.score ?? 1;
  return Math.round((1 / (1 + Math.exp(-(top - 4) * 3))) * 1000) / 1000;
}

function asNumber(value: unknown): unknown {
  if (typeof value !== 'string' || value.trim() === '') return value;
  const n = Number(value);
  return Number.isFinite(n) ? n : value;
}

/** Builds the service: generates the data, runs the nightly job once, and wires the Express app. */
export async function createService(options: ServiceOptions = {}): Promise<Service> {
  const registry = options.registry ?? (createRegistry() as unknown as Registry);
  const logger = options.logger ?? jsonLineSink(process.stdout, { service: 'recommendation-service' });
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'recommendation-service-'));
  const batchDir = join(dataDir, 'incoming');
  mkdirSync(join(dataDir, 'runs'), { recursive: true });

  const movies = loadMovies();
  const genres = genresOf(movies);
  const population = generateRatings(movies, { users: options.users ?? 600 });
  const files = writeBatches(batchDir, population.ratings);
  logger.log(
    'info',
    { event: 'batches_delivered', files: files.length, dir: batchDir },
    'rating batches delivered',
  );

  const monitor = createModelMonitor({ registry, logger });
  let faultRate = options.faultRate ?? 0;
  let generationCount = 0;

  const build = async (): Promise<Generation> => {
    const trained = await trainNightly({
      batchDir,
      movies,
      logger,
      registry,
      summaryPath: join(dataDir, 'runs', `run-${generationCount + 1}.json`),
      ...(options.epochs !== undefined ? { epochs: options.epochs } : {}),
    });
    generationCount++;
    const lineage = {
      run_id: trained.runId,
      dataset_version: trained.datasetVersion,
      trained_at: trained.trainedAt,
      framework: 'threadline-example',
    };
    const champion = monitor.declare({
      name: MODEL_NAME,
      version: `1.${generationCount - 1}`,
      alias: 'champion',
      stage: 'production',
      ...lineage,
    });
    const challenger = monitor.declare({
      name: MODEL_NAME,
      version: `2.${generationCount - 1}`,
      alias: 'challenger',
      stage: 'canary',
      ...lineage,
    });
    const instrument = (model: DeclaredModel, rec: Recommender) =>
      monitor.instrument<RecommendationInput, RecommendationOutput>(
        model,
        (input: RecommendationInput) => {
          const items = rec.recommend(input.userId, input.k, input.genre);
          return { items, score: clickScore(items) };
        },
        {
          task: 'classification',
          classes: ['click', 'skip'],
          positiveClass: 'click',
          label: (o) => (o.score >= 0.5 ? 'click' : 'skip'),
          score: (o) => o.score,
          inputSize: (input) => input.k,
          timeoutMs: 2_000,
        },
      );
    const championPredictor = instrument(champion, trained.champion);
    const challengerPredictor = instrument(challenger, trained.challenger);
    const features = new FeatureStore(movies, trained.ratings, {
      faultRate,
      ...(options.random ? { random: options.random } : {}),
    });
    return {
      trained,
      champion,
      challenger,
      canary: monitor.canary({
        primary: championPredictor,
        candidate: challengerPredictor,
        share: options.canaryShare ?? 0.2,
        salt: 'recommender-2',
      }),
      shadowedChampion: monitor.shadow({
        primary: championPredictor,
        shadow: challengerPredictor,
        sampleRate: options.shadowRate ?? 0.25,
      }),
      features,
      drift: watchDrift(features.reference(), { registry, logger, models: [champion, challenger] }),
    };
  };

  let live = await build();

  const paramsValidator = createValidator({
    name: 'recommendations_params',
    mode: 'reject',
    registry,
    logger,
    schema: { version: 1, features: [{ name: 'user_id', type: 'integer', min: 1, max: 100_000_000 }] },
  });
  const queryValidator = createValidator({
    name: 'recommendations_query',
    mode: 'reject',
    registry,
    logger,
    schema: {
      version: 1,
      features: [
        { name: 'k', type: 'integer', min: 1, max: 50, required: false },
        { name: 'genre', type: 'string', domain: genres, required: false },
      ],
    },
  });
  const outcomeValidator = createValidator({
    name: 'outcomes_body',
    mode: 'reject',
    registry,
    logger,
    schema: {
      version: 1,
      features: [
        { name: 'prediction_id', type: 'string' },
        { name: 'clicked', type: 'boolean' },
      ],
    },
  });

  const app = express();
  app.disable('x-powered-by');
  app.use(threadline({ registry, logger, skip: ['/healthz', '/metrics'] }));
  app.get('/metrics', metricsHandler({ registry }));
  app.get('/healthz', (_req, res) => {
    res.json({
      status: 'ok',
      models: [live.champion, live.challenger].map((m) => ({
        name: m.name,
        version: m.version,
        alias: m.alias,
      })),
    });
  });

  app.get(
    '/recommendations/:userId',
    // The canary decides per user, before validation, so every line and counter of the request
    // (validation failures included) carries the version that would serve it.
    (req: Request, _res: Response, next: NextFunction) => {
      bindModel(live.canary.pick(String(req.params.userId)));
      next();
    },
    expressValidation(paramsValidator, {
      from: 'params',
      select: (p) => ({ user_id: asNumber((p as Record<string, unknown>).userId) }),
    }),
    expressValidation(queryValidator, {
      from: 'query',
      select: (q) => {
        const query = q as Record<string, unknown>;
        return {
          ...(query.k !== undefined ? { k: asNumber(query.k) } : {}),
          ...(query.genre !== undefined ? { genre: query.genre } : {}),
        };
      },
    }),
    async (req: Request, res: Response) => {
      const generation = live;
      const userId = Number(req.params.userId);
      const k = req.query.k === undefined ? 10 : Number(req.query.k);
      const genre = typeof req.query.genre === 'string' ? req.query.genre : undefined;
      try {
        const features: UserFeatures = await generation.features.get(userId);
        generation.drift.observe(features);
        const predictor = generation.canary.choose(String(userId));
        const run = predictor.model === generation.champion ? generation.shadowedChampion : predictor;
        const prediction = await run({ userId, k, genre });
        res.json({
          user_id: userId,
          items: prediction.output.items,
          click_probability: prediction.output.score,
          model_name: prediction.model.name,
          model_version: prediction.model.version,
          prediction_id: prediction.predictionId,
        });
      } catch (error) {
        const unavailable = error instanceof FeatureStoreUnavailableError;
        logger.log(
          'error',
          {
            event: 'recommendation_failed',
            error_type: error instanceof Error ? error.name : typeof error,
            error_message: error instanceof Error ? error.message : String(error),
            user_id: userId,
          },
          'recommendation failed',
        );
        res
          .status(unavailable ? 503 : 500)
          .json({ error: unavailable ? 'feature_store_unavailable' : 'internal_error' });
      }
    },
  );

  app.post(
    '/outcomes',
    express.json({ limit: '16kb' }),
    expressValidation(outcomeValidator),
    (req: Request, res: Response) => {
      const { prediction_id, clicked } = req.body as { prediction_id: string; clicked: boolean };
      const result = monitor.recordOutcome(prediction_id, clicked);
      const status = result === 'joined' || result === 'duplicate' || result === 'late' ? 202 : 404;
      res.status(status).json({ prediction_id, result });
    },
  );

  return {
    app,
    registry,
    monitor,
    movies,
    population,
    dataDir,
    current: () => ({
      champion: live.champion,
      challenger: live.challenger,
      runId: live.trained.runId,
      features: live.features,
    }),
    retrain: async () => {
      const previous = live;
      live = await build();
      previous.drift.close();
      monitor.retire(previous.champion);
      monitor.retire(previous.challenger);
    },
    setFaultRate: (rate: number) => {
      faultRate = rate;
      live.features.setFaultRate(rate);
    },
    close: () => {
      live.drift.close();
      monitor.close();
    },
  };
}
