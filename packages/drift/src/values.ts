/** Why a value was not used. */
export type Rejection = 'missing' | 'nan' | 'infinite' | 'invalid';

const NAN_TEXT = /^[+-]?nan$/i;
const INF_TEXT = /^[+-]?(inf|infinity)$/i;

/**
 * A numeric value from what a caller or a file handed in: numbers as they are, numeric strings
 * parsed (`NaN`, `inf`, `-Infinity` spelled any way count as NaN or infinite), or the reason the
 * value cannot be used.
 */
export function toNumber(value: unknown): number | Rejection {
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
    return Number.isNaN(value) ? 'nan' : 'infinite';
  }
  if (value === undefined || value === null) return 'missing';
  if (typeof value === 'string') {
    const text = value.trim();
    if (text === '') return 'missing';
    if (NAN_TEXT.test(text)) return 'nan';
    if (INF_TEXT.test(text)) return 'infinite';
    const n = Number(text);
    if (Number.isFinite(n)) return n;
    return Number.isNaN(n) ? 'invalid' : 'infinite';
  }
  if (typeof value === 'bigint') {
    const n = Number(value);
    return Number.isFinite(n) ? n : 'infinite';
  }
  return 'invalid';
}

/** A category from a value: strings, numbers and booleans as text; otherwise the reason. */
export function toCategory(value: unknown): string | Rejection {
  if (typeof value === 'string') return value === '' ? 'missing' : value;
  if (value === undefined || value === null) return 'missing';
  if (typeof value === 'number') return Number.isNaN(value) ? 'nan' : String(value);
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return 'invalid';
}

/** True when every usable value of a column reads as a number (missing values aside). */
export function looksNumeric(values: readonly unknown[]): boolean {
  let seen = false;
  for (const v of values) {
    const n = toNumber(v);
    if (n === 'invalid') return false;
    if (typeof v === 'boolean') return false;
    if (n !== 'missing') seen = true;
  }
  return seen;
}
