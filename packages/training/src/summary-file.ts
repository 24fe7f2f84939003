import { randomBytes } from 'node:crypto';
import { accessSync, constants, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { rename, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ThreadlineConfigError } from '@threadline/core';
import type { RunSummary } from './types.js';

function tempPath(path: string): string {
  return `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
}

/**
 * Writes `data` as pretty JSON to `path` atomically: a temp file beside it, then a rename, so a
 * reader (or a crash) never sees half a file. Rejects with the file system's error.
 */
export async function writeJsonAtomic(path: string, data: unknown): Promise<void> {
  const tmp = tempPath(path);
  try {
    await writeFile(tmp, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o644 });
    await rename(tmp, path);
  } catch (error) {
    await unlink(tmp).catch(() => {});
    throw error;
  }
}

/** The synchronous form, for a signal handler that must finish before the process exits. */
export function writeJsonAtomicSync(path: string, data: unknown): void {
  const tmp = tempPath(path);
  try {
    writeFileSync(tmp, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o644 });
    renameSync(tmp, path);
  } catch (error) {
    try {
      unlinkSync(tmp);
    } catch {
      // The temp file may not exist.
    }
    throw error;
  }
}

function notWritable(path: string, error: unknown): ThreadlineConfigError {
  const err = error as NodeJS.ErrnoException;
  return new ThreadlineConfigError(
    'training',
    `summaryPath ${JSON.stringify(path)} is not writable (${err.code ?? 'error'}: ${err.message}); the run did not start`,
  );
}

/**
 * A run's summary file. The directory is checked when the run is built and the first write, at the
 * start, settles it (both throw a `ThreadlineConfigError`); later writes never throw: a failure goes
 * to `onFailure` and the run goes on.
 */
export class SummaryFile {
  /** The file's path. */
  readonly path: string;
  private writes: Promise<void> = Promise.resolve();
  private version = 0;

  /** `{run_id}` and `{experiment}` in the template are replaced. */
  constructor(
    template: string,
    ids: { runId: string; experiment: string },
    private readonly onFailure: (path: string, error: unknown) => void,
  ) {
    this.path = template.replaceAll('{run_id}', ids.runId).replaceAll('{experiment}', ids.experiment);
    this.checkDir();
  }

  /** The cheap synchronous part of the check: the directory exists and may be written. */
  private checkDir(): void {
    const dir = dirname(this.path);
    try {
      if (!statSync(dir).isDirectory()) {
        throw Object.assign(new Error(`${dir} is not a directory`), { code: 'ENOTDIR' });
      }
      accessSync(dir, constants.W_OK);
    } catch (error) {
      throw notWritable(this.path, error);
    }
  }

  /** The first write, at the start of the run: an error here stops the run before training. */
  async first(summary: RunSummary): Promise<void> {
    try {
      await writeJsonAtomic(this.path, summary);
    } catch (error) {
      throw notWritable(this.path, error);
    }
  }

  /** Writes the summary `build` gives when the writes before it are done; never rejects. */
  write(build: () => RunSummary): Promise<void> {
    const version = ++this.version;
    this.writes = this.writes.then(async () => {
      // A newer write (the signal path writes synchronously) wins; this one is stale.
      if (version !== this.version) return;
      try {
        await writeJsonAtomic(this.path, build());
      } catch (error) {
        this.onFailure(this.path, error);
      }
    });
    return this.writes;
  }

  /** Writes now, synchronously (the process is about to exit), superseding queued writes. */
  writeSync(summary: RunSummary): void {
    this.version++;
    try {
      writeJsonAtomicSync(this.path, summary);
    } catch (error) {
      this.onFailure(this.path, error);
    }
  }
}
