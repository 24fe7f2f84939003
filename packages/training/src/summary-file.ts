import { randomBytes } from 'node:crypto';
import { renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { rename, unlink, writeFile } from 'node:fs/promises';

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
