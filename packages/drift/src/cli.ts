import { parseArgs } from 'node:util';
import { ThreadlineConfigError } from '@threadline/core';
import { type CompareOptions, compareTables } from './compare.js';
import type { Correction } from './correction.js';
import { readTable, TableReadError } from './read.js';
import { reportMain } from './report/cli.js';
import type { DriftMethod, FeatureTestOptions } from './types.js';

const USAGE = `Usage: threadline-drift [options] REFERENCE CURRENT
       threadline-drift report --reference REFERENCE --current CURRENT --out FILE.html [options]

Compares CURRENT with REFERENCE (CSV with a header row, or JSON lines) feature by feature and
prints the drift report as JSON.

Options:
  --method M             auto (default), ks, wasserstein, chisquare, z, jensenshannon, psi, kl, hellinger
  --threshold X          threshold for the default method
  --feature NAME=M[:X]   method (and threshold) for one feature; repeatable
  --correction C         none (default), bonferroni, bh
  --drift-share X        share of drifted features for dataset drift (default 0.5)
  --min-samples N        fewest current values a feature needs to be tested (default 30)
  --columns A,B          compare only these columns
  --categorical A,B      treat these columns as categorical
  --format F             csv or jsonl for both files (default: from the extension)
  --fail-on-drift        exit 1 when the dataset drifted
  --pretty               indent the JSON
  -h, --help             this text

Exit codes: 0 done, 1 dataset drift with --fail-on-drift, 2 bad usage or unusable input.`;

/** Where the command line writes. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

const list = (s: string | undefined) =>
  s === undefined
    ? undefined
    : s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);

function num(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n))
    throw new UsageError(`--${name} must be a number, got ${JSON.stringify(value)}`);
  return n;
}

class UsageError extends Error {}

/** Runs the command line with `argv` (without node and the script); resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  if (argv[0] === 'report') return reportMain(argv.slice(1), io, main);
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        method: { type: 'string' },
        threshold: { type: 'string' },
        feature: { type: 'string', multiple: true },
        correction: { type: 'string' },
        'drift-share': { type: 'string' },
        'min-samples': { type: 'string' },
        columns: { type: 'string' },
        categorical: { type: 'string' },
        format: { type: 'string' },
        'fail-on-drift': { type: 'boolean' },
        pretty: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      io.out(USAGE);
      return 0;
    }
    if (positionals.length !== 2) throw new UsageError('expected two files: REFERENCE CURRENT');
    if (values.format !== undefined && values.format !== 'csv' && values.format !== 'jsonl') {
      throw new UsageError('--format must be csv or jsonl');
    }
    const features: Record<string, FeatureTestOptions> = {};
    for (const spec of values.feature ?? []) {
      const m = /^([^=]+)=([a-z]+)(?::(.+))?$/.exec(spec);
      if (!m) throw new UsageError(`--feature takes NAME=METHOD[:THRESHOLD], got ${JSON.stringify(spec)}`);
      features[m[1]!] = {
        method: m[2] as DriftMethod,
        ...(m[3] !== undefined ? { threshold: num('feature', m[3]) } : {}),
      };
    }
    const threshold = num('threshold', values.threshold);
    const driftShare = num('drift-share', values['drift-share']);
    const minSamples = num('min-samples', values['min-samples']);
    const columns = list(values.columns);
    const categorical = list(values.categorical);
    const options: CompareOptions = {
      ...(values.method !== undefined ? { method: values.method as DriftMethod } : {}),
      ...(threshold !== undefined ? { threshold } : {}),
      ...(Object.keys(features).length > 0 ? { features } : {}),
      ...(values.correction !== undefined ? { correction: values.correction as Correction } : {}),
      ...(driftShare !== undefined ? { driftShare } : {}),
      ...(minSamples !== undefined ? { minSamples } : {}),
      ...(columns ? { columns } : {}),
      ...(categorical ? { categorical } : {}),
    };
    const format = values.format as 'csv' | 'jsonl' | undefined;
    const [reference, current] = await Promise.all(
      positionals.map((p) => readTable(p, format ? { format } : {})),
    );
    if (columns) {
      for (const c of columns) {
        if (!(c in reference!))
          throw new UsageError(
            `unknown column ${JSON.stringify(c)} (reference has ${Object.keys(reference!).join(', ')})`,
          );
      }
    }
    const report = compareTables(reference!, current!, options);
    io.out(JSON.stringify(report, null, values.pretty ? 2 : undefined));
    return values['fail-on-drift'] && report.dataset_drift ? 1 : 0;
  } catch (error) {
    if (
      error instanceof UsageError ||
      error instanceof TableReadError ||
      error instanceof ThreadlineConfigError
    ) {
      io.err(`threadline-drift: ${error.message.replace(/^\[drift[^\]]*\] /, '')}`);
      return 2;
    }
    if (error instanceof TypeError && (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`threadline-drift: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    io.err(
      `threadline-drift: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return 2;
  }
}

/** Entry point of the `threadline-drift` bin. */
export async function run(): Promise<void> {
  process.exitCode = await main(process.argv.slice(2), {
    out: (t) => process.stdout.write(`${t}\n`),
    err: (t) => process.stderr.write(`${t}\n`),
  });
}
