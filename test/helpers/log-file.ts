// Reading back what a logger wrote to a file, for the buffered-destination tests of pino and winston.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** The JSON lines of `file`, parsed; none when it does not exist yet. */
export function linesOf(file: string): Record<string, unknown>[] {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

export const sleep = (ms: number): Promise<unknown> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `script` (an ES module, against the sources) in a child process and waits for it to exit. */
export function runScript(script: string): ReturnType<typeof spawnSync> & { stderr: string } {
  return spawnSync(
    process.execPath,
    ['--conditions=threadline-source', '--import', 'tsx', '--input-type=module', '-e', script],
    { encoding: 'utf8', timeout: 60_000 },
  ) as ReturnType<typeof spawnSync> & { stderr: string };
}
