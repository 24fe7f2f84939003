import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { type CliIo, COMPARE_OPTIONS, compareArgs, compareFiles, failed } from '../cli.js';
import { buildProfile } from '../profile.js';
import { renderDriftReport } from './html.js';

/** Where the command line writes. */
export type ReportIo = CliIo;

export const REPORT_USAGE = `Usage: threadline-drift report --reference REF --current CUR --out FILE.html [options]

Compares CUR with REF exactly as \`threadline-drift REF CUR\` does and writes one self-contained
HTML page (no network needed to view it): the dataset decision, then per feature the reference and
current distributions, the test, its statistic, p-value or score, threshold, decision, moments and
invalid values. Takes every comparison option of threadline-drift (--method, --threshold,
--feature, --correction, --drift-share, --min-samples, --columns, --categorical, --format,
--fail-on-drift), plus:

  --title TEXT   page title (default "Data drift report")
  --json FILE    also write the JSON report`;

const REPORT_OPTIONS = {
  ...COMPARE_OPTIONS,
  reference: { type: 'string' },
  current: { type: 'string' },
  out: { type: 'string' },
  title: { type: 'string' },
  json: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parse(argv: readonly string[]) {
  return parseArgs({ args: [...argv], allowPositionals: false, options: REPORT_OPTIONS }).values;
}

/** Runs `threadline-drift report ...`; resolves to the exit code (0, 1 on drift with --fail-on-drift, 2). */
export async function reportMain(argv: readonly string[], io: ReportIo): Promise<number> {
  let values: ReturnType<typeof parse>;
  try {
    values = parse(argv);
  } catch (error) {
    io.err(`threadline-drift report: ${(error as Error).message}\n\n${REPORT_USAGE}`);
    return 2;
  }
  if (values.help) {
    io.out(REPORT_USAGE);
    return 0;
  }
  const missing = (['reference', 'current', 'out'] as const).filter((k) => values[k] === undefined);
  if (missing.length > 0) {
    io.err(`threadline-drift report: missing ${missing.map((k) => `--${k}`).join(', ')}\n\n${REPORT_USAGE}`);
    return 2;
  }
  try {
    // The same parser and comparison as `threadline-drift REF CUR`, so both print the same numbers.
    const args = compareArgs(values);
    const { report, reference, current } = await compareFiles(values.reference!, values.current!, args);
    const columns = args.columns ?? Object.keys(report.features);
    const categorical = args.categorical;
    // Numeric features compareTables tested as categories still draw as histograms: the profile's bins.
    const profile = buildProfile(reference, { columns, ...(categorical ? { categorical } : {}) });
    const html = renderDriftReport({
      report,
      reference: profile,
      current,
      ...(values.title !== undefined ? { title: values.title } : {}),
    });
    await writeFile(values.out!, html);
    if (values.json !== undefined) await writeFile(values.json, `${JSON.stringify(report)}\n`);
    io.out(
      `threadline-drift report: wrote ${values.out} (${report.n_drifted} of ${report.n_tested} tested features drifted, dataset drift: ${report.dataset_drift})`,
    );
    return args.failOnDrift && report.dataset_drift ? 1 : 0;
  } catch (error) {
    return failed(error, io, 'threadline-drift report', REPORT_USAGE);
  }
}
