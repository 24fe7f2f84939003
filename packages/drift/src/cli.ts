import { parseArgs } from 'node:util';
import { ThreadlineConfigError } from '@threadline/core';
import { type CompareOptions, compareTables } from './compare.js';
import type { Correction } from './correction.js';
import type { Table } from './profile.js';
import { readTable, TableReadError } from './read.js';
import type { DriftMethod, DriftReport, FeatureTestOptions } from './types.js';

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

/** A bad command line: printed with the usage, exit code 2. */
export class UsageError extends Error {}

/**
 * The comparison options of threadline-drift, for `parseArgs`; the report subcommand takes the
 * same ones, so both read them here.
 */
export const COMPARE_OPTIONS = {
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
} as const;

/** What `parseArgs` read for `COMPARE_OPTIONS`. */
export interface CompareValues {
  method?: string | undefined;
  threshold?: string | undefined;
  feature?: string[] | undefined;
  correction?: string | undefined;
  'drift-share'?: string | undefined;
  'min-samples'?: string | undefined;
  columns?: string | undefined;
  categorical?: string | undefined;
  format?: string | undefined;
  'fail-on-drift'?: boolean | undefined;
}

/** The comparison a command line asked for. */
export interface CompareArgs {
  readonly options: CompareOptions;
  readonly format: 'csv' | 'jsonl' | undefined;
  readonly columns: string[] | undefined;
  readonly categorical: string[] | undefined;
  readonly failOnDrift: boolean;
}

/** Checks the comparison options; throws `UsageError` for a bad one. */
export function compareArgs(values: CompareValues): CompareArgs {
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
  return {
    options,
    format: values.format as 'csv' | 'jsonl' | undefined,
    columns,
    categorical,
    failOnDrift: values['fail-on-drift'] === true,
  };
}

/** Reads both files and compares them as `args` says; throws `UsageError` for an unknown column. */
export async function compareFiles(
  referencePath: string,
  currentPath: string,
  args: CompareArgs,
): Promise<{ report: DriftReport; reference: Table; current: Table }> {
  const { format, columns } = args;
  const [reference, current] = await Promise.all(
    [referencePath, currentPath].map((p) => readTable(p, format ? { format } : {})),
  );
  if (columns) {
    for (const c of columns) {
      if (!(c in reference!))
        throw new UsageError(
          `unknown column ${JSON.stringify(c)} (reference has ${Object.keys(reference!).join(', ')})`,
        );
    }
  }
  return {
    report: compareTables(reference!, current!, args.options),
    reference: reference!,
    current: current!,
  };
}

/** Prints why a command failed and returns its exit code, 2. */
export function failed(error: unknown, io: CliIo, command: string, usage: string): number {
  if (
    error instanceof UsageError ||
    error instanceof TableReadError ||
    error instanceof ThreadlineConfigError
  ) {
    io.err(`${command}: ${error.message.replace(/^\[drift[^\]]*\] /, '')}`);
    return 2;
  }
  if (error instanceof TypeError && (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    io.err(`${command}: ${error.message}\n\n${usage}`);
    return 2;
  }
  io.err(
    `${command}: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  return 2;
}

/** Runs the command line with `argv` (without node and the script); resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  if (argv[0] === 'report') {
    // Loaded when asked for: the report's page code is not needed for a JSON comparison.
    const { reportMain } = await import('./report/cli.js');
    return reportMain(argv.slice(1), io);
  }
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { ...COMPARE_OPTIONS, pretty: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
    if (values.help) {
      io.out(USAGE);
      return 0;
    }
    if (positionals.length !== 2) throw new UsageError('expected two files: REFERENCE CURRENT');
    const args = compareArgs(values);
    const { report } = await compareFiles(positionals[0]!, positionals[1]!, args);
    io.out(JSON.stringify(report, null, values.pretty ? 2 : undefined));
    return args.failOnDrift && report.dataset_drift ? 1 : 0;
  } catch (error) {
    return failed(error, io, 'threadline-drift', USAGE);
  }
}

/** Entry point of the `threadline-drift` bin. */
export async function run(): Promise<void> {
  process.exitCode = await main(process.argv.slice(2), {
    out: (t) => process.stdout.write(`${t}\n`),
    err: (t) => process.stderr.write(`${t}\n`),
  });
}
