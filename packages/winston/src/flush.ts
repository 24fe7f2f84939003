import { flushOnShutdown as registerFlush } from '@threadline/core';
import type winston from 'winston';

interface Finishable {
  readonly writableFinished?: boolean;
  readonly destroyed?: boolean;
  once(event: string, listener: () => void): unknown;
}

function finished(stream: Finishable): Promise<void> {
  if (stream.writableFinished || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => resolve();
    stream.once('finish', done);
    stream.once('close', done);
    stream.once('error', done);
  });
}

/**
 * Ends a winston logger and resolves when every line it accepted has left its transports: the
 * logger's `finish` and each transport's (the File transport's comes after its file stream has
 * written everything). After this the logger accepts no more lines.
 */
export async function endLogger(logger: winston.Logger, timeoutMs = 10_000): Promise<void> {
  // Winston's end() ends the transports as soon as every line is formatted, while lines a slow
  // transport has not taken yet still wait in the logger's buffer: they would be written after
  // the end and lost. Let the buffer empty first.
  const buffered = logger as unknown as { readableLength?: number; writableLength?: number };
  const deadline = Date.now() + timeoutMs;
  while (
    ((buffered.readableLength ?? 0) > 0 || (buffered.writableLength ?? 0) > 0) &&
    Date.now() < deadline
  ) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const transports = logger.transports as unknown as (Finishable & { _dest?: Finishable })[];
  const waits = [logger as unknown as Finishable, ...transports].map(finished);
  if (!(logger as unknown as { writableEnded?: boolean }).writableEnded) logger.end();
  await Promise.all(waits);
  // The File transport may emit its own 'finish' as soon as its inner buffer has ended, before the
  // file stream behind it has written everything: wait for that stream too.
  await Promise.all(
    transports.map((t) => (t._dest && typeof t._dest.once === 'function' ? finished(t._dest) : undefined)),
  );
}

/**
 * Has `shutdown()` (from `@threadline/core`) end this logger and wait for its transports, like
 * those `createLogger` and `winstonSink` make. The logger is held weakly. Returns the undo.
 */
export function flushOnShutdown(logger: winston.Logger): () => void {
  return registerFlush(logger, 'winston', endLogger);
}
