import { bufferDebugLine, debugDecision, isoNow } from '@threadline/core';
import type pino from 'pino';
import { writeWithContext } from './context-hook.js';

/** The hook and time function a pino logger needs for per-request verbosity. */
export interface VerbosityHooks {
  readonly logMethod: NonNullable<pino.LoggerOptions['hooks']>['logMethod'];
  readonly timestamp: () => string;
}

/**
 * With verbosity the logger runs at debug level and `logMethod` applies the configured level,
 * unless Threadline's per-request verbosity says to write the line now (forced debug) or hold it
 * until the request flushes. A held line is written with the time it was logged.
 */
export function verbosityHooks(configured: number, debug: number): VerbosityHooks {
  let replayTime: string | undefined;
  return {
    timestamp: () => `,"time":"${replayTime ?? isoNow()}"`,
    logMethod(this: pino.Logger, args: Parameters<pino.LogFn>, method: pino.LogFn, level: number) {
      if (level >= configured) return writeWithContext(this, args, method);
      if (level < debug) return;
      const decision = debugDecision();
      if (decision === 'write') return writeWithContext(this, args, method);
      if (decision === 'buffer') {
        const time = isoNow();
        bufferDebugLine(() => {
          replayTime = time;
          try {
            writeWithContext(this, args, method);
          } finally {
            replayTime = undefined;
          }
        });
      }
    },
  };
}
