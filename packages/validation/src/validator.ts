import { reportError, type SpanAttributes, withSpan } from '@threadline/core';
import { evaluate, passThrough, type ValidationOutcome } from './evaluate.js';
import { record } from './record.js';
import { COMPONENT, resolveSettings } from './settings.js';
import type { BatchOutcome, ValidationMode, ValidationSchema, ValidatorOptions } from './types.js';

export type { ValidationOutcome } from './evaluate.js';

/** A configured validator: the same checks, metrics and logs for HTTP hooks and pipeline batches. */
export interface Validator {
  readonly mode: ValidationMode;
  readonly schema: ValidationSchema | undefined;
  /**
   * Validates one input: an array is a batch of rows, anything else one row. Never rejects: an
   * internal failure is reported to diagnostics and the input passes through.
   */
  validate(input: unknown): Promise<ValidationOutcome>;
  /** Validates a batch of rows for a pipeline step and returns the rows to keep with the result. */
  validateBatch<Row>(rows: readonly Row[]): Promise<BatchOutcome<Row>>;
}

/**
 * Creates a validator. Options are checked here (`resolveSettings`) and throw
 * `ThreadlineConfigError` when wrong; at least one of `schema` and `standardSchema` is required.
 */
export function createValidator(options: ValidatorOptions): Validator {
  const settings = resolveSettings(options);
  const schema = settings.schema;
  const run = (rows: readonly unknown[]): Promise<ValidationOutcome> => {
    const attributes: SpanAttributes = {
      'threadline.validation.mode': settings.mode,
      'threadline.validation.rows': rows.length,
      'threadline.validation.name': settings.name,
    };
    return withSpan('validation', attributes, async () => {
      try {
        const outcome = await evaluate(settings, rows);
        record(settings, outcome);
        return outcome;
      } catch (error) {
        reportError(COMPONENT, error);
        return passThrough(settings.mode, rows);
      }
    });
  };

  return {
    mode: settings.mode,
    schema,
    validate(input) {
      return run(Array.isArray(input) ? input : [input]);
    },
    validateBatch<Row>(rows: readonly Row[]) {
      if (!Array.isArray(rows)) return run([rows]) as Promise<BatchOutcome<Row>>;
      return run(rows) as Promise<BatchOutcome<Row>>;
    },
  };
}
