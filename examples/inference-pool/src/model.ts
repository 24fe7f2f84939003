// The model, declared and instrumented the same way wherever it runs: in the service's own thread
// or in a pool worker. That is what makes the two sets of lines and metrics the same.
import type { createRegistry, LogSink, ModelRef } from '@threadline/core';
import { createModelMonitor } from '@threadline/model';

/** The model this service serves. */
export const MODEL: ModelRef = { name: 'ranker', version: '2.0.0', alias: 'champion' };

/** One scoring answer. */
export interface Scored {
  readonly score: number;
  readonly prediction_id: string;
}

/** A scorer over a small logistic model, instrumented by `@threadline/model` into `registry`. */
export function createScorer(
  registry: ReturnType<typeof createRegistry>,
  logger: LogSink,
): (features: number[]) => Promise<Scored> {
  const monitor = createModelMonitor({ registry, logger });
  const model = monitor.declare({ ...MODEL, stage: 'production', framework: 'plain-js' });
  const weights = [0.8, -0.4, 1.3, 0.25];
  const predict = monitor.instrument(
    model,
    async (x: number[]) => {
      // A small ensemble of perturbed logistic models, averaged: real CPU work in the scoring
      // thread, as an ONNX Runtime or tfjs model would do, which is what a pool moves off the loop.
      const members = 2_000;
      let sum = 0;
      for (let m = 0; m < members; m++) {
        const z = x.reduce((a, v, i) => a + v * ((weights[i % weights.length] ?? 0) + (m % 7) * 0.001), 0);
        sum += 1 / (1 + Math.exp(-z));
      }
      return sum / members;
    },
    { task: 'regression' },
  );
  return async (features) => {
    const { output, predictionId } = await predict(features);
    return { score: output, prediction_id: predictionId };
  };
}
