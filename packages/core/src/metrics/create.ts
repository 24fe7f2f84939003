import { codes, ThreadlineConfigError } from '../errors.js';
import { diag } from '../guard.js';
import { forgetOverflowCounter } from './cardinality.js';
import { type ContextMetricOptions, MODEL_LABEL_NAMES } from './context-metric.js';
import { validateIdle } from './idle.js';
import {
  ContextCounter,
  ContextGauge,
  type ContextGaugeOptions,
  ContextHistogram,
  type ContextHistogramOptions,
  type GaugeAggregator,
} from './instruments.js';
import { type AnyRegistry, resolveRegistry } from './registry.js';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const COMPONENT = 'core.metrics';
const AGGREGATORS: readonly GaugeAggregator[] = ['sum', 'first', 'min', 'max', 'average', 'omit'];

interface Registered {
  readonly kind: 'histogram' | 'counter' | 'gauge';
  readonly labelNames: readonly string[];
  readonly wrapper: unknown;
}

// One wrapper per (registry, name): adapters and plugins that ask for the same metric share it.
const registered = new WeakMap<AnyRegistry, Map<string, Registered>>();

/** Checks a metric's name and label names at setup (shared with the scrape-time instruments). */
export function validateNames(
  kind: string,
  name: unknown,
  help: unknown,
  labelNames: readonly unknown[],
): void {
  if (typeof name !== 'string' || !METRIC_NAME.test(name)) {
    throw new ThreadlineConfigError(COMPONENT, `invalid ${kind} name ${JSON.stringify(name)}`);
  }
  if (typeof help !== 'string' || help === '') {
    throw new ThreadlineConfigError(COMPONENT, `metric ${name}: help text is required`);
  }
  for (const label of labelNames) {
    if (typeof label !== 'string' || !LABEL_NAME.test(label) || label.startsWith('__')) {
      throw new ThreadlineConfigError(
        COMPONENT,
        `metric ${name}: invalid label name ${JSON.stringify(label)}`,
      );
    }
  }
}

/** Checks histogram buckets at setup: finite and strictly ascending. */
export function validateBuckets(name: string, buckets: readonly number[] | undefined): void {
  if (buckets === undefined) return;
  const ok =
    Array.isArray(buckets) &&
    buckets.length > 0 &&
    buckets.every((b, i) => Number.isFinite(b) && (i === 0 || b > buckets[i - 1]!));
  if (!ok) {
    throw new ThreadlineConfigError(
      COMPONENT,
      `metric ${name}: buckets must be finite and strictly ascending`,
    );
  }
}

function validate<L extends string>(kind: string, options: ContextMetricOptions<L>): void {
  if (!options || typeof options !== 'object') {
    throw new ThreadlineConfigError(COMPONENT, `${kind} options must be an object`);
  }
  validateNames('metric', options.name, options.help, options.labelNames ?? []);
  const max = options.maxLabelValues;
  if (max !== undefined && (!Number.isInteger(max) || max < 1)) {
    throw new ThreadlineConfigError(
      COMPONENT,
      `metric ${options.name}: maxLabelValues must be a positive integer`,
    );
  }
  validateIdle(COMPONENT, options.name, options);
  if (options.collect !== undefined && typeof options.collect !== 'function') {
    throw new ThreadlineConfigError(COMPONENT, `metric ${options.name}: collect must be a function`);
  }
}

function lookup<W>(
  kind: Registered['kind'],
  registry: AnyRegistry,
  options: ContextMetricOptions<string>,
  create: () => W,
): W {
  const name = options.name;
  const labelNames = [
    ...(options.labelNames ?? []),
    ...(options.modelLabels === false ? [] : MODEL_LABEL_NAMES),
  ];
  let map = registered.get(registry);
  if (!map) {
    map = new Map();
    registered.set(registry, map);
  }
  const found = map.get(name);
  if (found) {
    if (found.kind !== kind || found.labelNames.join(',') !== labelNames.join(',')) {
      throw new ThreadlineConfigError(
        COMPONENT,
        `metric ${name} is already registered as a ${found.kind} with labels [${found.labelNames.join(', ')}]`,
      );
    }
    return found.wrapper as W;
  }
  if (registry.getSingleMetric(name)) {
    throw new ThreadlineConfigError(
      COMPONENT,
      `metric ${name} is already registered in this registry by other code`,
    );
  }
  const wrapper = create();
  map.set(name, { kind, labelNames, wrapper });
  return wrapper;
}

/**
 * Creates (or returns the existing) context-aware histogram for this registry. Throws at setup on
 * a bad name, bad labels, or a clash with a different metric of the same name.
 */
export function createHistogram<L extends string = never>(
  options: ContextHistogramOptions<L>,
): ContextHistogram<L> {
  validate('histogram', options);
  validateBuckets(options.name, options.buckets);
  const registry = resolveRegistry(options.registry);
  return lookup('histogram', registry, options, () => new ContextHistogram(options, registry));
}

/** Creates (or returns the existing) context-aware counter for this registry. */
export function createCounter<L extends string = never>(options: ContextMetricOptions<L>): ContextCounter<L> {
  validate('counter', options);
  const registry = resolveRegistry(options.registry);
  return lookup('counter', registry, options, () => new ContextCounter(options, registry));
}

/** Creates (or returns the existing) context-aware gauge for this registry. */
export function createGauge<L extends string = never>(options: ContextGaugeOptions<L>): ContextGauge<L> {
  validate('gauge', options);
  if (options.aggregator !== undefined && !AGGREGATORS.includes(options.aggregator)) {
    throw new ThreadlineConfigError(
      COMPONENT,
      `metric ${options.name}: aggregator must be one of ${AGGREGATORS.join(', ')}`,
    );
  }
  const registry = resolveRegistry(options.registry);
  return lookup('gauge', registry, options, () => new ContextGauge(options, registry));
}

/**
 * Forgets the wrappers created for a registry (after `registry.clear()`, in tests and hot reloads),
 * so the metrics can be created again.
 */
export function forgetMetrics(registry: AnyRegistry): void {
  registered.delete(registry);
  forgetOverflowCounter(registry);
}

/**
 * Removes one metric from a registry and forgets its wrapper, so a plugin that is closed can be
 * set up again on the same registry. Works for every metric of this layer.
 */
export function removeMetric(registry: AnyRegistry, name: string): void {
  registered.get(registry)?.delete(name);
  registry.removeSingleMetric(name);
}

/** Reports that a value could not be recorded, for plugins that pre-validate inputs. */
export function reportRejectedMetric(metric: string, message: string): void {
  diag({
    code: codes.METRIC_REJECTED,
    component: COMPONENT,
    level: 'warn',
    message: `metric ${metric}: ${message}`,
  });
}
