import {
  check,
  createRedactor,
  logTransportErrorReporter,
  type Redactor,
  resolveRedaction,
  resolveServiceName,
  ThreadlineConfigError,
} from '@threadline/core';
import pino from 'pino';
import { threadlineDestination } from './destination.js';
import { flushOnShutdown } from './flush.js';
import { threadlinePinoOptions } from './mixin.js';
import { markContextLogger } from './sink.js';
import { isoTime } from './time.js';
import type { CreatePinoLoggerOptions } from './types.js';
import { verbosityHooks } from './verbosity.js';

const COMPONENT = 'pino';
const OPTION_KEYS = [
  'level',
  'service',
  'redact',
  'redactPaths',
  'censor',
  'verbosity',
  'destination',
  'registry',
] as const;
const LEVELS = pino.levels.values;
const { streamSym } = pino.symbols;

function stringList(name: string, value: unknown, fallback: readonly string[]): readonly string[] {
  if (value === undefined) return fallback;
  if (!Array.isArray(value) || value.some((k) => typeof k !== 'string' || k === '')) {
    throw new ThreadlineConfigError(COMPONENT, `option ${name} must be an array of non-empty strings`);
  }
  return value;
}

interface Emitter {
  on(event: 'error', listener: (error: unknown) => void): unknown;
}

/**
 * Child bindings are serialized once, when the child is made, without `formatters.log`: redact
 * them there. Defined on the root, so every descendant (pino children inherit from their parent)
 * goes through it.
 */
function redactChildBindings(logger: pino.Logger, redactor: Redactor): void {
  const child = logger.child;
  Object.defineProperty(logger, 'child', {
    value: function redactedChild(
      this: pino.Logger,
      bindings: pino.Bindings,
      options?: pino.ChildLoggerOptions,
    ) {
      return Reflect.apply(child, this, [redactor.redact(bindings), options]) as pino.Logger;
    },
    writable: true,
    configurable: true,
  });
}

/**
 * A pino logger with the same defaults as `@threadline/winston`'s `createLogger`: JSON lines with
 * `time` (ISO 8601), `level` (the label), `message`, `service`; the Threadline context on every
 * line; errors under `err`/`error` serialized with their stack; credentials redacted at any depth
 * (the same rules as winston's, from core); stdout through `threadlineDestination` (buffered, written
 * off the request's path, flushed at exit). A failing destination is counted and reported, never
 * fatal; `shutdown()` from core flushes it. Throws ThreadlineConfigError on bad options.
 */
export function createPinoLogger(options: CreatePinoLoggerOptions = {}): pino.Logger {
  check.keys(COMPONENT, options, OPTION_KEYS);
  const level = check.oneOf(
    COMPONENT,
    'level',
    options.level ?? (process.env.LOG_LEVEL || undefined),
    [...Object.keys(LEVELS), 'silent'],
    'info',
  );
  const service = resolveServiceName(check.string(COMPONENT, 'service', options.service, undefined));
  const verbosity = check.boolean(COMPONENT, 'verbosity', options.verbosity, false);
  const redaction = resolveRedaction(COMPONENT, options.redact, options.censor);
  const paths = stringList('redactPaths', options.redactPaths, []);
  const given = options.destination;
  if (
    given !== undefined &&
    typeof given !== 'string' &&
    typeof given !== 'number' &&
    typeof (given as { write?: unknown })?.write !== 'function'
  ) {
    throw new ThreadlineConfigError(
      COMPONENT,
      'option destination must be a stream with a write method, a file path or a file descriptor',
    );
  }
  // A stream is the caller's own; a path, a descriptor or nothing (stdout) gets the buffered default.
  const destination =
    given === undefined || typeof given === 'string' || typeof given === 'number'
      ? threadlineDestination(given ?? 1)
      : given;
  const report = logTransportErrorReporter(
    COMPONENT,
    options.registry !== undefined ? { registry: options.registry } : {},
  );

  const configured = level === 'silent' ? Number.POSITIVE_INFINITY : LEVELS[level]!;
  const hooks = verbosity ? verbosityHooks(configured, LEVELS.debug!) : undefined;
  const effective = hooks && configured > LEVELS.debug! ? 'debug' : level;
  const threadline = threadlinePinoOptions();
  const redactor = redaction.set.size > 0 ? createRedactor(redaction, { errors: 'keep' }) : undefined;
  const loggerOptions: pino.LoggerOptions = {
    level: effective,
    messageKey: 'message',
    base: { service },
    timestamp: hooks?.timestamp ?? isoTime,
    formatters: {
      level: (label) => ({ level: label }),
      ...(redactor
        ? { log: (obj: Record<string, unknown>) => redactor.redact(obj) as Record<string, unknown> }
        : {}),
    },
    serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
    ...(paths.length > 0 ? { redact: { paths: [...paths], censor: redaction.censor } } : {}),
    ...threadline,
    ...(hooks ? { hooks: { logMethod: hooks.logMethod } } : {}),
  };
  const logger = pino(loggerOptions, destination);
  if (redactor) redactChildBindings(logger, redactor);
  // pino's own stdout destination re-emits every failure but EPIPE; no listener means a crash.
  const stream = (logger as unknown as Record<symbol, Partial<Emitter>>)[streamSym];
  if (typeof stream?.on === 'function') stream.on('error', (error) => report('destination', error));
  flushOnShutdown(logger);
  markContextLogger(logger);
  return logger;
}
