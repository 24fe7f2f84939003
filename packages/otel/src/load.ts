import { createRequire } from 'node:module';
import { ThreadlineConfigError } from '@threadline/core';

const COMPONENT = 'otel';
const local = createRequire(import.meta.url);

/**
 * Loads a package the application installs next to this one (the SDK, the instrumentations).
 * Loaded on demand, so `ThreadlineSpanProcessor` works without any SDK package installed.
 */
export function loadPeer<T>(name: string, purpose: string): T {
  try {
    return local(name) as T;
  } catch (error) {
    if ((error as { code?: string }).code === 'MODULE_NOT_FOUND') {
      throw new ThreadlineConfigError(COMPONENT, `${purpose} needs ${name}: npm install ${name}`);
    }
    throw error;
  }
}

/**
 * A require that resolves from the installed `@opentelemetry/sdk-node`. The SDK's own
 * dependencies (trace SDK, resources, OTLP exporters) are guaranteed to resolve from there, and
 * we get the very copies the SDK uses, whichever release line (Node 20's or Node 22's) is installed.
 */
export function sdkRequire(): NodeJS.Require {
  let main: string;
  try {
    main = local.resolve('@opentelemetry/sdk-node');
  } catch {
    throw new ThreadlineConfigError(
      COMPONENT,
      'startTelemetry needs @opentelemetry/sdk-node: npm install @opentelemetry/sdk-node @opentelemetry/instrumentation-http',
    );
  }
  return createRequire(main);
}
