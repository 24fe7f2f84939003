import { inspectRow, isRowObject } from './input.js';
import { checkResult } from './result.js';
import { Sample } from './sample.js';
import type { Settings } from './settings.js';
import type { CheckResult } from './types.js';

const FORBIDDEN_EXPECTED = Object.freeze({
  forbidden: Object.freeze(['__proto__', 'constructor', 'prototype']),
});

/** The settings the input checks read. */
export type InputSettings = Pick<Settings, 'maxDepth' | 'maxValuesPerRow' | 'redact'>;

/** Input-level checks: rows that are not objects, too deep, too large, or carry prototype keys. */
export class InputChecks {
  private rows = 0;
  private notObject = 0;
  private deep = 0;
  private maxDepthSeen = 0;
  private large = 0;
  private forbidden = 0;
  private readonly samples;
  constructor(
    private readonly settings: InputSettings,
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
