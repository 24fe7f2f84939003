/** The `http_route` label of a request no route template matched (404s, answers from plain middleware). */
export const UNMATCHED_ROUTE = '__unmatched__';
/** The `http_request_method` label of a method outside the standard set. */
export const OTHER_METHOD = '_OTHER';
/** Duration buckets (seconds) recommended by the OpenTelemetry HTTP semantic conventions. */
export const DEFAULT_DURATION_BUCKETS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
];
/** Body-size buckets (bytes): 64 B to 16 MiB by powers of four. */
export const DEFAULT_SIZE_BUCKETS: readonly number[] = [
  64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216,
];

const KNOWN_METHODS = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
]);

/** The method as a label value: one of the standard methods, else `_OTHER` (bounded, as OpenTelemetry asks). */
export function methodLabel(method: string | undefined): string {
  return method !== undefined && KNOWN_METHODS.has(method) ? method : OTHER_METHOD;
}
