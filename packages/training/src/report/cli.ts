import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { renderTrainingReport } from './html.js';
import { readTrainingRuns } from './runs.js';

/** Where the command line writes. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

const USAGE = `Usage: threadline-training report FILE... --out training.html [--title TEXT]

Writes one self-contained HTML page (no network needed to view it) comparing the training runs in
FILE...: run summaries (summary-<run_id>.json) and/or the runs' JSON log lines (training_epoch,
training_step, ... events), in any mix; files of one run are joined by run_id.

Exit codes: 0 written, 2 bad usage or unreadable input.`;

/** Runs the command line with `argv` (without node and the script); resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        out: { type: 'string', short: 'o' },
        title: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      io.out(USAGE);
      return 0;
    }
    const [command, ...files] = positionals;
    if (command !== 'report')
      throw new Error(command ? `unknown command ${JSON.stringify(command)}` : 'expected a command');
    if (files.length === 0) throw new Error('expected at least one run file');
    if (values.out === undefined) throw new Error('missing --out FILE.html');
    const { runs, ignoredLines } = await readTrainingRuns(files);
    const html = renderTrainingReport(runs, values.title !== undefined ? { title: values.title } : {});
    await writeFile(values.out, html);
    io.out(
      `threadline-training report: wrote ${values.out} (${runs.length} ${runs.length === 1 ? 'run' : 'runs'}${ignoredLines > 0 ? `, ${ignoredLines} other lines ignored` : ''})`,
    );
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.err(`threadline-training: ${message.replace(/^\[training[^\]]*\] /, '')}\n\n${USAGE}`);
    return 2;
  }
}

/** Entry point of the `threadline-training` bin. */
export async function run(): Promise<void> {
  process.exitCode = await main(process.argv.slice(2), {
    out: (t) => process.stdout.write(`${t}\n`),
    err: (t) => process.stderr.write(`${t}\n`),
  });
}
