// The parts of an access line that need care: paths and skip patterns, and the opt-in fields
// (user agent, client address, query string) with their redaction and length bounds.

/** Longest path written to an access line; a huge URL is cut, not copied whole into every line. */
export const MAX_LOGGED_PATH = 512;
/** Longest user agent, client address or query string written to an access line. */
export const MAX_LOGGED_FIELD = 512;
/** What a redacted query value is replaced with. */
export const REDACTED = '[REDACTED]';

/**
 * Query keys whose values never reach a log line (compared case-insensitively, `-` read as `_`).
 * Keys that contain `token`, `secret`, `password` or `passwd` are redacted as well.
 */
export const DEFAULT_REDACTED_QUERY_KEYS: readonly string[] = [
  'token',
  'password',
  'passwd',
  'pwd',
  'secret',
  'api_key',
  'apikey',
  'key',
  'auth',
  'authorization',
  'code',
  'signature',
  'sig',
  'session',
  'sessionid',
  'credential',
  'credentials',
];
const REDACTED_PARTS = ['token', 'secret', 'password', 'passwd'];

/** The path of a request URL, without its query. */
export function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** True when `path` is one of the exact strings or matches one of the patterns. */
export function matchesAny(list: readonly (string | RegExp)[], path: string): boolean {
  for (const s of list) {
    if (typeof s === 'string') {
      if (s === path) return true;
    } else {
      // A pattern with the g or y flag keeps lastIndex between calls and would match every other request.
      s.lastIndex = 0;
      if (s.test(path)) return true;
    }
  }
  return false;
}

/** Cuts a value to the logged bound. */
export function bounded(value: string, max = MAX_LOGGED_FIELD): string {
  return value.length > max ? value.slice(0, max) : value;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

/** Normalises a configured or incoming key for comparison. */
export function normaliseKey(key: string): string {
  return key.toLowerCase().replace(/-/g, '_');
}

function sensitive(key: string, keys: ReadonlySet<string>): boolean {
  const k = normaliseKey(safeDecode(key));
  if (keys.has(k)) return true;
  for (const part of REDACTED_PARTS) if (k.includes(part)) return true;
  return false;
}

/**
 * The query string of `url` as logged (`url_query`, without the `?`): each value of a sensitive key
 * replaced by `[REDACTED]`, everything else as sent, cut to the bound. `undefined` without a query.
 */
export function loggedQuery(url: string, keys: ReadonlySet<string>): string | undefined {
  const q = url.indexOf('?');
  if (q === -1 || q === url.length - 1) return undefined;
  // Only as much of the query as can be logged is parsed: a huge query costs no more than a short one.
  const raw = url.slice(q + 1, q + 1 + MAX_LOGGED_FIELD * 2);
  const out: string[] = [];
  for (const part of raw.split('&')) {
    const eq = part.indexOf('=');
    const key = eq === -1 ? part : part.slice(0, eq);
    out.push(eq !== -1 && sensitive(key, keys) ? `${key}=${REDACTED}` : part);
  }
  return bounded(out.join('&'));
}
