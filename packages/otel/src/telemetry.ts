import { createRequire, register, syncBuiltinESMExports } from 'node:module';
import { pathToFileURL } from 'node:url';
import {
  check,
  onShutdown,
  reportError,
  resolveServiceName,
  setServiceName,
  ThreadlineConfigError,
  telemetryExportErrorReporter,
} from '@threadline/core';
import { batchProcessor, exportProcessorsFromEnv } from './env.js';
import { guardExporter } from './guard.js';
import type { ResourceLike, ResourcesModule, TraceSdkModule } from './internal-types.js';
import { loadPeer, sdkRequire } from './load.js';
import { ThreadlineSpanProcessor } from './processor.js';
import type {
  Instrumentation,
  InstrumentationOptions,
  InstrumentationSwitch,
  ShutdownTelemetry,
  SpanExporter,
  SpanProcessor,
  TelemetryOptions,
} from './types.js';

const COMPONENT = 'otel';

const OPTION_KEYS = [
  'serviceName',
  'serviceVersion',
  'resourceAttributes',
  'instrumentations',
  'extraInstrumentations',
  'traceExporter',
  'spanProcessors',
  'metrics',
  'metricReaders',
  'logs',
  'logRecordProcessors',
  'spanAttributes',
  'esmHook',
  'registry',
] as const;

// Each instrumentation: its package and the class it exports.
const INSTRUMENTATIONS = {
  http: ['@opentelemetry/instrumentation-http', 'HttpInstrumentation'],
  express: ['@opentelemetry/instrumentation-express', 'ExpressInstrumentation'],
  koa: ['@opentelemetry/instrumentation-koa', 'KoaInstrumentation'],
} as const;

interface NodeSdkLike {
  start(): void;
  shutdown(): Promise<void>;
}

interface InstrumentationLike {
  readonly instrumentationName: string;
  disable(): void;
  getModuleDefinitions?(): { name: string }[];
}

interface GlobalApi {
  disable(): void;
}

const local = createRequire(import.meta.url);

// One SDK per process: the OpenTelemetry globals it registers are process-wide.
let running: ShutdownTelemetry | undefined;

function isList(value: unknown): value is readonly unknown[] {
  return Array.isArray(value);
}

function checkList(name: string, value: unknown, what: (item: unknown) => boolean): void {
  if (value === undefined) return;
  if (!isList(value) || !value.every(what)) {
    throw new ThreadlineConfigError(COMPONENT, `option ${name} must be an array of ${name} instances`);
  }
}

const isObject = (v: unknown): boolean => typeof v === 'object' && v !== null;

function checkSwitch(name: string, value: unknown): void {
  if (value === undefined || typeof value === 'boolean') return;
  if (!isObject(value) || isList(value)) {
    throw new ThreadlineConfigError(
      COMPONENT,
      `option instrumentations.${name} must be a boolean or a config object`,
    );
  }
}

function validate(options: TelemetryOptions): void {
  check.keys(COMPONENT, options, OPTION_KEYS);
  check.string(COMPONENT, 'serviceName', options.serviceName, undefined);
  check.string(COMPONENT, 'serviceVersion', options.serviceVersion, undefined);
  check.boolean(COMPONENT, 'metrics', options.metrics, false);
  check.boolean(COMPONENT, 'logs', options.logs, false);
  check.boolean(COMPONENT, 'esmHook', options.esmHook, false);
  const attrs = options.resourceAttributes;
  if (attrs !== undefined) {
    if (!isObject(attrs) || isList(attrs)) {
      throw new ThreadlineConfigError(COMPONENT, 'option resourceAttributes must be an object');
    }
    for (const [key, value] of Object.entries(attrs)) {
      if (!['string', 'number', 'boolean'].includes(typeof value)) {
        throw new ThreadlineConfigError(
          COMPONENT,
          `option resourceAttributes.${key} must be a string, number or boolean`,
        );
      }
    }
  }
  const inst = options.instrumentations;
  check.keys(`${COMPONENT}.instrumentations`, inst, Object.keys(INSTRUMENTATIONS));
  for (const name of Object.keys(INSTRUMENTATIONS)) {
    checkSwitch(name, inst?.[name as keyof InstrumentationOptions]);
  }
  checkList('extraInstrumentations', options.extraInstrumentations, (i) => isObject(i));
  checkList(
    'spanProcessors',
    options.spanProcessors,
    (p) => isObject(p) && typeof (p as SpanProcessor).onEnd === 'function',
  );
  checkList('metricReaders', options.metricReaders, isObject);
  checkList('logRecordProcessors', options.logRecordProcessors, isObject);
  if (options.registry !== undefined && !isObject(options.registry)) {
    throw new ThreadlineConfigError(COMPONENT, 'option registry must be a prom-client registry');
  }
  const exporter = options.traceExporter;
  if (exporter !== undefined && !(isObject(exporter) && typeof exporter.export === 'function')) {
    throw new ThreadlineConfigError(COMPONENT, 'option traceExporter must be a span exporter');
  }
  if (exporter !== undefined && options.spanProcessors !== undefined) {
    throw new ThreadlineConfigError(COMPONENT, 'give traceExporter or spanProcessors, not both');
  }
  if (options.metricReaders !== undefined && options.metrics !== true) {
    throw new ThreadlineConfigError(COMPONENT, 'option metricReaders needs metrics: true');
  }
  if (options.logRecordProcessors !== undefined && options.logs !== true) {
    throw new ThreadlineConfigError(COMPONENT, 'option logRecordProcessors needs logs: true');
  }
}

