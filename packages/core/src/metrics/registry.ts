import {
  register as globalRegistry,
  type OpenMetricsContentType,
  Registry,
  type RegistryContentType,
} from 'prom-client';

/** A prom-client registry of either content type. */
export type AnyRegistry = Registry<RegistryContentType>;

/** A new prom-client registry that serves OpenMetrics, so exemplars are available. */
export function createRegistry(): Registry<OpenMetricsContentType> {
  const registry = new Registry<OpenMetricsContentType>();
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  return registry;
}

/** True when the registry serves OpenMetrics (and so supports exemplars). */
export function isOpenMetricsRegistry(registry: AnyRegistry): boolean {
  return (registry.contentType as string) === Registry.OPENMETRICS_CONTENT_TYPE;
}

/** The registry to use: the one given, else prom-client's global registry (its own default). */
export function resolveRegistry(registry: AnyRegistry | undefined): AnyRegistry {
  return registry ?? (globalRegistry as AnyRegistry);
}
