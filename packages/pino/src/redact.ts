import { ThreadlineConfigError } from '@threadline/core';

/** Keys redacted by default: credentials that commonly reach logs through headers and bodies. */
export const DEFAULT_REDACT_KEYS: readonly string[] = ['authorization', 'cookie', 'set-cookie', 'password'];
/** The default replacement of a redacted value. */
export const DEFAULT_CENSOR = '[REDACTED]';

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function variants(key: string): string[] {
  const lower = key.toLowerCase();
  const words = lower.replace(/(^|[-_])([a-z])/g, (_m, sep: string, c: string) => sep + c.toUpperCase());
  return [...new Set([key, lower, words, key.toUpperCase()])];
}

/**
 * pino redact paths for keys at the top level and two levels down, in the usual spellings of each
 * key. pino's redaction compiles exact paths (fast, but case-sensitive and depth-bound), hence the
 * expansion.
 */
export function redactPathsFor(keys: readonly string[]): string[] {
  const paths: string[] = [];
  for (const key of keys) {
    if (/["'\\[\]]/.test(key)) {
      throw new ThreadlineConfigError(
        'pino',
        `redact key ${JSON.stringify(key)} may not contain quotes or brackets`,
      );
    }
    for (const v of variants(key)) {
      const leaf = IDENTIFIER.test(v) ? v : `["${v}"]`;
      const join = (prefix: string) => (leaf.startsWith('[') ? `${prefix}${leaf}` : `${prefix}.${leaf}`);
      paths.push(leaf, join('*'), join('*.*'));
    }
  }
  return paths;
}