function instrumentations(options: InstrumentationOptions | undefined): Instrumentation[] {
  const out: Instrumentation[] = [];
  const wanted: Record<keyof typeof INSTRUMENTATIONS, InstrumentationSwitch | undefined> = {
    http: options?.http ?? true,
    express: options?.express,
    koa: options?.koa,
  };
  for (const name of Object.keys(INSTRUMENTATIONS) as (keyof typeof INSTRUMENTATIONS)[]) {
    const value = wanted[name];
    if (value === undefined || value === false) continue;
    const [pkg, exported] = INSTRUMENTATIONS[name];
    const mod = loadPeer<Record<string, new (config?: object) => Instrumentation>>(
      pkg,
      `instrumentations.${name}`,
    );
    out.push(new mod[exported]!(value === true ? {} : value));
  }
  return out;
}

function resource(resources: ResourcesModule, options: TelemetryOptions): ResourceLike | undefined {
  const attributes: Record<string, string | number | boolean> = { ...options.resourceAttributes };
  if (options.serviceVersion !== undefined) attributes['service.version'] = options.serviceVersion;
  if (Object.keys(attributes).length === 0) return undefined;
  return resources.defaultResource().merge(resources.resourceFromAttributes(attributes));
}

/**
 * Starts the OpenTelemetry Node SDK in one call: HTTP instrumentation (Express and Koa on request),
 * OTLP trace export configured by the standard `OTEL_*` variables, `service.name`/`service.version`
 * on the resource, and `ThreadlineSpanProcessor` so every span carries the model and run in
 * context. Call it before the application loads `http` (e.g. from a file given to `node --import`).
 * Bad options throw `ThreadlineConfigError`; so does a second call before the first is shut down.
 * Returns a function that flushes pending spans and stops everything it started.
 */
export function startTelemetry(options: TelemetryOptions = {}): ShutdownTelemetry {
  validate(options);
  if (running) {
    throw new ThreadlineConfigError(
      COMPONENT,
      'telemetry is already started; await its shutdown function first',
    );
  }
  const fromSdk = sdkRequire();
  const { NodeSDK } = loadPeer<{ NodeSDK: new (config: object) => NodeSdkLike }>(
    '@opentelemetry/sdk-node',
    'startTelemetry',
  );
  const traceSdk = fromSdk('@opentelemetry/sdk-trace') as TraceSdkModule;
  const threadline = new ThreadlineSpanProcessor(options.spanAttributes);
  const report = telemetryExportErrorReporter(options.registry ? { registry: options.registry } : {});
  const guard = (exporter: SpanExporter): SpanExporter => guardExporter(exporter, report);

  let exportProcessors: SpanProcessor[];
  if (options.spanProcessors) exportProcessors = [...options.spanProcessors];
  else if (options.traceExporter) exportProcessors = [batchProcessor(traceSdk, guard(options.traceExporter))];
  else exportProcessors = exportProcessorsFromEnv(traceSdk, fromSdk, guard);

  const instances = [...instrumentations(options.instrumentations), ...(options.extraInstrumentations ?? [])];
  const config: Record<string, unknown> = {
    instrumentations: instances,
    // With nothing to export to (OTEL_TRACES_EXPORTER=none) no tracer provider is registered, so
    // Threadline's own spans cost nothing, as without the SDK.
    spanProcessors: exportProcessors.length > 0 ? [threadline, ...exportProcessors] : [],
    metricReaders: options.metrics ? options.metricReaders : [],
    logRecordProcessors: options.logs ? options.logRecordProcessors : [],
  };
  // One name for spans and log lines: the option (which the loggers created from now on use too),
  // else the same resolution the loggers apply (environment, the application's package.json).
  config.serviceName = resolveServiceName(options.serviceName);
  const unsetName = options.serviceName !== undefined ? setServiceName(options.serviceName) : () => {};
  const res = resource(fromSdk('@opentelemetry/resources') as ResourcesModule, options);
  if (res) config.resource = res;
  for (const key of ['metricReaders', 'logRecordProcessors']) {
    if (config[key] === undefined) delete config[key];
  }

  const hooked = instances.filter((i) => !isHttp(i));
  if (options.esmHook ?? hooked.length > 0) registerEsmHook(hooked as unknown as InstrumentationLike[]);

  const sdk = new NodeSDK(config);
  sdk.start();
  patchBuiltins();

  let done: Promise<void> | undefined;
  let unregister = (): void => {};
  const shutdown: ShutdownTelemetry = () => {
    done ??= stop(sdk, instances as unknown as InstrumentationLike[], fromSdk).finally(() => {
      unregister();
      unsetName();
      if (running === shutdown) running = undefined;
    });
    return done;
  };
  // core's shutdown() exports the pending spans before the loggers are flushed.
  unregister = onShutdown({ name: 'otel', phase: 'final', run: shutdown });
  running = shutdown;
  return shutdown;
}

