// The pool's worker: the same scorer as in-process, its metrics shared with the main thread and
// each task run in its caller's context, so its lines carry the request's IDs.
import { createRegistry, jsonLineSink, shareWorkerMetrics, taskHandler } from '@threadline/core';
import { createScorer } from './model.js';

const registry = createRegistry();
const score = createScorer(registry, jsonLineSink(process.stdout, { service: 'inference-pool' }));
shareWorkerMetrics({ registry });

/** One task: the features of one request, scored in the request's context. */
export default taskHandler(score);
