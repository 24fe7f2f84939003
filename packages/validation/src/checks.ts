import { createHash } from 'node:crypto';
import { isRowObject } from './input.js';
import { checkResult } from './result.js';
import { describeValue, Sample } from './sample.js';
import type { CheckResult, DomainValue, FeatureSpec, Severity } from './types.js';

/** Distinct values remembered per check: enough to report, bounded whatever the batch holds. */
const MAX_TRACKED_DISTINCT = 1_000;
/** Strings up to this length are their own uniqueness key. */
const MAX_KEY_TEXT = 64;

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && Number.isInteger(value)) return 'integer';
  return typeof value;
}

function matchesType(type: FeatureSpec['type'], value: unknown): boolean {
  switch (type) {
    case 'number':
      return typeof value === 'number';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    default:
      return true;
  }
}

// Keys for the uniqueness map: the type prefix keeps 1 and "1" apart. A long string is kept as
// its length and SHA-256, so the map never holds the input's text.
function uniqueKey(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return value.length <= MAX_KEY_TEXT
        ? `s${value}`
        : `h${value.length}:${createHash('sha256').update(value).digest('base64')}`;
    case 'number':
      return `n${value}`;
    case 'boolean':
      return `b${value}`;
    case 'bigint':
      return `i${value}`;
    default:
      return undefined;
  }
}

type SampleKind = 'required' | 'null' | 'nonFinite' | 'type' | 'range' | 'domain' | 'unique';

/** Shared knobs for every check of one run. */
export interface CheckSettings {
  readonly sampleSize: number;
  readonly redactAll: boolean;
}

/**
 * The checks of one schema feature, fed one row at a time so a batch can be processed in chunks
 * (yielding to the event loop between them) and finished into results at the end.
 */
export class FeatureChecks {
  readonly name: string;
  readonly severity: Severity;
  private readonly spec: FeatureSpec;
  private readonly required: boolean;
  private readonly maxNullRate: number;
  private readonly maxNonFiniteRate: number;
  private readonly numericType: boolean;
  private readonly domain: ReadonlySet<DomainValue> | undefined;
  private rows = 0;
  private missing = 0;
  private nulls = 0;
  private nonFinite = 0;
  private typed = 0;
  private typeBad = 0;
  private readonly typesSeen = new Set<string>();
  private ranged = 0;
  private rangeBad = 0;
  private observedMin = Number.POSITIVE_INFINITY;
  private observedMax = Number.NEGATIVE_INFINITY;
  private domainChecked = 0;
  private domainBad = 0;
  private readonly unseen = new Set<DomainValue>();
  private uniqueChecked = 0;
  private readonly firstSeen = new Map<string, number>();
  private duplicates = 0;
  // Samples are made on the first failure: most runs of a one-row request fail nothing.
  private readonly samples: Partial<Record<SampleKind, Sample>> = {};
  private readonly sampleSize: number;
  private readonly redact: boolean;

  constructor(spec: FeatureSpec, defaultSeverity: Severity, settings: CheckSettings) {
    this.spec = spec;
    this.name = spec.name;
    this.severity = spec.severity ?? defaultSeverity;
    this.required = spec.required !== false;
    this.maxNullRate = spec.maxNullRate ?? 0;
    this.maxNonFiniteRate = spec.maxNonFiniteRate ?? 0;
    this.numericType = spec.type === undefined || spec.type === 'number' || spec.type === 'integer';
    this.domain = spec.domain ? new Set(spec.domain) : undefined;
    this.redact = settings.redactAll || spec.redact === true;
    this.sampleSize = settings.sampleSize;
  }

  private sample(kind: SampleKind): Sample {
    let sample = this.samples[kind];
    if (!sample) {
      sample = new Sample(this.sampleSize, this.redact);
      this.samples[kind] = sample;
    }
    return sample;
  }

  /**
   * Checks one row; returns true when the row fails a check of this feature that makes the row
   * unusable (a null or non-finite value counts only when the schema tolerates none).
   */
  add(row: unknown, index: number): boolean {
    this.rows++;
    const name = this.name;
    const present = isRowObject(row) && Object.hasOwn(row, name) && row[name] !== undefined;
    if (!present) {
      this.missing++;
      if (this.required) {
        this.sample('required').add(undefined, index);
        return true;
      }
      return false;
    }
    const value = (row as Record<string, unknown>)[name];
    if (value === null) {
      this.nulls++;
      this.sample('null').add(null, index);
      return this.maxNullRate === 0;
    }
    if (this.numericType && typeof value === 'number' && !Number.isFinite(value)) {
      this.nonFinite++;
      this.sample('nonFinite').add(value, index);
      return this.maxNonFiniteRate === 0;
    }
    this.typed++;
    if (!matchesType(this.spec.type, value)) {
      this.typeBad++;
      if (this.typesSeen.size < 16) this.typesSeen.add(typeName(value));
      this.sample('type').add(value, index);
      return true;
    }
    let bad = false;
    if (typeof value === 'number' && (this.spec.min !== undefined || this.spec.max !== undefined)) {
      this.ranged++;
      if (value < this.observedMin) this.observedMin = value;
      if (value > this.observedMax) this.observedMax = value;
      if (
        (this.spec.min !== undefined && value < this.spec.min) ||
        (this.spec.max !== undefined && value > this.spec.max)
      ) {
        this.rangeBad++;
        this.sample('range').add(value, index);
        bad = true;
      }
    }
    if (this.domain) {
      this.domainChecked++;
      if (!this.domain.has(value as DomainValue)) {
        this.domainBad++;
        if (this.unseen.size < MAX_TRACKED_DISTINCT) this.unseen.add(describeValue(value) as DomainValue);
        this.sample('domain').add(value, index);
        bad = true;
      }
    }
    if (this.spec.unique) {
      const key = uniqueKey(value);
      if (key !== undefined) {
        this.uniqueChecked++;
        const first = this.firstSeen.get(key);
        if (first === undefined) this.firstSeen.set(key, index);
        else {
          this.duplicates++;
          this.sample('unique').add(value, index);
        }
      }
    }
    return bad;
  }

