import { isoNow } from '@threadline/core';

/** A pino time function writing core's `isoNow()` as `time` (what `pino.stdTimeFunctions.isoTime` writes). */
export function isoTime(): string {
  return `,"time":"${isoNow()}"`;
}
