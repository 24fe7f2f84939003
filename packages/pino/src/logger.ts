import { check, defaultServiceName, ThreadlineConfigError } from '@threadline/core';
import pino from 'pino';
import { threadlinePinoOptions } from './mixin.js';
import { DEFAULT_CENSOR, DEFAULT_REDACT_KEYS, redactPathsFor } from './redact.js';
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
] as const;
const LEVELS = pino.levels.values;

function stringList(name: string, value: unknown, fallback: readonly string[]): readonly string[] {
  if (value === undefined) return fallback;
  if (!Array.isArray(value) || value.some((k) => typeof k !== 'string' || k === '')) {
    throw new ThreadlineConfigError(COMPONENT, `option ${name} must be an array of non-empty strings`);
  }
  return value;
}

/**
 * A pino logger with the same defaults as `@threadline/winston`'s `createLogger`: JSON lines with
 * `time` (ISO 8601), `level` (the label), `message`, `service`; the Threadline context on every
 * line; errors under `err`/`error` serialized with their stack; credentials redacted; stdout.
 * Throws ThreadlineConfigError on bad options.
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
  const service = check.string(COMPONENT, 'service', options.service, defaultServiceName());
  const censor = check.string(COMPONENT, 'censor', options.censor, DEFAULT_CENSOR);
  const verbosity = check.boolean(COMPONENT, 'verbosity', options.verbosity, false);
  const keys = stringList('redact', options.redact, DEFAULT_REDACT_KEYS);
  const paths = [...redactPathsFor(keys), ...stringList('redactPaths', options.redactPaths, [])];
  const destination = options.destination;
  if (destination !== undefined && typeof (destination as { write?: unknown })?.write !== 'function') {
    throw new ThreadlineConfigError(COMPONENT, 'option destination must have a write method');
  }

  const configured = level === 'silent' ? Number.POSITIVE_INFINITY : LEVELS[level]!;
  const hooks = verbosity ? verbosityHooks(configured, LEVELS.debug!) : undefined;
  const effective = hooks && configured > LEVELS.debug! ? 'debug' : level;
  const threadline = threadlinePinoOptions();
  const loggerOptions: pino.LoggerOptions = {
    level: effective,
    messageKey: 'message',
    base: { service },
    timestamp: hooks?.timestamp ?? pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
    ...(paths.length > 0 ? { redact: { paths, censor } } : {}),
    ...threadline,
    ...(hooks ? { hooks: { logMethod: hooks.logMethod } } : {}),
  };
  return destination ? pino(loggerOptions, destination) : pino(loggerOptions);
}
