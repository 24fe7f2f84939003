export { endLogger, flushOnShutdown } from './flush.js';
export { threadlineFormat } from './format.js';
export { createLogger } from './logger.js';
export { createRedactor, DEFAULT_CENSOR, DEFAULT_REDACT_KEYS, serializeError } from './redact.js';
export { winstonSink } from './sink.js';
export { type ThreadlineTransportOptions, threadlineTransport } from './transport.js';
export type { CreateLoggerOptions } from './types.js';
