import { timingSafeEqual } from 'node:crypto';
import { Registry, type RegistryContentType } from 'prom-client';

/** The two exposition formats Prometheus scrapes. */
export type MetricsFormat = 'openmetrics' | 'prometheus';

/** Content types, as prom-client writes them. */
export const CONTENT_TYPES: Readonly<Record<MetricsFormat, string>> = {
  openmetrics: Registry.OPENMETRICS_CONTENT_TYPE,
  prometheus: Registry.PROMETHEUS_CONTENT_TYPE,
};

/**
 * Picks the format from an `Accept` header: OpenMetrics when the client lists it with a q-value
 * higher than (or equal to, and before) any text/plain entry, as Prometheus does when it wants
 * exemplars; Prometheus text otherwise.
 */
export function negotiateMetricsFormat(accept: string | undefined): MetricsFormat {
  if (!accept?.includes('openmetrics')) return 'prometheus';
  let best: MetricsFormat = 'prometheus';
  let bestQ = -1;
  for (const part of accept.split(',')) {
    const [type, ...params] = part.trim().split(';');
    const mediaType = type?.trim().toLowerCase();
    let q = 1;
    for (const p of params) {
      const [k, v] = p.trim().split('=');
      if (k === 'q' && v !== undefined) {
        const n = Number(v);
        if (!Number.isNaN(n)) q = n;
      }
    }
    if (q <= 0) continue;
    const format: MetricsFormat | undefined =
      mediaType === 'application/openmetrics-text'
        ? 'openmetrics'
        : mediaType === 'text/plain' || mediaType === '*/*'
          ? 'prometheus'
          : undefined;
    if (format && q > bestQ) {
      best = format;
      bestQ = q;
    }
  }
  return best;
}

interface MetricLike {
  name: string;
  type: string;
}

/**
 * Renders a registry in either format, whatever content type the registry was made with.
 * prom-client renames counters in place when it renders OpenMetrics, which would break a later
 * Prometheus-text scrape; rendering through per-metric views leaves the metrics untouched.
 */
export async function renderMetrics(
  registry: Registry<RegistryContentType>,
  format: MetricsFormat,
): Promise<{ contentType: string; body: string }> {
  const openMetrics = format === 'openmetrics';
  const view = Object.create(registry) as {
    _contentType: string;
    getMetricsAsString(metric: unknown): Promise<string>;
  };
  view._contentType = CONTENT_TYPES[format];
  const parts = await Promise.all(
    registry.getMetricsAsArray().map((metric) => {
      const m = metric as unknown as MetricLike;
      const name = openMetrics && m.type === 'counter' ? m.name.replace(/_total$/, '') : m.name;
      const proxy = name === m.name ? metric : Object.create(metric, { name: { value: name } });
      return view.getMetricsAsString(proxy);
    }),
  );
  const body = openMetrics ? `${parts.join('\n')}\n# EOF\n` : `${parts.join('\n\n')}\n`;
  return { contentType: CONTENT_TYPES[format], body };
}

/**
 * Checks an `Authorization: Bearer` header against the expected token in constant time.
 * Returns true when no token is configured.
 */
export function checkBearerToken(authorization: string | undefined, token: string | undefined): boolean {
  if (!token) return true;
  if (typeof authorization !== 'string' || !authorization.startsWith('Bearer ')) return false;
  const given = Buffer.from(authorization.slice(7).trim());
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
