import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The `service` value when nothing names the service (OpenTelemetry's own fallback). */
export const FALLBACK_SERVICE_NAME = 'unknown_service:node';

// Process-wide, under a versioned Symbol.for key: two installed copies of core agree on the name.
const KEY = Symbol.for('threadline.core.serviceName.v1');
interface ServiceState {
  explicit: string | undefined;
  found: string | null | undefined;
}
type WithState = typeof globalThis & { [KEY]?: ServiceState };
const g = globalThis as WithState;
g[KEY] ??= { explicit: undefined, found: undefined };
const state = g[KEY];

/** Where `resolveServiceName` looks; every field defaults to the running process's. */
export interface ServiceNameSources {
  /** The environment (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
  /** The entry script (default `process.argv[1]`; the working directory when there is none). */
  readonly entry?: string;
}

function fromResourceAttributes(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  for (const pair of raw.split(',')) {
    const eq = pair.indexOf('=');
    if (eq > 0 && pair.slice(0, eq).trim() === 'service.name') {
      try {
        const value = decodeURIComponent(pair.slice(eq + 1).trim());
        if (value !== '') return value;
      } catch {
        // A malformed percent-escape: the SDK ignores such a value too.
      }
    }
  }
  return undefined;
}

/**
 * The `name` of the nearest package.json from `start` upward: the application's own package,
 * whatever directory or npm script started the process. Stops at the filesystem root.
 */
export function nearestPackageName(start: string): string | undefined {
  let dir = resolve(start);
  for (let i = 0; i < 64; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown };
      if (typeof pkg.name === 'string' && pkg.name !== '') return pkg.name;
    } catch {
      // No package.json here (or not JSON): keep looking upward.
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
  return undefined;
}

function entryDirectory(entry: string | undefined): string {
  return entry ? dirname(resolve(entry)) : process.cwd();
}

/**
 * The service name every Threadline package writes (`service` on log lines, `service.name` on
 * spans), resolved in one order: the explicit option, then `setServiceName` (what
 * `startTelemetry({ serviceName })` calls), then `OTEL_SERVICE_NAME`, then `service.name` in
 * `OTEL_RESOURCE_ATTRIBUTES`, then the nearest package.json name from the entry script's directory
 * upward, then `unknown_service:node`. The package.json lookup runs once per process.
 */
export function resolveServiceName(explicit?: string, sources: ServiceNameSources = {}): string {
  if (explicit) return explicit;
  if (state.explicit) return state.explicit;
  const env = sources.env ?? process.env;
  const fromEnv = env.OTEL_SERVICE_NAME?.trim() || fromResourceAttributes(env.OTEL_RESOURCE_ATTRIBUTES);
  if (fromEnv) return fromEnv;
  if (sources.entry !== undefined) {
    return nearestPackageName(entryDirectory(sources.entry)) ?? FALLBACK_SERVICE_NAME;
  }
  if (state.found === undefined) state.found = nearestPackageName(entryDirectory(process.argv[1])) ?? null;
  return state.found ?? FALLBACK_SERVICE_NAME;
}

/**
 * Names the service for every logger and sink created afterwards (an explicit `service` option
 * still wins). Returns the undo, which restores the previous name.
 */
export function setServiceName(name: string): () => void {
  const previous = state.explicit;
  state.explicit = name;
  return () => {
    if (state.explicit === name) state.explicit = previous;
  };
}

/** @deprecated Use `resolveServiceName()`; kept for callers of the earlier name. */
export function defaultServiceName(env: NodeJS.ProcessEnv = process.env): string {
  return resolveServiceName(undefined, { env });
}
