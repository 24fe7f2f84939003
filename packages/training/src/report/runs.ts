import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { RunSummary } from '../types.js';

/** One run's inputs: its summary file and/or its log lines (`training_*` events). */
export interface TrainingRunInput {
  readonly summary?: RunSummary;
  /** The run's JSON log records (`training_started`, `training_epoch`, `training_step`, `training_finished`, ...). */
  readonly records?: readonly Readonly<Record<string, unknown>>[];
}

/** What reading the files found, per run, plus what was left out. */
export interface ReadRuns {
  readonly runs: TrainingRunInput[];
  /** Lines that were not JSON or not a training event (progress lines, other logs). */
  readonly ignoredLines: number;
}

/** Largest summary file read whole (a summary is a few KB; anything bigger is a log). */
const MAX_SUMMARY_BYTES = 8 * 1024 * 1024;
const TRAINING_EVENT = /^training_/;

function isSummary(value: unknown): value is RunSummary {
  const v = value as Partial<RunSummary> | null;
  return (
    !!v &&
    typeof v === 'object' &&
    typeof v.run_id === 'string' &&
    typeof v.status === 'string' &&
    typeof v.metrics === 'object' &&
    v.metrics !== null
  );
}

/**
 * Reads summary files (`summary-<run_id>.json`) and JSON-lines logs of training runs, in any mix,
 * and groups them by `run_id` in the order first seen. Log files are streamed line by line, so a
 * long log is never held as one string. Rejects with the file system's error, or with a message
 * naming a file that is neither.
 */
export async function readTrainingRuns(paths: readonly string[]): Promise<ReadRuns> {
  const byId = new Map<string, { summary?: RunSummary; records: Record<string, unknown>[] }>();
  const entry = (id: string) => {
    let e = byId.get(id);
    if (!e) {
      e = { records: [] };
      byId.set(id, e);
    }
    return e;
  };
  let ignoredLines = 0;
  for (const path of paths) {
    const size = (await stat(path)).size;
    if (size <= MAX_SUMMARY_BYTES) {
      const text = await readFile(path, 'utf8');
      let whole: unknown;
      try {
        whole = JSON.parse(text);
      } catch {
        whole = undefined;
      }
      if (isSummary(whole)) {
        entry(whole.run_id).summary = whole;
        continue;
      }
    }
    let events = 0;
    const lines = createInterface({
      input: createReadStream(path, 'utf8'),
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    for await (const line of lines) {
      const record = parseLine(line);
      if (!record) {
        if (line.trim() !== '') ignoredLines++;
        continue;
      }
      events++;
      entry(record.run_id as string).records.push(record);
    }
    if (events === 0)
      throw new Error(`${path}: neither a run summary (run_id, status, metrics) nor training event lines`);
  }
  return { runs: [...byId.values()], ignoredLines };
}

function parseLine(line: string): Record<string, unknown> | undefined {
  const text = line.trim();
  if (!text.startsWith('{')) return undefined;
  try {
    const v = JSON.parse(text) as Record<string, unknown>;
    return v && typeof v.run_id === 'string' && typeof v.event === 'string' && TRAINING_EVENT.test(v.event)
      ? v
      : undefined;
  } catch {
    return undefined;
  }
}
