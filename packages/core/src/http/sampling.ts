/**
 * Keeps a share `rate` of traces, decided from the trace ID alone, so every service and every line
 * of one trace make the same choice. It reads the ID's last 8 hex digits, which Trace Context
 * Level 2 requires to be random when the random flag is set (and which common generators fill with
 * random bits anyway).
 */
export function keepTrace(traceId: string | undefined, rate: number): boolean {
  if (rate >= 1) return true;
  if (rate <= 0) return false;
  if (traceId === undefined || traceId.length < 8) return true;
  const n = Number.parseInt(traceId.slice(-8), 16);
  if (Number.isNaN(n)) return true;
  return n / 0x1_0000_0000 < rate;
}
