import { setImmediate as yieldToLoop } from 'node:timers/promises';
import {
  type BudgetedWrite,
  budgetedWriter,
  check,
  reportError,
  resolveEventSink,
  type SpanAttributes,
  ThreadlineConfigError,
  withSpan,
} from '@threadline/core';
import { FeatureChecks } from './checks.js';
import { inspectRow, isRowObject } from './input.js';
import { type ValidationMetrics, validationMetrics } from './metrics.js';
import { checkResult, statistics } from './result.js';
import { REDACTED, Sample } from './sample.js';
import { parseSchema } from './schema.js';
import { assertStandardSchema, type RowIssue, runStandardSchema } from './standard.js';
import type {
  BatchOutcome,
  CheckResult,
  Severity,
  StandardSchema,
  ValidationMode,
  ValidationResult,
  ValidationSchema,
  ValidatorOptions,
} from './types.js';

const COMPONENT = 'validation';
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
// Rows checked between two yields to the event loop: a big batch must not hold it for long.
const CHUNK_ROWS = 1_024;
const FORBIDDEN_EXPECTED = Object.freeze({
  forbidden: Object.freeze(['__proto__', 'constructor', 'prototype']),
});
// Failed checks listed in one log line; the counts cover the rest.
const MAX_LOGGED_FAILURES = 20;

/** What a validation run decided, for a hook to act on. */
export interface ValidationOutcome<Row = unknown> extends BatchOutcome<Row> {
  /** True in `reject` mode when an error-severity check failed: the caller must refuse the input. */
  readonly rejected: boolean;
}

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

