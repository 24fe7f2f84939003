import { isRowObject } from './input.js';
import { checkResult } from './result.js';
import { Sample } from './sample.js';
import type { Settings } from './settings.js';
import type { CheckResult, Severity } from './types.js';

/** The settings the unknown-feature check reads. */
export type UnknownSettings = Pick<Settings, 'featureNames' | 'redact' | 'sampleSize'>;

/** Reports features a row carries that the schema does not declare. */
export class UnknownFeatureChecks {
  private rows = 0;
  private bad = 0;
  private readonly names = new Set<string>();
  private readonly sample: Sample;
  constructor(
    private readonly settings: UnknownSettings,
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
