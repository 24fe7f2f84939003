import { ThreadlineConfigError } from './errors.js';

/**
 * Setup-time checks shared by every package, so bad options fail loudly with the same wording.
 * Each returns the value (or the default) and throws `ThreadlineConfigError` otherwise.
 */
export const check = {
  /** A number in [min, max] (integer when asked), or the default when undefined. */
  number(
    component: string,
    name: string,
    value: unknown,
    fallback: number,
    range: { min?: number; max?: number; integer?: boolean } = {},
  ): number {
    if (value === undefined) return fallback;
    const { min = Number.NEGATIVE_INFINITY, max = Number.POSITIVE_INFINITY, integer = false } = range;
    if (
      typeof value !== 'number' ||
      Number.isNaN(value) ||
      value < min ||
      value > max ||
      (integer && !Number.isInteger(value))
    ) {
      throw new ThreadlineConfigError(
        component,
        `option ${name} must be ${integer ? 'an integer' : 'a number'} in [${min}, ${max}], got ${JSON.stringify(value)}`,
      );
    }
    return value;
  },
  /** A boolean, or the default when undefined. */
  boolean(component: string, name: string, value: unknown, fallback: boolean): boolean {
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean')
      throw new ThreadlineConfigError(component, `option ${name} must be a boolean`);
    return value;
  },
  /** A non-empty string, or the default when undefined. */
  string<T extends string | undefined>(
    component: string,
    name: string,
    value: unknown,
    fallback: T,
  ): string | T {
    if (value === undefined) return fallback;
    if (typeof value !== 'string' || value === '')
      throw new ThreadlineConfigError(component, `option ${name} must be a non-empty string`);
    return value;
  },
  /** A function, or the default when undefined. */
  fn<F>(component: string, name: string, value: unknown, fallback: F): F {
    if (value === undefined) return fallback;
    if (typeof value !== 'function')
      throw new ThreadlineConfigError(component, `option ${name} must be a function`);
    return value as F;
  },
  /** One of the allowed values, or the default when undefined. */
  oneOf<T extends string>(
    component: string,
    name: string,
    value: unknown,
    allowed: readonly T[],
    fallback: T,
  ): T {
    if (value === undefined) return fallback;
    if (!allowed.includes(value as T)) {
      throw new ThreadlineConfigError(
        component,
        `option ${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`,
      );
    }
    return value as T;
  },
  /** Rejects keys not in `known` (typos fail at setup instead of silently doing nothing). */
  keys(component: string, options: object | undefined, known: readonly string[]): void {
    if (options === undefined) return;
    if (options === null || typeof options !== 'object')
      throw new ThreadlineConfigError(component, 'options must be an object');
    for (const key of Object.keys(options)) {
      if (!known.includes(key))
        throw new ThreadlineConfigError(
          component,
          `unknown option ${JSON.stringify(key)}; known: ${known.join(', ')}`,
        );
    }
  },
};
