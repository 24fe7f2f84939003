import { ThreadlineConfigError } from '@threadline/core';

/** Longest label value accepted at declaration. */
export const MAX_LABEL_VALUE_LENGTH = 128;

/**
 * Checks a value that will become a metric label: a string of printable characters, bounded in
 * length. Checked once at setup, so nothing on the request path has to.
 */
export function checkLabelValue(component: string, name: string, value: unknown, required: boolean): string {
  if (value === undefined || value === '') {
    if (required) throw new ThreadlineConfigError(component, `${name} is required`);
    return '';
  }
  if (typeof value !== 'string') throw new ThreadlineConfigError(component, `${name} must be a string`);
  if (value.length > MAX_LABEL_VALUE_LENGTH) {
    throw new ThreadlineConfigError(
      component,
      `${name} must be at most ${MAX_LABEL_VALUE_LENGTH} characters`,
    );
  }
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) {
      throw new ThreadlineConfigError(component, `${name} must not contain control characters`);
    }
  }
  return value;
}