function isHttp(instance: Instrumentation): boolean {
  return instance.instrumentationName === INSTRUMENTATIONS.http[0];
}

// module.register() adds a loader thread for good, so register once per process.
let esmHookRegistered = false;

/**
 * Instrumentations find CommonJS modules through `require`, but an ESM application's `import` of
 * express or koa never passes there: OpenTelemetry's loader hook (import-in-the-middle) is needed.
 * It is limited to the modules the instrumentations patch, so the rest of the app loads untouched.
 */
function registerEsmHook(instances: InstrumentationLike[]): void {
  if (esmHookRegistered) return;
  const include = [...new Set(instances.flatMap((i) => i.getModuleDefinitions?.().map((d) => d.name) ?? []))];
  if (include.length === 0) return;
  // Resolve the hook next to an instrumentation that needs it, so both use one import-in-the-middle.
  const bases = [...instances.map((i) => i.instrumentationName), '@opentelemetry/sdk-node'];
  let hook: string | undefined;
  for (const base of bases) {
    try {
      hook = createRequire(local.resolve(base)).resolve('@opentelemetry/instrumentation/hook.mjs');
      break;
    } catch {
      // Try the next package.
    }
  }
  if (!hook) {
    throw new ThreadlineConfigError(
      COMPONENT,
      'the ESM loader hook needs @opentelemetry/instrumentation (a dependency of every instrumentation)',
    );
  }
  register(pathToFileURL(hook), { data: { include } });
  esmHookRegistered = true;
}

/**
 * The HTTP instrumentation patches `http`/`https` when they are next required. An ESM application
 * imports them instead, so require them here (their exports objects are the ones ESM sees) and
 * push the patched functions to ESM named imports too.
 */
function patchBuiltins(): void {
  try {
    local('node:http');
    local('node:https');
    syncBuiltinESMExports();
  } catch (error) {
    reportError(COMPONENT, error);
  }
}

async function stop(
  sdk: NodeSdkLike,
  instances: InstrumentationLike[],
  fromSdk: NodeJS.Require,
): Promise<void> {
  try {
    await sdk.shutdown();
  } catch (error) {
    // Shutdown is called on the way out of the process: report, never throw.
    reportError(COMPONENT, error);
  }
  for (const instance of instances) {
    try {
      instance.disable();
    } catch (error) {
      reportError(COMPONENT, error);
    }
  }
  try {
    // Unregister the globals so core's tracingEnabled() turns false and a new start is possible.
    const api = loadPeer<Record<'trace' | 'context' | 'propagation' | 'metrics', GlobalApi>>(
      '@opentelemetry/api',
      'startTelemetry',
    );
    api.trace.disable();
    api.context.disable();
    api.propagation.disable();
    api.metrics.disable();
  } catch (error) {
    reportError(COMPONENT, error);
  }
  try {
    // The logs API is a separate package that newer SDK lines no longer depend on.
    (fromSdk('@opentelemetry/api-logs') as { logs: GlobalApi }).logs.disable();
  } catch {
    // Not installed: nothing was registered there.
  }
  syncBuiltinESMExports();
}