  /** The results of every check this feature runs. */
  finish(): CheckResult[] {
    const { name: feature, severity, spec, rows } = this;
    const out: CheckResult[] = [];
    if (this.required) {
      out.push(
        checkResult({
          feature,
          check: 'required',
          severity,
          success: this.missing === 0,
          element_count: rows,
          unexpected_count: this.missing,
          observed_value: { present: rows - this.missing },
          expected: { required: true },
          sample: this.samples.required,
          message: () => `${feature}: missing in ${this.missing} of ${rows} rows`,
        }),
      );
    }
    const nullRate = rows === 0 ? 0 : this.nulls / rows;
    out.push(
      checkResult({
        feature,
        check: 'null_rate',
        severity,
        success: nullRate <= this.maxNullRate,
        element_count: rows,
        unexpected_count: this.nulls,
        observed_value: nullRate,
        expected: { max_rate: this.maxNullRate },
        sample: this.samples.null,
        message: () => `${feature}: null rate ${nullRate.toFixed(4)} above ${this.maxNullRate}`,
      }),
    );
    if (this.numericType) {
      const rate = rows === 0 ? 0 : this.nonFinite / rows;
      out.push(
        checkResult({
          feature,
          check: 'non_finite_rate',
          severity,
          success: rate <= this.maxNonFiniteRate,
          element_count: rows,
          unexpected_count: this.nonFinite,
          observed_value: rate,
          expected: { max_rate: this.maxNonFiniteRate },
          sample: this.samples.nonFinite,
          message: () => `${feature}: NaN/Infinity rate ${rate.toFixed(4)} above ${this.maxNonFiniteRate}`,
        }),
      );
    }
    if (spec.type !== undefined) {
      out.push(
        checkResult({
          feature,
          check: 'type',
          severity,
          success: this.typeBad === 0,
          element_count: this.typed,
          unexpected_count: this.typeBad,
          observed_value: { unexpected_types: [...this.typesSeen].sort() },
          expected: { type: spec.type },
          sample: this.samples.type,
          message: () => `${feature}: ${this.typeBad} of ${this.typed} values are not of type ${spec.type}`,
        }),
      );
    }
    if (spec.min !== undefined || spec.max !== undefined) {
      const seen = this.ranged > 0;
      out.push(
        checkResult({
          feature,
          check: 'range',
          severity,
          success: this.rangeBad === 0,
          element_count: this.ranged,
          unexpected_count: this.rangeBad,
          observed_value: seen ? { min: this.observedMin, max: this.observedMax } : null,
          expected: { min: spec.min ?? null, max: spec.max ?? null },
          sample: this.samples.range,
          message: () =>
            `${feature}: ${this.rangeBad} of ${this.ranged} values outside [${spec.min ?? '-inf'}, ${spec.max ?? 'inf'}]`,
        }),
      );
    }
    if (this.domain) {
      out.push(
        checkResult({
          feature,
          check: 'domain',
          severity,
          success: this.domainBad === 0,
          element_count: this.domainChecked,
          unexpected_count: this.domainBad,
          observed_value: { unseen_categories: this.unseen.size },
          expected: { domain_size: this.domain.size },
          sample: this.samples.domain,
          message: () =>
            `${feature}: ${this.domainBad} of ${this.domainChecked} values are unseen categories`,
        }),
      );
    }
    if (spec.unique) {
      out.push(
        checkResult({
          feature,
          check: 'unique',
          severity,
          success: this.duplicates === 0,
          element_count: this.uniqueChecked,
          unexpected_count: this.duplicates,
          observed_value: { distinct: this.firstSeen.size },
          expected: { unique: true },
          sample: this.samples.unique,
          message: () =>
            `${feature}: ${this.duplicates} of ${this.uniqueChecked} values repeat an earlier row`,
        }),
      );
    }
    return out;
  }
}
