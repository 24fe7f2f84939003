import { randomFillSync, randomUUID } from 'node:crypto';

// One syscall fills 4 KiB of randomness, enough for 170 trace+span pairs; per-ID crypto calls
// cost about a microsecond each, which is too much on the request path.
const POOL_SIZE = 4096;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let offset = POOL_SIZE;

function randomHex(bytes: number): string {
  if (offset + bytes > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + bytes);
  offset += bytes;
  return hex;
}

const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

/** A new random W3C trace ID: 32 lowercase hex digits, never all zero. */
export function newTraceId(): string {
  let id = randomHex(16);
  while (id === ZERO_TRACE) id = randomHex(16);
  return id;
}

/** A new random W3C span (parent) ID: 16 lowercase hex digits, never all zero. */
export function newSpanId(): string {
  let id = randomHex(8);
  while (id === ZERO_SPAN) id = randomHex(8);
  return id;
}

/** A new request ID (a random UUID; Node caches its entropy, so this is cheap). */
export function newRequestId(): string {
  return randomUUID();
}

/** Default upper bound on an accepted incoming request ID. */
export const MAX_REQUEST_ID_LENGTH = 128;

/**
 * Returns `value` if it is safe to adopt as a request ID: a string of 1..maxLength visible ASCII
 * characters (no spaces, control characters or newlines, which would allow log injection);
 * otherwise `undefined`, and the caller generates a fresh ID.
 */
export function acceptRequestId(value: unknown, maxLength = MAX_REQUEST_ID_LENGTH): string | undefined {
  if (typeof value !== 'string') return undefined;
  const n = value.length;
  if (n === 0 || n > maxLength) return undefined;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return undefined;
  }
  return value;
}
