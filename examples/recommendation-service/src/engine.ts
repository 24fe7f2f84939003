// The service's engine, whatever the web framework: batch files in, a nightly training job, a canary
// of two model versions with the challenger also in shadow, input validators, drift monitoring
// against the training data, and delayed outcomes joined back to predictions. The Express app
// (service.ts) and the Koa app (examples/koa-inference) are thin layers over it.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRegistry, jsonLineSink, type LogSink } from '@threadline/core';
import {
  type Canary,
  createModelMonitor,
  type DeclaredModel,
  type ModelMonitor,
  type Predictor,
} from '@threadline/model';
import { createValidator, type Validator } from '@threadline/validation';
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

/** Options of `createEngine`. */
export interface EngineOptions {
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

/** A JSON answer for the web layer to send. */
export interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** The framework-free service. */
export interface Engine {
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
  readonly logger: LogSink;
  /** Reject-mode validators of the route parameters, the query and the outcome body. */
  readonly validators: { readonly params: Validator; readonly query: Validator; readonly outcome: Validator };
  /** The model version the canary routes a user to (bind it to the request before validating). */
  modelFor(userId: string): DeclaredModel;
  /** Recommendations for a validated request. Never throws: failures are logged and answered 5xx. */
  recommend(userId: number, k: number, genre: string | undefined): Promise<Answer>;
  /** Joins a validated outcome to its prediction. */
  outcome(predictionId: string, clicked: boolean): Answer;
  /** The body of GET /healthz. */
  health(): Record<string, unknown>;
}

/** Maps route parameters to the row the params validator checks. */
export function paramsRow(params: unknown): Record<string, unknown> {
  return { user_id: asNumber((params as Record<string, unknown> | undefined)?.userId) };
}

/** Maps the query string to the row the query validator checks (absent keys stay absent). */
export function queryRow(query: unknown): Record<string, unknown> {
  const q = (query ?? {}) as Record<string, unknown>;
  return {
    ...(q.k !== undefined ? { k: asNumber(q.k) } : {}),
    ...(q.genre !== undefined ? { genre: q.genre } : {}),
  };
}

const MODEL_NAME = 'recommender';

function clickScore(items: readonly RecommendedItem[]): number {
  // A predicted rating of 4.5 is a coin flip; each star above or below moves the odds by e^3.
  const top = items[0]?.score ?? 1;
  return Math.round((1 / (1 + Math.exp(-(top - 4.5) * 3))) * 1000) / 1000;
}

function asNumber(value: unknown): unknown {
  if (typeof value !== 'string' || value.trim() === '') return value;
  const n = Number(value);
  return Number.isFinite(n) ? n : value;
}

/** Builds the engine: generates the data, runs the nightly job once, declares and wires the models. */
export async function createEngine(options: EngineOptions = {}): Promise<Engine> {
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

  const recommend = async (userId: number, k: number, genre: string | undefined): Promise<Answer> => {
    const generation = live;
    try {
      const features: UserFeatures = await generation.features.get(userId);
      const predictor = generation.canary.choose(String(userId));
      generation.drift.observe(predictor.model, features);
      const run = predictor.model === generation.champion ? generation.shadowedChampion : predictor;
      const prediction = await run({ userId, k, genre });
      return {
        status: 200,
        body: {
          user_id: userId,
          items: prediction.output.items,
          click_probability: prediction.output.score,
          model_name: prediction.model.name,
          model_version: prediction.model.version,
          prediction_id: prediction.predictionId,
        },
      };
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
      return {
        status: unavailable ? 503 : 500,
        body: { error: unavailable ? 'feature_store_unavailable' : 'internal_error' },
      };
    }
  };

  return {
    registry,
    logger,
    monitor,
    movies,
    population,
    dataDir,
    validators: { params: paramsValidator, query: queryValidator, outcome: outcomeValidator },
    modelFor: (userId) => live.canary.pick(userId),
    recommend,
    outcome: (predictionId, clicked) => {
      const result = monitor.recordOutcome(predictionId, clicked);
      const status = result === 'joined' || result === 'duplicate' || result === 'late' ? 202 : 404;
      return { status, body: { prediction_id: predictionId, result } };
    },
    health: () => ({
      status: 'ok',
      models: [live.champion, live.challenger].map((m) => ({
        name: m.name,
        version: m.version,
        alias: m.alias,
      })),
    }),
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
