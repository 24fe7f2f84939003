import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse } from 'csv-parse/sync';

/** Options of `readTable`. */
export interface ReadTableOptions {
  /** `csv` or `jsonl` (default: from the extension; `.jsonl`, `.ndjson` and `.json` read as JSON lines). */
  readonly format?: 'csv' | 'jsonl';
}

/** A file that could not be read as a table; `code` tells the reason. */
export class TableReadError extends Error {
  constructor(
    readonly code: 'unreadable' | 'malformed' | 'empty',
    message: string,
  ) {
    super(message);
    this.name = 'TableReadError';
  }
}

/**
 * Reads a CSV (with a header row; RFC 4180 quoting, through csv-parse) or JSON-lines file into
 * columns. Values stay as read (CSV gives strings); numeric parsing happens per feature, so "NaN",
 * "inf" and empty cells are counted as such. Throws `TableReadError` for an unreadable, malformed
 * or empty file. The whole file is held in memory: this is the batch path.
 */
export async function readTable(
  path: string,
  options: ReadTableOptions = {},
): Promise<Record<string, unknown[]>> {
  const format = options.format ?? (extname(path).toLowerCase() === '.csv' ? 'csv' : 'jsonl');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new TableReadError(
      'unreadable',
      `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  const rows = format === 'csv' ? parseCsv(path, text) : parseJsonLines(path, text);
  if (rows.length === 0) throw new TableReadError('empty', `${path} has no data rows`);
  const names: string[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    for (const key of Object.keys(row)) {
      if (!seen.has(key)) {
        seen.add(key);
        names.push(key);
      }
    }
  }
  if (names.length === 0) throw new TableReadError('empty', `${path} has no columns`);
  const columns: Record<string, unknown[]> = {};
  for (const name of names) columns[name] = rows.map((r) => r[name]);
  return columns;
}

function parseCsv(path: string, text: string): Record<string, unknown>[] {
  try {
    return parse(text, { columns: true, bom: true, skip_empty_lines: true, trim: true }) as Record<
      string,
      unknown
    >[];
  } catch (error) {
    throw new TableReadError('malformed', `${path} is not valid CSV: ${(error as Error).message}`);
  }
}

function parseJsonLines(path: string, text: string): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new TableReadError('malformed', `${path}:${i + 1}: not JSON (${(error as Error).message})`);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new TableReadError('malformed', `${path}:${i + 1}: each line must be a JSON object`);
    }
    rows.push(value as Record<string, unknown>);
  }
  return rows;
}
