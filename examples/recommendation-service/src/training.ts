// The nightly training job: ingest the day's batch files, fit both model versions, log
// hyperparameters, per-epoch metrics and final metrics under one run_id.
import type { LogSink } from '@threadline/core';
import { runTraining } from '@threadline/training';
import type { Registry } from 'prom-client';
import type { Movie, Rating } from './data.js';
import { ingestBatches } from './ingest.js';
import { type Recommender, rmseOf, trainFactorization, trainPopularity } from './recommender.js';

/** Hyperparameters of the nightly job (logged once per run, write-once). */
export const HYPERPARAMETERS = {
  popularity_prior: 5,
  mf_factors: 8,
  mf_epochs: 10,
  mf_learning_rate: 0.03,
  mf_regularization: 0.08,
  holdout_share: 0.1,
} as const;

/** What one training run produced. */
export interface TrainedModels {
  readonly runId: string;
  readonly datasetVersion: string;
  readonly trainedAt: Date;
  /** Version 1: popularity + genre affinity (the champion). */
  readonly champion: Recommender;
  /** Version 2: matrix factorisation (the challenger, on canary). */
  readonly challenger: Recommender;
  /** The ratings the models were fitted on (the drift reference is built from them). */
  readonly ratings: readonly Rating[];
  readonly metrics: { readonly champion_rmse: number; readonly challenger_rmse: number };
}

/** Options of `trainNightly`. */
export interface TrainOptions {
  readonly batchDir: string;
  readonly movies: readonly Movie[];
  readonly logger?: LogSink;
  readonly registry?: Registry;
  /** Where the run summary JSON goes (optional). */
  readonly summaryPath?: string;
  /** Fewer epochs for tests. */
  readonly epochs?: number;
}

/** Runs the nightly job once: ingestion, both fits, evaluation on held-out ratings. */
export function trainNightly(options: TrainOptions): Promise<TrainedModels> {
  const epochs = options.epochs ?? HYPERPARAMETERS.mf_epochs;
  return runTraining(
    {
      experiment: 'recommender_nightly',
      params: { ...HYPERPARAMETERS, mf_epochs: epochs },
      tags: { trigger: 'schedule' },
      totalEpochs: epochs,
      progress: false,
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.registry ? { registry: options.registry } : {}),
      ...(options.summaryPath ? { summaryPath: options.summaryPath } : {}),
      metricGoals: { val_rmse: 'min', loss: 'min' },
    },
    async (run) => {
      const ingested = await run.dataLoad('ingest', () =>
        ingestBatches(options.batchDir, {
          ...(options.logger ? { logger: options.logger } : {}),
          ...(options.registry ? { registry: options.registry } : {}),
        }),
      );
      run.setDatasetVersion(ingested.datasetVersion);
      // Every tenth rating is held out to compare the two versions on the same unseen data.
      const holdout = ingested.ratings.filter((_, i) => i % 10 === 0);
      const train = ingested.ratings.filter((_, i) => i % 10 !== 0);
      const champion = trainPopularity(options.movies, train, HYPERPARAMETERS.popularity_prior);
      const challenger = await trainFactorization(
        options.movies,
        train,
        {
          factors: HYPERPARAMETERS.mf_factors,
          epochs,
          learningRate: HYPERPARAMETERS.mf_learning_rate,
          regularization: HYPERPARAMETERS.mf_regularization,
          holdout: HYPERPARAMETERS.holdout_share,
        },
        ({ epoch, loss, val_rmse }) => run.logEpoch(epoch, { loss, val_rmse }),
      );
      const metrics = {
        champion_rmse: rmseOf(champion, options.movies, holdout),
        challenger_rmse: rmseOf(challenger, options.movies, holdout),
      };
      run.logStep(metrics, { step: epochs });
      return {
        runId: run.runId,
        datasetVersion: ingested.datasetVersion,
        trainedAt: new Date(),
        champion,
        challenger,
        ratings: train,
        metrics,
      };
    },
  );
}
