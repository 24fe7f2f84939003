import { flushOnShutdown as registerFlush } from '@threadline/core';
import pino from 'pino';

const { streamSym } = pino.symbols;

interface Destination {
  flushSync?(): void;
  flush?(callback?: (error?: Error) => void): void;
  once?(event: string, listener: () => void): unknown;
  readonly _writing?: boolean;
}

const POLL_MS = 5;

/**
 * Writes out whatever a pino logger's destination still holds. sonic-boom (pino's default
 * destination, asynchronous) may have one write in flight: it is awaited first, so the lines left
 * are written after it, in order; then `flushSync` writes the rest. Bounded by `timeoutMs`.
 */
export async function flushLogger(logger: pino.Logger, timeoutMs = 5_000): Promise<void> {
  const stream = (logger as unknown as Record<symbol, Destination>)[streamSym];
  if (!stream) return;
  const deadline = Date.now() + timeoutMs;
  while (stream._writing === true && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  if (typeof stream.flushSync === 'function') {
    stream.flushSync();
    return;
  }
  if (typeof stream.flush === 'function') {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
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
