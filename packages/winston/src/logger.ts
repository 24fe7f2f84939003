import { check, defaultServiceName, ThreadlineConfigError } from '@threadline/core';
import winston from 'winston';
import { threadlineFormat } from './format.js';
import { createRedactor, DEFAULT_CENSOR, DEFAULT_REDACT_KEYS } from './redact.js';
import type { CreateLoggerOptions } from './types.js';
import { verbosityFilter } from './verbosity.js';

const COMPONENT = 'winston';
const OPTION_KEYS = [
  'level',
  'service',
  'redact',
  'censor',
  'transports',
  'verbosity',
  'defaultMeta',
] as const;
const LEVELS = winston.config.npm.levels;

/**
 * The envelope of every line, in a stable key order: `time` (ISO 8601), `level`, `message`,
 * `service`, then the line's fields; configured keys redacted and nested Errors serialized.
 */
function envelope(
  service: string,
  defaultMeta: Readonly<Record<string, unknown>> | undefined,
  redact: ((value: unknown) => unknown) | undefined,
  redactKeys: ReadonlySet<string>,
  censor: string,
): winston.Logform.Format {
  return winston.format((info) => {
    const src = info as Record<string | symbol, unknown>;
    const out: Record<string | symbol, unknown> = {
      time: src.time ?? new Date().toISOString(),
      level: src.level,
      message: src.message,
      service: src.service ?? service,
    };
    for (const key of Object.keys(src)) {
      if (key in out) continue;
      const value = src[key];
      out[key] = redact ? (redactKeys.has(key.toLowerCase()) ? censor : redact(value)) : value;
    }
    if (defaultMeta) for (const key in defaultMeta) if (!(key in out)) out[key] = defaultMeta[key];
    for (const sym of Object.getOwnPropertySymbols(src)) out[sym] = src[sym];
    return out as winston.Logform.TransformableInfo;
  })();
}

/**
 * A winston logger with the defaults production services expect: JSON lines with `time`, `level`,
 * `message` and `service`; the Threadline context on every line (`threadlineFormat`); errors
 * serialized with their stack; credentials redacted; written to stdout. Throws
 * ThreadlineConfigError on bad options.
 */
export function createLogger(options: CreateLoggerOptions = {}): winston.Logger {
  check.keys(COMPONENT, options, OPTION_KEYS);
  const level = check.oneOf(
    COMPONENT,
    'level',
    options.level ?? (process.env.LOG_LEVEL || undefined),
    Object.keys(LEVELS),
    'info',
  );
  const service = check.string(COMPONENT, 'service', options.service, defaultServiceName());
  const censor = check.string(COMPONENT, 'censor', options.censor, DEFAULT_CENSOR);
  const verbosity = check.boolean(COMPONENT, 'verbosity', options.verbosity, false);
  const keys = options.redact ?? DEFAULT_REDACT_KEYS;
  if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'string' || k === '')) {
    throw new ThreadlineConfigError(COMPONENT, 'option redact must be an array of non-empty strings');
  }
  const defaultMeta = options.defaultMeta;
  if (defaultMeta !== undefined && (defaultMeta === null || typeof defaultMeta !== 'object')) {
    throw new ThreadlineConfigError(COMPONENT, 'option defaultMeta must be an object');
  }
  const transports = options.transports ?? [new winston.transports.Console()];
  const transportList = Array.isArray(transports) ? transports : [transports];
  if (transportList.length === 0) {
    throw new ThreadlineConfigError(COMPONENT, 'option transports must name at least one transport');
  }

  const redactKeys = new Set(keys.map((k) => k.toLowerCase()));
  const formats: winston.Logform.Format[] = [];
  const filter = verbosity ? verbosityFilter(LEVELS, level, undefined) : undefined;
  if (filter) formats.push(filter.format);
  formats.push(
    winston.format.errors({ stack: true }),
    threadlineFormat(),
    envelope(
      service,
      defaultMeta,
      keys.length > 0 ? createRedactor(keys, censor) : undefined,
      redactKeys,
      censor,
    ),
    // Insertion order keeps the envelope first; the default sorts keys alphabetically.
    winston.format.json({ deterministic: false }),
  );
  // With verbosity the logger accepts debug lines and the filter applies the configured level,
  // so a request with forced or buffered debug can still reach the transports.
  const effective = verbosity && LEVELS[level]! < LEVELS.debug! ? 'debug' : level;
  const logger = winston.createLogger({
    level: effective,
    levels: LEVELS,
    format: winston.format.combine(...formats),
    transports: transportList as winston.transport[],
  });
  filter?.bind(logger);
  return logger;
}
