import {
  type BudgetedWrite,
  budgetedWriter,
  check,
  resolveEventSink,
  ThreadlineConfigError,
} from '@threadline/core';
import { type ValidationMetrics, validationMetrics } from './metrics.js';
import { parseSchema } from './schema.js';
import { assertStandardSchema } from './standard.js';
import type {
  Severity,
  StandardSchema,
  ValidationMode,
  ValidationSchema,
  ValidatorOptions,
} from './types.js';

export const COMPONENT = 'validation';
const OPTION_KEYS = [
  'schema',
  'standardSchema',
  'standardSchemaSeverity',
  'mode',
  'logger',
  'registry',
  'sampleSize',
  'redact',
  'maxDepth',
  'maxValuesPerRow',
  'maxRows',
  'name',
] as const;

/** A validator's options, checked once at setup. */
export interface Settings {
  readonly schema: ValidationSchema | undefined;
  readonly standardSchema: StandardSchema | undefined;
  readonly standardSeverity: Severity;
  readonly mode: ValidationMode;
  readonly log: BudgetedWrite;
  readonly logging: boolean;
  readonly metrics: ValidationMetrics;
  readonly sampleSize: number;
  readonly redact: boolean;
  readonly maxDepth: number;
  readonly maxValuesPerRow: number;
  readonly maxRows: number;
  readonly name: string | undefined;
  readonly featureNames: ReadonlySet<string>;
  readonly redactedFeatures: ReadonlySet<string>;
}

/**
 * Checks a validator's options and resolves their defaults. Throws `ThreadlineConfigError` when
 * one is wrong; at least one of `schema` and `standardSchema` is required.
 */
export function resolveSettings(options: ValidatorOptions): Settings {
  check.keys(COMPONENT, options, OPTION_KEYS);
  if (!options || (options.schema === undefined && options.standardSchema === undefined)) {
    throw new ThreadlineConfigError(COMPONENT, 'give a schema, a standardSchema, or both');
  }
  const schema = options.schema === undefined ? undefined : parseSchema(options.schema);
  if (options.standardSchema !== undefined) assertStandardSchema(options.standardSchema);
  const logger = resolveEventSink(COMPONENT, options.logger);
  return {
    schema,
    standardSchema: options.standardSchema,
    standardSeverity: check.oneOf(
      COMPONENT,
      'standardSchemaSeverity',
      options.standardSchemaSeverity,
      ['error', 'warning'],
      'error',
    ),
    mode: check.oneOf(COMPONENT, 'mode', options.mode, ['reject', 'warn', 'drop'], 'warn'),
    // A flood of failing batches (a broken upstream) writes a bounded number of lines.
    log: budgetedWriter(logger, undefined, undefined, COMPONENT),
    logging: logger !== undefined,
    metrics: validationMetrics(options.registry),
    sampleSize: check.number(COMPONENT, 'sampleSize', options.sampleSize, 5, {
      min: 0,
      max: 100,
      integer: true,
    }),
    redact: check.boolean(COMPONENT, 'redact', options.redact, false),
    maxDepth: check.number(COMPONENT, 'maxDepth', options.maxDepth, 32, {
      min: 1,
      max: 1_000,
      integer: true,
    }),
    maxValuesPerRow: check.number(COMPONENT, 'maxValuesPerRow', options.maxValuesPerRow, 10_000, {
      min: 1,
      integer: true,
    }),
    maxRows: check.number(COMPONENT, 'maxRows', options.maxRows, 100_000, { min: 1, integer: true }),
    name: check.string(COMPONENT, 'name', options.name, undefined),
    featureNames: new Set(schema?.features.map((f) => f.name) ?? []),
    redactedFeatures: new Set(schema?.features.filter((f) => f.redact).map((f) => f.name) ?? []),
  };
}
