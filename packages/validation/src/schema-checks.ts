import { checkResult } from './result.js';
import { REDACTED, Sample } from './sample.js';
import type { Settings } from './settings.js';
import type { RowIssue } from './standard.js';
import type { CheckResult, Severity } from './types.js';

/** The settings the Standard Schema checks read. */
export type SchemaSettings = Pick<Settings, 'featureNames' | 'redact' | 'redactedFeatures' | 'sampleSize'>;

/** Standard Schema issues grouped by schema feature; issues elsewhere go to `__schema__`. */
export class SchemaChecks {
  private rows = 0;
  // Entries are made on a feature's first issue; every feature still gets a (passing) result.
  private readonly failing = new Map<string, { rows: number; issues: number; sample: Sample }>();
  constructor(
    private readonly settings: SchemaSettings,
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
