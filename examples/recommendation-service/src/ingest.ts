// Data ingestion: ratings arrive as daily batch files (JSON lines); each file is logged on arrival
// (size, source, records), validated row by row, and the invalid rows are dropped and counted.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LogSink } from '@threadline/core';
import { pipelineStep } from '@threadline/training';
import { createValidator, type ValidationSchema } from '@threadline/validation';
import type { Registry } from 'prom-client';
import type { Rating } from './data.js';

/** Schema of one rating row: what the pipeline accepts. */
export const RATING_SCHEMA: ValidationSchema = {
  version: 1,
  description: 'One user rating of one film, as delivered in the daily batch files.',
  features: [
    { name: 'user_id', type: 'integer', min: 1 },
    { name: 'movie_id', type: 'integer', min: 1 },
    { name: 'rating', type: 'integer', min: 1, max: 5 },
    { name: 'ts', type: 'string' },
  ],
  unknownFeatures: 'warning',
};

/**
 * Writes the ratings as one JSON-lines file per day into `dir`, as an upstream system would deliver
 * them. The last file carries a few malformed rows (an out-of-range rating, a missing film, a
 * string where a number belongs), as real feeds do, so the validation has something to catch.
 */
export function writeBatches(dir: string, ratings: readonly Rating[]): string[] {
  mkdirSync(dir, { recursive: true });
  const byDay = new Map<string, Rating[]>();
  for (const r of ratings) {
    const day = r.ts.slice(0, 10);
    let list = byDay.get(day);
    if (!list) {
      list = [];
      byDay.set(day, list);
    }
    list.push(r);
  }
  const files: string[] = [];
  const days = [...byDay.keys()].sort();
  for (const [i, day] of days.entries()) {
    const rows: unknown[] = [...byDay.get(day)!];
    if (i === days.length - 1) {
      rows.push(
        { user_id: 3, movie_id: 10, rating: 9, ts: `${day}T23:59:00.000Z` },
        { user_id: 4, rating: 4, ts: `${day}T23:59:01.000Z` },
        { user_id: 'five', movie_id: 12, rating: 3, ts: `${day}T23:59:02.000Z` },
      );
    }
    const file = join(dir, `ratings-${day}.jsonl`);
    writeFileSync(file, `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
    files.push(file);
  }
  return files;
}

/** What ingestion kept, and a version string for the data it came from. */
export interface Ingested {
  readonly ratings: Rating[];
  /** A digest of the files' contents: the dataset version the training run records. */
  readonly datasetVersion: string;
  readonly files: number;
  readonly droppedRows: number;
}

/** Options of `ingestBatches`. */
export interface IngestOptions {
  readonly logger?: LogSink | false;
  readonly registry?: Registry;
}

/**
 * Reads every batch file in `dir` in name order through a pipeline step (arrival logged and
 * measured) and a validator in drop mode (bad rows logged, counted, and left out).
 */
export async function ingestBatches(dir: string, options: IngestOptions = {}): Promise<Ingested> {
  const logger = options.logger === false ? undefined : options.logger;
  const validator = createValidator({
    schema: RATING_SCHEMA,
    mode: 'drop',
    name: 'ingest_ratings',
    ...(options.logger !== undefined ? { logger: options.logger } : {}),
    ...(options.registry ? { registry: options.registry } : {}),
  });
  let dropped = 0;
  const step = pipelineStep<{ file: string; text: string }, Rating[]>(
    {
      name: 'ingest_ratings',
      source: 'ratings_feed',
      ...(logger ? { logger } : {}),
      ...(options.registry ? { registry: options.registry } : {}),
      measure: ({ text }) => ({
        source: 'ratings_feed',
        bytes: Buffer.byteLength(text),
        records: text.split('\n').filter(Boolean).length,
      }),
    },
    async ({ text }) => {
      const rows = text
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          try {
            return JSON.parse(line) as unknown;
          } catch {
            return { __unparsable__: line.slice(0, 80) };
          }
        });
      const outcome = await validator.validateBatch(rows);
      dropped += outcome.result.dropped_row_count;
      return outcome.rows as Rating[];
    },
  );
  const hash = createHash('sha256');
  const ratings: Rating[] = [];
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort();
  for (const name of files) {
    const file = join(dir, name);
    const text = readFileSync(file, 'utf8');
    hash.update(name).update(text);
    const kept = await step({ file, text }, { producedAt: statSync(file).mtimeMs });
    ratings.push(...kept);
  }
  return {
    ratings,
    datasetVersion: `ratings-${hash.digest('hex').slice(0, 12)}`,
    files: files.length,
    droppedRows: dropped,
  };
}
