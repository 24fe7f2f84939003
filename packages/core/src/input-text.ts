/** Longest text taken from input into anything Threadline keeps or reports (names, samples). */
export const MAX_INPUT_TEXT = 128;

/**
 * `text` cut to at most `max` characters (never inside a surrogate pair), as a string of its own.
 * A plain `slice` of a long string can share the original's memory in V8, so a 1 MB name kept as
 * its first 128 characters would still hold the megabyte; the copy here does not.
 */
export function boundText(text: string, max: number = MAX_INPUT_TEXT): string {
  if (text.length <= max) return text;
  let end = max;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return Buffer.from(text.slice(0, end), 'utf16le').toString('utf16le');
}