interface Settings {
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
 * Creates a validator. Options are checked here and throw `ThreadlineConfigError` when wrong;
 * at least one of `schema` and `standardSchema` is required.
 */
export function createValidator(options: ValidatorOptions): Validator {
  check.keys(COMPONENT, options, OPTION_KEYS);
  if (!options || (options.schema === undefined && options.standardSchema === undefined)) {
    throw new ThreadlineConfigError(COMPONENT, 'give a schema, a standardSchema, or both');
  }
  const schema = options.schema === undefined ? undefined : parseSchema(options.schema);
  if (options.standardSchema !== undefined) assertStandardSchema(options.standardSchema);
  const logger = resolveEventSink(COMPONENT, options.logger);
  const settings: Settings = {
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

function passThrough(mode: ValidationMode, rows: readonly unknown[]): ValidationOutcome {
  const result: ValidationResult = {
    success: true,
    mode,
    row_count: rows.length,
    valid_row_count: rows.length,
    dropped_row_count: 0,
    statistics: statistics([]),
    results: [],
  };
  return { rows: [...rows], result, rejected: false };
}

/** Input-level checks: rows that are not objects, too deep, too large, or carry prototype keys. */
class InputChecks {
  private rows = 0;
  private notObject = 0;
  private deep = 0;
  private maxDepthSeen = 0;
  private large = 0;
  private forbidden = 0;
  private readonly samples;
  constructor(
    private readonly settings: Settings,
    sampleSize: number,
  ) {
    this.samples = {
      rowType: new Sample(sampleSize, settings.redact),
      depth: new Sample(sampleSize, false),
      size: new Sample(sampleSize, false),
      forbidden: new Sample(sampleSize, false),
    };
  }

  /** Returns true when the row is unusable. */
  add(row: unknown, index: number): boolean {
    this.rows++;
    let bad = false;
    if (!isRowObject(row)) {
      this.notObject++;
      this.samples.rowType.add(row, index);
      bad = true;
    }
    const seen = inspectRow(row, this.settings.maxDepth, this.settings.maxValuesPerRow);
    if (seen.depth > this.maxDepthSeen) this.maxDepthSeen = seen.depth;
    if (seen.tooDeep) {
      this.deep++;
      this.samples.depth.add(seen.depth, index);
      bad = true;
    }
    if (seen.tooLarge) {
      this.large++;
      this.samples.size.add(seen.values, index);
      bad = true;
    }
    if (seen.forbidden.length > 0) {
      this.forbidden++;
      this.samples.forbidden.add(seen.forbidden.join(','), index);
      bad = true;
    }
    return bad;
  }

  finish(): CheckResult[] {
    const { rows, settings, samples } = this;
    const feature = '__input__';
    const severity = 'error';
    return [
      checkResult({
        feature,
        severity,
        element_count: rows,
        check: 'row_type',
        success: this.notObject === 0,
        unexpected_count: this.notObject,
        observed_value: { non_object_rows: this.notObject },
        expected: { row: 'object' },
        sample: samples.rowType,
        message: () => `${this.notObject} of ${rows} rows are not objects`,
      }),
      checkResult({
        feature,
        severity,
        element_count: rows,
        check: 'payload_depth',
        success: this.deep === 0,
        unexpected_count: this.deep,
        observed_value: { max_depth: this.maxDepthSeen },
        expected: { max_depth: settings.maxDepth },
        sample: samples.depth,
        message: () => `${this.deep} of ${rows} rows nest deeper than ${settings.maxDepth}`,
      }),
      checkResult({
        feature,
        severity,
        element_count: rows,
        check: 'payload_size',
        success: this.large === 0,
        unexpected_count: this.large,
        observed_value: { oversized_rows: this.large },
        expected: { max_values_per_row: settings.maxValuesPerRow },
        sample: samples.size,
        message: () => `${this.large} of ${rows} rows hold more than ${settings.maxValuesPerRow} values`,
      }),
      checkResult({
        feature,
        severity,
        element_count: rows,
        check: 'forbidden_key',
        success: this.forbidden === 0,
        unexpected_count: this.forbidden,
        observed_value: { rows_with_forbidden_keys: this.forbidden },
        expected: FORBIDDEN_EXPECTED,
        sample: samples.forbidden,
        message: () => `${this.forbidden} of ${rows} rows carry __proto__, constructor or prototype keys`,
      }),
    ];
  }
}

/** Standard Schema issues grouped by schema feature; issues elsewhere go to `__schema__`. */
class SchemaChecks {
  private rows = 0;
  // Entries are made on a feature's first issue; every feature still gets a (passing) result.
  private readonly failing = new Map<string, { rows: number; issues: number; sample: Sample }>();
  constructor(
    private readonly settings: Settings,
    private readonly severity: Severity,
  ) {}

  /** Records one row's issues; returns true when the row failed. */
  add(issues: readonly RowIssue[], index: number): boolean {
    this.rows++;
    if (issues.length === 0) return false;
    const { settings } = this;
    const touched = new Set<string>();
    for (const issue of issues) {
      const feature =
        issue.key !== undefined && settings.featureNames.has(issue.key) ? issue.key : '__schema__';
      const redact = settings.redact || settings.redactedFeatures.has(feature);
      let entry = this.failing.get(feature);
      if (!entry) {
        entry = { rows: 0, issues: 0, sample: new Sample(settings.sampleSize, redact) };
        this.failing.set(feature, entry);
      }
      entry.issues++;
      // The sample shows the path and message (messages of some validators quote the value).
      entry.sample.add(redact ? REDACTED : `${issue.path || '(row)'}: ${issue.message}`, index);
      touched.add(feature);
    }
    for (const feature of touched) this.failing.get(feature)!.rows++;
    return true;
  }

  finish(): CheckResult[] {
    const out: CheckResult[] = [];
    for (const feature of [...this.settings.featureNames, '__schema__']) {
      const entry = this.failing.get(feature);
      const failedRows = entry?.rows ?? 0;
      out.push(
        checkResult({
          feature,
          check: 'schema',
          severity: this.severity,
          success: failedRows === 0,
          element_count: this.rows,
          unexpected_count: failedRows,
          observed_value: { issues: entry?.issues ?? 0 },
          sample: entry?.sample,
          message: () => `${feature}: schema issues in ${failedRows} of ${this.rows} rows`,
        }),
      );
    }
    return out;
  }
}

/** Reports features a row carries that the schema does not declare. */
class UnknownFeatureChecks {
  private rows = 0;
  private bad = 0;
  private readonly names = new Set<string>();
  private readonly sample: Sample;
  constructor(
    private readonly settings: Settings,
    readonly severity: Severity,
  ) {
    this.sample = new Sample(settings.sampleSize, settings.redact);
  }

  add(row: unknown, index: number): boolean {
    this.rows++;
    if (!isRowObject(row)) return false;
    let found = false;
    for (const key of Object.keys(row)) {
      if (this.settings.featureNames.has(key)) continue;
      found = true;
      if (this.names.size < 1_000) this.names.add(key);
      this.sample.add(key, index);
    }
    if (found) this.bad++;
    return found && this.severity === 'error';
  }

  finish(): CheckResult {
    return checkResult({
      feature: '__unknown__',
      check: 'unknown_feature',
      severity: this.severity,
      success: this.bad === 0,
      element_count: this.rows,
      unexpected_count: this.bad,
      observed_value: { distinct_unknown_features: this.names.size },
      expected: { features: this.settings.featureNames.size },
      sample: this.sample,
      message: () => `${this.bad} of ${this.rows} rows carry features the schema does not declare`,
    });
  }
}

async function evaluate(settings: Settings, rows: readonly unknown[]): Promise<ValidationOutcome> {
  const n = rows.length;
  const { schema, mode } = settings;
  if (n > settings.maxRows) {
    // Too many rows to check at all: one clear failure, and nothing is walked.
    const results = [
      checkResult({
        feature: '__input__',
        check: 'payload_size',
        severity: 'error',
        success: false,
        element_count: n,
        unexpected_count: n,
        observed_value: { rows: n },
        expected: { max_rows: settings.maxRows },
        message: () => `${n} rows exceed the limit of ${settings.maxRows}`,
      }),
    ];
    const result = finishResult(mode, n, 0, results);
    return { rows: mode === 'warn' ? [...rows] : [], result, rejected: mode === 'reject' };
  }
  const severity: Severity = schema?.severity ?? 'error';
  const settingsForChecks = { sampleSize: settings.sampleSize, redactAll: settings.redact };
  const features = (schema?.features ?? []).map((f) => new FeatureChecks(f, severity, settingsForChecks));
  const input = new InputChecks(settings, settings.sampleSize);
  const structure = settings.standardSchema
    ? new SchemaChecks(settings, settings.standardSeverity)
    : undefined;
  const unknownMode = schema?.unknownFeatures ?? 'allow';
  const unknown =
    schema && unknownMode !== 'allow' ? new UnknownFeatureChecks(settings, unknownMode) : undefined;
  const invalid = new Uint8Array(n);
  const featureIsError = features.map((f) => f.severity === 'error');

  for (let start = 0; start < n; start += CHUNK_ROWS) {
    if (start > 0) await yieldToLoop();
    const end = Math.min(n, start + CHUNK_ROWS);
    for (let i = start; i < end; i++) {
      const row = rows[i];
      let bad = input.add(row, i);
      for (let f = 0; f < features.length; f++) {
        if (features[f]!.add(row, i) && featureIsError[f]) bad = true;
      }
      if (unknown?.add(row, i)) bad = true;
      if (structure) {
        const found = runStandardSchema(settings.standardSchema!, row);
        const issues = Array.isArray(found) ? found : await found;
        if (structure.add(issues, i) && settings.standardSeverity === 'error') bad = true;
      }
      if (bad) invalid[i] = 1;
    }
  }

  const results: CheckResult[] = input.finish();
  if (structure) results.push(...structure.finish());
  for (const f of features) results.push(...f.finish());
  if (unknown) results.push(unknown.finish());
  if (schema?.rowCount) {
    const { min, max } = schema.rowCount;
    const ok = (min === undefined || n >= min) && (max === undefined || n <= max);
    results.push(
      checkResult({
        feature: '__rows__',
        check: 'row_count',
        severity,
        success: ok,
        element_count: n,
        unexpected_count: ok ? 0 : n,
        observed_value: n,
        expected: { min: min ?? null, max: max ?? null },
        message: () => `${n} rows, expected [${min ?? 0}, ${max ?? 'inf'}]`,
      }),
    );
  }
  let validCount = 0;
  for (let i = 0; i < n; i++) if (invalid[i] === 0) validCount++;
  const result = finishResult(mode, n, validCount, results);
  let kept: unknown[];
  if (mode === 'drop') kept = rows.filter((_, i) => invalid[i] === 0);
  else if (mode === 'reject' && !result.success) kept = [];
  else kept = [...rows];
  return { rows: kept, result, rejected: mode === 'reject' && !result.success };
}

function finishResult(
  mode: ValidationMode,
  rows: number,
  valid: number,
  results: readonly CheckResult[],
): ValidationResult {
  const stats = statistics(results);
  return {
    success: stats.errors === 0,
    mode,
    row_count: rows,
    valid_row_count: valid,
    dropped_row_count: mode === 'drop' ? rows - valid : 0,
    statistics: stats,
    results,
  };
}

/** Counts every check, and writes one line when anything failed. */
function record(settings: Settings, outcome: ValidationOutcome): void {
  const { result } = outcome;
  const { checks, failures } = settings.metrics;
  for (const r of result.results) {
    const labels = { feature: r.feature, check: r.check };
    checks.inc(labels);
    if (!r.success) failures.inc(labels);
  }
  const stats = result.statistics;
  if (stats.unsuccessful_checks === 0 || !settings.logging) return;
  const failed = result.results.filter((r) => !r.success);
  const outcomeWord = outcome.rejected ? 'rejected' : result.dropped_row_count > 0 ? 'dropped' : 'passed';
  const fields: Record<string, unknown> = {
    event: 'validation_failed',
    ...(settings.name ? { validator: settings.name } : {}),
    mode: result.mode,
    outcome: outcomeWord,
    rows: result.row_count,
    valid_rows: result.valid_row_count,
    dropped_rows: result.dropped_row_count,
    errors: stats.errors,
    warnings: stats.warnings,
    failed_checks: failed.slice(0, MAX_LOGGED_FAILURES).map((r) => ({
      feature: r.feature,
      check: r.check,
      severity: r.severity,
      unexpected_count: r.unexpected_count,
      unexpected_percent: r.unexpected_percent,
      observed_value: r.observed_value,
      sample: r.partial_unexpected_list,
    })),
  };
  const level = stats.errors > 0 && result.mode !== 'warn' ? 'error' : 'warn';
  const message =
    `data validation failed: ${stats.unsuccessful_checks} of ${stats.evaluated_checks} checks ` +
    `(${stats.errors} errors, ${stats.warnings} warnings), ${outcomeWord}`;
  settings.log('validation_failed', fields, message, level);
}
