import { getContext } from '../context.js';
import { activeOtelSpan } from '../otel.js';
import { isSampled } from '../trace-context.js';

/** OpenMetrics caps an exemplar's label names and values at 128 characters together. */
export const MAX_EXEMPLAR_CHARS = 128;
const EXEMPLAR_NAME_CHARS = 'trace_id'.length + 'span_id'.length;

/** The trace position an exemplar points at. */
export interface ExemplarIds {
  readonly traceId: string;
  readonly spanId: string;
}

/**
 * The sampled trace position of the caller (the active OpenTelemetry span, else the Threadline
 * context), or undefined when there is none, it is not sampled, or it would not fit an exemplar.
 * Unsampled traces are left out because the backend would have no trace to link to.
 */
export function currentExemplarIds(): ExemplarIds | undefined {
  let traceId: string | undefined;
  let spanId: string | undefined;
  let flags: string | undefined;
  const span = activeOtelSpan();
  if (span) {
    traceId = span.traceId;
    spanId = span.spanId;
    flags = span.traceFlags;
  } else {
    const ctx = getContext();
    traceId = ctx?.trace_id;
    spanId = ctx?.span_id;
    flags = ctx?.trace_flags;
  }
  if (!traceId || !spanId || !isSampled(flags)) return undefined;
  if (!fitsExemplar(traceId, spanId)) return undefined;
  return { traceId, spanId };
}

/** True when the pair fits OpenMetrics' 128-character exemplar limit. */
export function fitsExemplar(traceId: string, spanId: string): boolean {
  return traceId.length + spanId.length + EXEMPLAR_NAME_CHARS <= MAX_EXEMPLAR_CHARS;
}

/**
 * Exemplar label objects for prom-client, one per trace position: prom-client keeps the object it
 * is given and never modifies it, so consecutive observations in one span can share it.
 */
export class ExemplarLabels {
  private lastTraceId: string | undefined;
  private lastSpanId: string | undefined;
  private last: Record<string, string> | undefined;

  /** Labels for the current sampled trace, or undefined. */
  current(): Record<string, string> | undefined {
    const ids = currentExemplarIds();
    if (!ids) return undefined;
    if (ids.traceId !== this.lastTraceId || ids.spanId !== this.lastSpanId) {
      this.lastTraceId = ids.traceId;
      this.lastSpanId = ids.spanId;
      this.last = { trace_id: ids.traceId, span_id: ids.spanId };
    }
    return this.last;
  }
}
