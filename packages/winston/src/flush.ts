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
export async function endLogger(logger: winston.Logger): Promise<void> {
  const streams = [logger as unknown as Finishable, ...(logger.transports as unknown as Finishable[])];
  const waits = streams.map(finished);
  if (!(logger as unknown as { writableEnded?: boolean }).writableEnded) logger.end();
  await Promise.all(waits);
}

/**
 * Has `shutdown()` (from `@threadline/core`) end this logger and wait for its transports, like
 * those `createLogger` and `winstonSink` make. The logger is held weakly. Returns the undo.
 */
export function flushOnShutdown(logger: winston.Logger): () => void {
  return registerFlush(logger, 'winston', endLogger);
}
