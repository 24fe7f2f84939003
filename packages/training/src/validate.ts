import { check, resolveEventSink, ThreadlineConfigError } from '@threadline/core';
import type { TrainingOptions } from './types.js';

const COMPONENT = 'training';
const KNOWN = [
  'experiment',
  'runId',
  'params',
  'datasetVersion',
  'tags',
  'model',
  'logger',
  'summaryPath',
  'registry',
  'pushgateway',
  'progress',
  'progressStream',
  'totalEpochs',
  'stepsPerEpoch',
  'metricGoals',
  'handleSignals',
  'stepLogEvery',
] as const;
const PUSH_KNOWN = ['url', 'jobName', 'groupings', 'timeoutMs', 'everyEpoch'] as const;

function plainObject(name: string, value: unknown): void {
  if (value !== undefined && (value === null || typeof value !== 'object' || Array.isArray(value))) {
    throw new ThreadlineConfigError(COMPONENT, `option ${name} must be an object`);
  }
}

/** Setup-time checks of training options: throws `ThreadlineConfigError` with a clear message. */
export function validateTrainingOptions(options: TrainingOptions): void {
  if (options === null || typeof options !== 'object') {
    throw new ThreadlineConfigError(COMPONENT, 'options must be an object with at least { experiment }');
  }
  check.keys(COMPONENT, options, KNOWN);
  if (typeof options.experiment !== 'string' || options.experiment.trim() === '') {
    throw new ThreadlineConfigError(COMPONENT, 'option experiment must be a non-empty string');
  }
  check.string(COMPONENT, 'runId', options.runId, undefined);
  check.string(COMPONENT, 'datasetVersion', options.datasetVersion, undefined);
  check.string(COMPONENT, 'summaryPath', options.summaryPath, undefined);
  plainObject('params', options.params);
  plainObject('tags', options.tags);
  for (const [k, v] of Object.entries(options.tags ?? {})) {
    if (typeof v !== 'string') throw new ThreadlineConfigError(COMPONENT, `tag ${k} must be a string`);
  }
  plainObject('metricGoals', options.metricGoals);
  for (const [k, v] of Object.entries(options.metricGoals ?? {})) {
    check.oneOf(COMPONENT, `metricGoals.${k}`, v, ['min', 'max'], 'min');
  }
  if (options.model !== undefined) {
    plainObject('model', options.model);
    check.string(COMPONENT, 'model.name', options.model.name, '');
    check.string(COMPONENT, 'model.version', options.model.version, '');
    if (!options.model.name || !options.model.version) {
      throw new ThreadlineConfigError(COMPONENT, 'option model needs a name and a version');
    }
  }
  if (options.logger !== undefined) resolveEventSink(COMPONENT, options.logger);
  check.oneOf(
    COMPONENT,
    'progress',
    options.progress === false ? 'false' : options.progress,
    ['auto', 'bar', 'lines', 'false'],
    'auto',
  );
  if (
    options.progressStream !== undefined &&
    typeof (options.progressStream as { write?: unknown })?.write !== 'function'
  ) {
    throw new ThreadlineConfigError(COMPONENT, 'option progressStream must be a writable stream');
  }
  check.number(COMPONENT, 'totalEpochs', options.totalEpochs, 0, { min: 1, integer: true });
  check.number(COMPONENT, 'stepsPerEpoch', options.stepsPerEpoch, 0, { min: 1, integer: true });
  check.number(COMPONENT, 'stepLogEvery', options.stepLogEvery, 1, { min: 1, integer: true });
  check.boolean(COMPONENT, 'handleSignals', options.handleSignals, true);
  if (options.registry !== undefined && typeof options.registry?.metrics !== 'function') {
    throw new ThreadlineConfigError(COMPONENT, 'option registry must be a prom-client Registry');
  }
  if (options.pushgateway !== undefined) validatePushgateway(options.pushgateway);
}

/** The Pushgateway options: a known key set and an http(s) URL. */
function validatePushgateway(pg: NonNullable<TrainingOptions['pushgateway']>): void {
  plainObject('pushgateway', pg);
  check.keys(COMPONENT, pg, PUSH_KNOWN);
  let url: URL;
  try {
    url = new URL(pg.url);
  } catch {
    throw new ThreadlineConfigError(
      COMPONENT,
      `option pushgateway.url must be a URL, got ${JSON.stringify(pg.url)}`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ThreadlineConfigError(COMPONENT, 'option pushgateway.url must be http: or https:');
  }
  check.string(COMPONENT, 'pushgateway.jobName', pg.jobName, undefined);
  check.number(COMPONENT, 'pushgateway.timeoutMs', pg.timeoutMs, 5000, { min: 1, max: 120_000 });
  check.boolean(COMPONENT, 'pushgateway.everyEpoch', pg.everyEpoch, false);
  plainObject('pushgateway.groupings', pg.groupings);
}
