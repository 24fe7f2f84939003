import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { LogSink } from '@threadline/core';
import type { Registry, RegistryContentType } from 'prom-client';

/** How a failing check is treated: `error` rejects or drops, `warning` is only logged and counted. */
export type Severity = 'error' | 'warning';

/** What a validator does with input that fails an error-severity check. */
export type ValidationMode = 'reject' | 'warn' | 'drop';

/** The value types a feature may declare. `integer` is a number with no fractional part. */
export type FeatureType = 'number' | 'integer' | 'string' | 'boolean';

/** A category value allowed in a feature's domain. */
export type DomainValue = string | number | boolean;

/**
 * One feature of a schema, as written in the JSON file. Every field but `name` is optional; an
 * absent field means the check does not run.
 */
export interface FeatureSpec {
  readonly name: string;
  readonly description?: string;
  readonly type?: FeatureType;
  /** The feature must be present in every row (default true). */
  readonly required?: boolean;
  /** Inclusive lower bound for numeric values. */
  readonly min?: number;
  /** Inclusive upper bound for numeric values. */
  readonly max?: number;
  /** Allowed categories; any other value is an unseen category. */
  readonly domain?: readonly DomainValue[];
  /** Highest tolerated share (0..1) of `null` values (default 0). */
  readonly maxNullRate?: number;
  /** Highest tolerated share (0..1) of NaN/Infinity values (default 0). */
  readonly maxNonFiniteRate?: number;
  /** Values must not repeat within a batch. */
  readonly unique?: boolean;
  /** Severity of this feature's failures (default: the schema's). */
  readonly severity?: Severity;
  /** Replace this feature's values by `[REDACTED]` in result samples and logs. */
  readonly redact?: boolean;
}

/** The JSON schema format: features and their checks, plus batch-level checks. */
export interface ValidationSchema {
  /** Format version; only 1 exists. */
  readonly version: 1;
  readonly description?: string;
  readonly features: readonly FeatureSpec[];
  /** Rows a batch (or request) must hold. */
  readonly rowCount?: { readonly min?: number; readonly max?: number };
  /** Features not in the schema: allowed silently (default), or reported at this severity. */
  readonly unknownFeatures?: 'allow' | Severity;
  /** Default severity for features that do not set one (default `error`). */
  readonly severity?: Severity;
  /** Provenance written by `inferSchema`, for the person who reviews the file. */
  readonly inferred?: InferredFrom;
}

/** Where an inferred schema came from. */
export interface InferredFrom {
  readonly rows: number;
  readonly at: string;
  readonly note: string;
}

/** Stable names of the checks; these are the values of the `check` metric label. */
export type CheckName =
  | 'schema'
  | 'required'
  | 'type'
  | 'range'
  | 'domain'
  | 'null_rate'
  | 'non_finite_rate'
  | 'unique'
  | 'row_count'
  | 'unknown_feature'
  | 'row_type'
  | 'payload_depth'
  | 'payload_size'
  | 'forbidden_key';

/**
 * The outcome of one check over one batch or request, shaped like a Great Expectations result.
 * Field names are snake_case because the object is written as JSON (422 bodies, logs).
 */
export interface CheckResult {
  /** A schema feature, or one of `__input__`, `__rows__`, `__schema__`, `__unknown__`. */
  readonly feature: string;
  readonly check: CheckName;
  readonly severity: Severity;
  readonly success: boolean;
  /** Values (or rows) the check looked at. */
  readonly element_count: number;
  readonly unexpected_count: number;
  /** `unexpected_count` as a percentage of `element_count` (0 when nothing was looked at). */
  readonly unexpected_percent: number;
  /** What was measured: a rate, a range, a count (depends on the check). */
  readonly observed_value: unknown;
  /** What the schema asked for. */
  readonly expected?: unknown;
  /** A bounded sample of failing values (redacted when the feature asks for it). */
  readonly partial_unexpected_list: readonly unknown[];
  /** Row indexes of the sampled failures. */
  readonly partial_unexpected_index_list: readonly number[];
  /** One line a person can read; present on failures. */
  readonly message?: string;
}

/** Counts over all checks of one run. */
export interface ValidationStatistics {
  readonly evaluated_checks: number;
  readonly successful_checks: number;
  readonly unsuccessful_checks: number;
  /** Failed checks of severity `error`. */
  readonly errors: number;
  /** Failed checks of severity `warning`. */
  readonly warnings: number;
  readonly success_percent: number;
}

/** The outcome of validating one batch or request. */
export interface ValidationResult {
  /** False when any error-severity check failed. */
  readonly success: boolean;
  readonly mode: ValidationMode;
  readonly row_count: number;
  /** Rows with no error-severity failure. */
  readonly valid_row_count: number;
  /** Rows removed in `drop` mode (0 in other modes). */
  readonly dropped_row_count: number;
  readonly statistics: ValidationStatistics;
  /** Every check that ran, passing or not. */
  readonly results: readonly CheckResult[];
}

/** What `validateBatch` returns: the rows to keep and the result. */
export interface BatchOutcome<Row = unknown> {
  /** In `drop` mode the rows that passed; otherwise every row (empty in `reject` mode on failure). */
  readonly rows: Row[];
  readonly result: ValidationResult;
}

/** A structure validator following the Standard Schema spec (zod 4, valibot, ArkType, ...). */
export type StandardSchema = StandardSchemaV1;

/** Options of `createValidator`. */
export interface ValidatorOptions {
  /** Threadline checks (a parsed schema object, as from `loadSchema` or `parseSchema`). */
  readonly schema?: ValidationSchema;
  /** A Standard Schema validator applied to each row, for structure. */
  readonly standardSchema?: StandardSchema;
  /** Severity of Standard Schema issues (default `error`). */
  readonly standardSchemaSeverity?: Severity;
  /** Default `warn`. */
  readonly mode?: ValidationMode;
  /**
   * Receives one line per failing batch or request (event `validation_failed`). Default: core's
   * `jsonLineSink()` (JSON lines on stdout); `false` writes no lines (metrics still count).
   */
  readonly logger?: LogSink | false;
  /** Registry for the counters (default: prom-client's global registry). */
  readonly registry?: Registry<RegistryContentType>;
  /** Failing values kept per check in results and logs (default 5, at most 100). */
  readonly sampleSize?: number;
  /** Redact every sampled value (per-feature `redact` still applies when false). Default false. */
  readonly redact?: boolean;
  /** Deepest nesting accepted inside a row (default 32). */
  readonly maxDepth?: number;
  /** Most values walked inside one row (default 10 000). */
  readonly maxValuesPerRow?: number;
  /** Most rows accepted in one call (default 100 000). */
  readonly maxRows?: number;
  /** Name in logs and span attributes, e.g. the endpoint or pipeline step. */
  readonly name?: string;
}

/** Where an HTTP hook reads its input. */
export type InputSource = 'body' | 'query' | 'params';

/** Options of the Express and Koa hooks. */
export interface HttpHookOptions {
  /** Request part to validate (default `body`; a body parser must run first). */
  readonly from?: InputSource;
  /**
   * Picks the rows out of the input, e.g. `(body) => body.instances`. An array is validated as
   * a batch of rows; anything else as one row.
   */
  readonly select?: (input: unknown) => unknown;
  /** Status code of a rejection (default 422). */
  readonly status?: number;
}
