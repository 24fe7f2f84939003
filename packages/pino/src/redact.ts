import { ThreadlineConfigError } from '@threadline/core';

export { DEFAULT_CENSOR, DEFAULT_REDACT_KEYS } from '@threadline/core';

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function variants(key: string): string[] {
  const lower = key.toLowerCase();
  const words = lower.replace(/(^|[-_])([a-z])/g, (_m, sep: string, c: string) => sep + c.toUpperCase());
  return [...new Set([key, lower, words, key.toUpperCase()])];
}

/**
 * Where credentials usually reach log lines: the top level, and the header and body objects of
 * requests, responses and HTTP-client errors. For `redactPathsFor`, when you configure pino's own
 * path-based redaction yourself; `createPinoLogger` redacts at any depth instead.
 */
export const DEFAULT_REDACT_PARENTS: readonly string[] = [
  '',
  'headers',
  'req.headers',
  'res.headers',
  'request.headers',
  'response.headers',
  'body',
  'req.body',
  'request.body',
  'user',
  'config.headers',
  'err.config.headers',
  'error.config.headers',
];

/**
 * pino redact paths for keys at the top level and under the usual parents (`req.headers`, `body`,
 * ...), in the usual spellings of each key: pino's compiled paths are exact about path and case.
 * For a pino logger you build yourself (`pino({ redact: redactPathsFor(keys) })`).
 */
export function redactPathsFor(
  keys: readonly string[],
  parents: readonly string[] = DEFAULT_REDACT_PARENTS,
): string[] {
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
      for (const parent of parents) {
        paths.push(parent === '' ? leaf : leaf.startsWith('[') ? `${parent}${leaf}` : `${parent}.${leaf}`);
      }
    }
  }
  return paths;
}
