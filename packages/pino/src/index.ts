export { type ThreadlineDestinationOptions, threadlineDestination } from './destination.js';
export { flushLogger, flushOnShutdown } from './flush.js';
export { createPinoLogger } from './logger.js';
export { threadlineMixin, threadlineMixinMergeStrategy, threadlinePinoOptions } from './mixin.js';
export { DEFAULT_CENSOR, DEFAULT_REDACT_KEYS, DEFAULT_REDACT_PARENTS, redactPathsFor } from './redact.js';
export { pinoSink } from './sink.js';
export type { CreatePinoLoggerOptions } from './types.js';
