import { check, ThreadlineConfigError } from '@threadline/core';
import { isRowObject } from './input.js';
import { FORBIDDEN_KEYS, MAX_FEATURES, parseSchema } from './schema.js';
import type { DomainValue, FeatureSpec, FeatureType, ValidationSchema } from './types.js';

const COMPONENT = 'validation.infer';

/** Options of `inferSchema`. */
export interface InferOptions {
  /**
   * Widens each numeric range by this share of its span on both sides (default 0: the observed
   * min and max), so values just beyond the reference sample are not flagged at once.
   */
  readonly rangeMargin?: number;
  /** Strings with at most this many distinct values get a domain (default 20; 0: never). */
  readonly maxDomainSize?: number;
  /** A feature present in at least this share of rows is required (default 1). */
  readonly requiredThreshold?: number;
  /** Features listed in a schema at most (default 1 000); extra keys are left out. */
  readonly maxFeatures?: number;
}

interface Stats {
  present: number;
  nulls: number;
  nonFinite: number;
  numbers: number;
  integers: number;
  strings: number;
  booleans: number;
  other: number;
  min: number;
  max: number;
  distinct: Set<DomainValue> | undefined;
}

function newStats(): Stats {
  return {
    present: 0,
    nulls: 0,
    nonFinite: 0,
    numbers: 0,
    integers: 0,
    strings: 0,
    booleans: 0,
    other: 0,
    min: Number.POSITIVE_INFINITY,
    max: Number.NEGATIVE_INFINITY,
    distinct: new Set(),
  };
}

// Rates written to the file are rounded up, so the reference sample itself always passes.
function ceilRate(rate: number): number {
  return Math.min(1, Math.ceil(rate * 1000) / 1000);
}

function round(value: number): number {
  return Number.parseFloat(value.toPrecision(12));
}

/**
 * Infers a schema from a reference sample, as TFDV's `infer_schema` does: each feature's type,
 * presence (required), numeric range (optionally widened), and, for strings with few distinct
 * values, a categorical domain. Observed null and NaN/Infinity rates become the tolerated maxima.
 * The result is a starting point for a person to review, then save with `saveSchema`.
 */
export function inferSchema(rows: readonly unknown[], options: InferOptions = {}): ValidationSchema {
  check.keys(COMPONENT, options, ['rangeMargin', 'maxDomainSize', 'requiredThreshold', 'maxFeatures']);
  const margin = check.number(COMPONENT, 'rangeMargin', options.rangeMargin, 0, { min: 0, max: 10 });
  const maxDomain = check.number(COMPONENT, 'maxDomainSize', options.maxDomainSize, 20, {
    min: 0,
    max: 10_000,
    integer: true,
  });
  const threshold = check.number(COMPONENT, 'requiredThreshold', options.requiredThreshold, 1, {
    min: 0,
    max: 1,
  });
  const maxFeatures = check.number(COMPONENT, 'maxFeatures', options.maxFeatures, MAX_FEATURES, {
    min: 1,
    max: MAX_FEATURES,
    integer: true,
  });
  if (!Array.isArray(rows) || rows.length === 0) {
    throw new ThreadlineConfigError(COMPONENT, 'inferSchema needs a non-empty array of rows');
  }
  const stats = new Map<string, Stats>();
  for (const row of rows) {
    if (!isRowObject(row)) continue;
    for (const key of Object.keys(row)) {
      let s = stats.get(key);
      if (!s) {
        if (stats.size >= maxFeatures || FORBIDDEN_KEYS.has(key)) continue;
        s = newStats();
        stats.set(key, s);
      }
      const value = row[key];
      if (value === undefined) continue;
      s.present++;
      if (value === null) s.nulls++;
      else if (typeof value === 'number') {
        if (!Number.isFinite(value)) {
          s.nonFinite++;
          continue;
        }
        s.numbers++;
        if (Number.isInteger(value)) s.integers++;
        if (value < s.min) s.min = value;
        if (value > s.max) s.max = value;
      } else if (typeof value === 'string') {
        s.strings++;
        if (s.distinct && s.distinct.size <= maxDomain) s.distinct.add(value);
      } else if (typeof value === 'boolean') s.booleans++;
      else s.other++;
    }
  }
  const n = rows.length;
  const features: FeatureSpec[] = [];
  for (const [name, s] of stats) {
    const typed = s.numbers + s.strings + s.booleans + s.other;
    let type: FeatureType | undefined;
    if (typed > 0 && s.other === 0) {
      if (s.numbers === typed) type = s.integers === typed ? 'integer' : 'number';
      else if (s.strings === typed) type = 'string';
      else if (s.booleans === typed) type = 'boolean';
    }
    const spec: Record<string, unknown> = { name };
    // Mixed types get no type check: a person must decide which one is right.
    if (type) spec.type = type;
    spec.required = s.present / n >= threshold;
    if ((type === 'number' || type === 'integer') && s.numbers > 0) {
      const widen = (s.max - s.min) * margin;
      spec.min = round(s.min - widen);
      spec.max = round(s.max + widen);
    }
    if (type === 'string' && maxDomain > 0 && s.distinct && s.distinct.size <= maxDomain) {
      spec.domain = [...s.distinct].sort();
    }
    if (s.nulls > 0) spec.maxNullRate = ceilRate(s.nulls / n);
    if (s.nonFinite > 0) spec.maxNonFiniteRate = ceilRate(s.nonFinite / n);
    features.push(spec as unknown as FeatureSpec);
  }
  return parseSchema({
    version: 1,
    features,
    inferred: {
      rows: n,
      at: new Date().toISOString(),
      note: 'Inferred from a reference sample: review every range and domain before use.',
    },
  });
}
