import {
  check,
  createRedactor,
  logTransportErrorReporter,
  resolveRedaction,
  resolveServiceName,
  ThreadlineConfigError,
} from '@threadline/core';
import winston from 'winston';
import { STAMP_TIME } from './capture.js';
import { flushOnShutdown } from './flush.js';
import { lineFormat } from './line.js';
import { markContextLogger } from './sink.js';
import { threadlineTransport } from './transport.js';
import type { CreateLoggerOptions } from './types.js';
import { installVerbosity } from './verbosity.js';

const COMPONENT = 'winston';
const OPTION_KEYS = [
  'level',
  'service',
  'redact',
  'censor',
  'transports',
  'verbosity',
  'defaultMeta',
  'registry',
] as const;
const LEVELS = winston.config.npm.levels;

function transportName(transport: unknown): string {
  const t = transport as { name?: unknown; constructor?: { name?: unknown } } | undefined;
  if (typeof t?.name === 'string' && t.name !== '') return t.name;
  if (typeof t?.constructor?.name === 'string') return t.constructor.name;
  return 'unknown';
}

/**
 * A transport whose `log` throws would throw into the caller's `logger.info()` (winston calls it
 * inside the write): report it as a failed write and let the line go instead.
 */
function guardTransport(transport: winston.transport, report: (name: string, error: unknown) => void): void {
  const t = transport as unknown as { log?: (...args: unknown[]) => unknown };
  const log = t.log;
  if (typeof log !== 'function') return;
  t.log = function guardedLog(this: unknown, ...args: unknown[]): unknown {
    try {
      return log.apply(this, args);
    } catch (error) {
      report(transportName(transport), error);
      const callback = args[args.length - 1];
      if (typeof callback === 'function') callback();
      return undefined;
    }
  };
}

/**
 * A winston logger with the defaults production services expect: JSON lines with `time`, `level`,
 * `message` and `service`; the Threadline context of the call on every line (`threadlineFormat`);
 * errors serialized with their stack; credentials redacted; written to stdout, buffered
 * (`threadlineTransport`). A failing transport
 * is counted and reported, never fatal; `shutdown()` from core ends it and waits for its transports.
 * Throws ThreadlineConfigError on bad options.
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
  const service = resolveServiceName(check.string(COMPONENT, 'service', options.service, undefined));
  const verbosity = check.boolean(COMPONENT, 'verbosity', options.verbosity, false);
  const redaction = resolveRedaction(COMPONENT, options.redact, options.censor);
  const defaultMeta = options.defaultMeta;
  if (defaultMeta !== undefined && (defaultMeta === null || typeof defaultMeta !== 'object')) {
    throw new ThreadlineConfigError(COMPONENT, 'option defaultMeta must be an object');
  }
  const transports = options.transports ?? [threadlineTransport()];
  const transportList = Array.isArray(transports) ? transports : [transports];
  if (transportList.length === 0) {
    throw new ThreadlineConfigError(COMPONENT, 'option transports must name at least one transport');
  }
  const report = logTransportErrorReporter(
    COMPONENT,
    options.registry !== undefined ? { registry: options.registry } : {},
  );
  for (const transport of transportList as winston.transport[]) guardTransport(transport, report);

  const redactor = redaction.set.size > 0 ? createRedactor(redaction, { errors: 'serialize' }) : undefined;
  const format = winston.format.combine(
    winston.format.errors({ stack: true }),
    lineFormat(service, defaultMeta, redactor),
  );
  // With verbosity the logger accepts debug lines and the write filter applies the configured
  // level, so a request with forced or buffered debug can still reach the transports.
  const effective = verbosity && LEVELS[level]! < LEVELS.debug! ? 'debug' : level;
  const logger = winston.createLogger({
    level: effective,
    levels: LEVELS,
    format,
    transports: transportList as winston.transport[],
  });
  Object.defineProperty(logger, STAMP_TIME, { value: true });
  if (verbosity) installVerbosity(logger, LEVELS, level);
  // Winston re-emits a transport's 'error' on the logger, where no listener means a crash.
  logger.on('error', (error: unknown, transport: unknown) => report(transportName(transport), error));
  flushOnShutdown(logger);
  markContextLogger(logger);
  return logger;
}
