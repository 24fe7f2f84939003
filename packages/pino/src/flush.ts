import { type BufferedWriter, flushBuffered, flushOnShutdown as registerFlush } from '@threadline/core';
import pino from 'pino';

const { streamSym } = pino.symbols;

interface Destination extends BufferedWriter {
  flush?(callback?: (error?: Error) => void): void;
}

/**
 * Writes out whatever a pino logger's destination still holds. sonic-boom (pino's default
 * destination, asynchronous) may have one write in flight: core's `flushBuffered` awaits it first,
 * so the lines left are written after it, in order. Bounded by `timeoutMs`.
 */
export async function flushLogger(logger: pino.Logger, timeoutMs = 5_000): Promise<void> {
  const stream = (logger as unknown as Record<symbol, Destination>)[streamSym];
  if (!stream) return;
  if (typeof stream.flushSync === 'function') {
    await flushBuffered(stream, timeoutMs);
    return;
  }
  if (typeof stream.flush === 'function') {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      stream.flush!(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

/**
 * Has `shutdown()` (from `@threadline/core`) flush this logger's destination, like those
 * `createPinoLogger` and `pinoSink` make. The logger is held weakly. Returns the undo.
 */
export function flushOnShutdown(logger: pino.Logger): () => void {
  return registerFlush(logger, 'pino', (l) => flushLogger(l));
}
