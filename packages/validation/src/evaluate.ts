import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { FeatureChecks } from './checks.js';
import { InputChecks } from './input-checks.js';
import { checkResult, statistics } from './result.js';
import { SchemaChecks } from './schema-checks.js';
import type { Settings } from './settings.js';
import { runStandardSchema } from './standard.js';
import type { BatchOutcome, CheckResult, Severity, ValidationMode, ValidationResult } from './types.js';
import { UnknownFeatureChecks } from './unknown-features.js';

// Rows checked between two yields to the event loop: a big batch must not hold it for long.
const CHUNK_ROWS = 1_024;

/** What a validation run decided, for a hook to act on. */
export interface ValidationOutcome<Row = unknown> extends BatchOutcome<Row> {
  /** True in `reject` mode when an error-severity check failed: the caller must refuse the input. */
  readonly rejected: boolean;
}

/** The outcome of a run that failed inside Threadline: every row passes, nothing is checked. */
export function passThrough(mode: ValidationMode, rows: readonly unknown[]): ValidationOutcome {
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

/** Validates the rows: every check over every row, then the result and the rows to keep. */
export async function evaluate(settings: Settings, rows: readonly unknown[]): Promise<ValidationOutcome> {
  const n = rows.length;
  const { schema, mode } = settings;
  if (n > settings.maxRows) return tooManyRows(settings, rows);
  const severity: Severity = schema?.severity ?? 'error';
  const { invalid, results } = await checkRows(settings, rows, severity);
  if (schema?.rowCount) results.push(rowCountResult(schema.rowCount, n, severity));
  let validCount = 0;
  for (let i = 0; i < n; i++) if (invalid[i] === 0) validCount++;
  const result = finishResult(mode, n, validCount, results);
  let kept: unknown[];
  if (mode === 'drop') kept = rows.filter((_, i) => invalid[i] === 0);
  else if (mode === 'reject' && !result.success) kept = [];
  else kept = [...rows];
  return { rows: kept, result, rejected: mode === 'reject' && !result.success };
}

/** Too many rows to check at all: one clear failure, and nothing is walked. */
function tooManyRows(settings: Settings, rows: readonly unknown[]): ValidationOutcome {
  const n = rows.length;
  const { mode } = settings;
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

/**
 * Runs the input, Standard Schema, feature and unknown-feature checks over every row, yielding
 * to the event loop between chunks; returns which rows failed an error check, and the results.
 */
async function checkRows(
  settings: Settings,
  rows: readonly unknown[],
  severity: Severity,
): Promise<{ invalid: Uint8Array; results: CheckResult[] }> {
  const n = rows.length;
  const { schema } = settings;
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
  return { invalid, results };
}

/** The schema's `rowCount` bounds as a check over the whole batch. */
function rowCountResult(bounds: { min?: number; max?: number }, n: number, severity: Severity): CheckResult {
  const { min, max } = bounds;
  const ok = (min === undefined || n >= min) && (max === undefined || n <= max);
  return checkResult({
    feature: '__rows__',
    check: 'row_count',
    severity,
    success: ok,
    element_count: n,
    unexpected_count: ok ? 0 : n,
    observed_value: n,
    expected: { min: min ?? null, max: max ?? null },
    message: () => `${n} rows, expected [${min ?? 0}, ${max ?? 'inf'}]`,
  });
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
