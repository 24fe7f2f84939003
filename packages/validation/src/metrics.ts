import { type ContextCounter, createCounter } from '@threadline/core';
import { MAX_FEATURES, RESERVED_FEATURES } from './schema.js';
import type { ValidatorOptions } from './types.js';

/** The two validation counters of one registry. */
export interface ValidationMetrics {
  readonly checks: ContextCounter<'feature' | 'check'>;
  readonly failures: ContextCounter<'feature' | 'check'>;
}

/**
 * Creates (or, through core, shares) the counters for a registry. The `feature` label takes
 * schema feature names and four fixed values only, so the guard's limit is one schema's worth;
 * core's cardinality guard folds anything beyond it (several large schemas in one registry).
 */
export function validationMetrics(registry: ValidatorOptions['registry']): ValidationMetrics {
  const base = {
    labelNames: ['feature', 'check'] as const,
    maxLabelValues: MAX_FEATURES + RESERVED_FEATURES.length,
    ...(registry ? { registry } : {}),
  };
  return {
    checks: createCounter<'feature' | 'check'>({
      ...base,
      name: 'data_validation_checks_total',
      help: 'Validation checks evaluated, one per check per batch or request.',
    }),
    failures: createCounter<'feature' | 'check'>({
      ...base,
      name: 'data_validation_failures_total',
      help: 'Validation checks that failed, one per failing check per batch or request.',
    }),
  };
}
