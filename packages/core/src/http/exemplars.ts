import { createRequire } from 'node:module';
import { contextStorage, type ThreadlineContext } from '../context.js';

interface OtelContextApi {
  readonly ROOT_CONTEXT: unknown;
  readonly context: { with<T>(context: unknown, fn: () => T): T };
}

// @opentelemetry/api is an optional peer, resolved once and lazily: an exemplar comes from the
// active OpenTelemetry span first, so hiding it needs that span's context manager.
let api: OtelContextApi | null | undefined;
function otelApi(): OtelContextApi | null {
  if (api !== undefined) return api;
  try {
    api = createRequire(import.meta.url)('@opentelemetry/api') as OtelContextApi;
  } catch {
    api = null;
  }
  return api;
}

/**
 * Runs `record` where no trace is sampled, so the metrics it updates carry no exemplar: an exemplar
 * must lead to a request whose access line exists. Only requests whose line was left out pay for it.
 */
export function withoutExemplars(ctx: ThreadlineContext, record: () => void): void {
  const quiet: ThreadlineContext = { ...ctx, trace_flags: '00' };
  const run = (): void => contextStorage().run(quiet, record);
  const otel = otelApi();
  if (otel) otel.context.with(otel.ROOT_CONTEXT, run);
  else run();
}
