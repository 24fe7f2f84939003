// Loggers take the time once per line; `new Date().toISOString()` formats the whole date each
// time. The part up to the second changes once a second: it is kept, and only the milliseconds
// are formatted per line.
let second = Number.NaN;
let prefix = '';

/** The current time as ISO 8601 in UTC (`2026-01-02T03:04:05.006Z`), the same text as `toISOString()`. */
export function isoNow(now: number = Date.now()): string {
  const s = Math.floor(now / 1000);
  if (s !== second) {
    const iso = new Date(now).toISOString();
    // Years past 9999 are written with a sign and six digits: no fixed layout to cut.
    if (iso.length !== 24) return iso;
    second = s;
    prefix = iso.slice(0, 20);
  }
  const ms = now - s * 1000;
  return `${prefix}${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z`;
}
