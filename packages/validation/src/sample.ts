import { boundText } from '@threadline/core';

/** What a redacted value is shown as. */
export const REDACTED = '[REDACTED]';
const MAX_STRING = 80;

/**
 * A JSON-safe, small stand-in for a failing value: NaN and Infinity (which JSON would turn into
 * null) become strings, long strings are cut, and containers are named, not copied, so a sample
 * never carries a huge or hostile payload into a log line.
 */
export function describeValue(value: unknown): unknown {
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'string':
      // A copy of the first characters, never a slice still holding the whole input.
      return value.length > MAX_STRING ? `${boundText(value, MAX_STRING)}…(${value.length} chars)` : value;
    case 'boolean':
      return value;
    case 'undefined':
      return '[missing]';
    case 'bigint':
      return `${value}n`;
    case 'object':
      if (value === null) return null;
      return Array.isArray(value) ? `[array(${value.length})]` : '[object]';
    default:
      return `[${typeof value}]`;
  }
}

/** Collects at most `size` failing values and their row indexes. */
export class Sample {
  readonly values: unknown[] = [];
  readonly indexes: number[] = [];
  constructor(
    private readonly size: number,
    private readonly redact: boolean,
  ) {}

  add(value: unknown, index: number): void {
    if (this.values.length >= this.size) return;
    this.values.push(this.redact ? REDACTED : describeValue(value));
    this.indexes.push(index);
  }
}
