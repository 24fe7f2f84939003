import { type ContextCounter, createCounter } from '@threadline/core';
import type { ValidatorOptions } from './types.js';

/** The two validation counters of one registry. */
export interface ValidationMetrics {
  readonly checks: ContextCounter<'feature' | 'check'>;
  readonly failures: ContextCounter<'feature' | 'check'>;
}

/**
 * Creates (or, through core, shares) the counters for a registry. The `feature` label takes
 * schema feature names and four fixed values only; core's cardinality guard is the backstop.
 */
export function validationMetrics(registry: ValidatorOptions['registry']): ValidationMetrics {
  const base = { labelNames: ['feature', 'check'] as const, ...(registry ? { registry } : {}) };
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
