import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { buildProfile } from '../profile.js';
import { readTable } from '../read.js';
import type { DriftReport } from '../types.js';
import { renderDriftReport } from './html.js';

/** Where the command line writes. */
export interface ReportIo {
  out(text: string): void;
  err(text: string): void;
}

export const REPORT_USAGE = `Usage: threadline-drift report --reference REF --current CUR --out FILE.html [options]

Compares CUR with REF exactly as \`threadline-drift REF CUR\` does and writes one self-contained
HTML page (no network needed to view it): the dataset decision, then per feature the reference and
current distributions, the test, its statistic, p-value or score, threshold, decision, moments and
invalid values. Takes every comparison option of threadline-drift (--method, --threshold,
--feature, --correction, --drift-share, --min-samples, --columns, --categorical, --format,
--fail-on-drift), plus:

  --title TEXT   page title (default "Data drift report")
  --json FILE    also write the JSON report`;

/** The comparison itself, as the JSON command runs it (so both print the same numbers). */
export type CompareCommand = (argv: readonly string[], io: ReportIo) => Promise<number>;

/** Runs `threadline-drift report ...`; resolves to the exit code (0, 1 on drift with --fail-on-drift, 2). */
export async function reportMain(
  argv: readonly string[],
  io: ReportIo,
  compare: CompareCommand,
): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.err(`threadline-drift report: ${(error as Error).message}\n\n${REPORT_USAGE}`);
    return 2;
  }
  const { values, passThrough } = parsed;
  if (values.help) {
    io.out(REPORT_USAGE);
    return 0;
  }
  const missing = (['reference', 'current', 'out'] as const).filter((k) => values[k] === undefined);
  if (missing.length > 0) {
    io.err(`threadline-drift report: missing ${missing.map((k) => `--${k}`).join(', ')}\n\n${REPORT_USAGE}`);
    return 2;
  }
  let json = '';
  const code = await compare([...passThrough, values.reference!, values.current!], {
    out: (t) => {
      json = t;
    },
    err: io.err,
  });
  if (code === 2) return 2;
  try {
    const report = JSON.parse(json) as DriftReport;
    const format = values.format as 'csv' | 'jsonl' | undefined;
    const [reference, current] = await Promise.all(
      [values.reference!, values.current!].map((p) => readTable(p, format ? { format } : {})),
    );
    const list = (s: string | undefined) =>
      s
        ?.split(',')
        .map((x) => x.trim())
        .filter(Boolean);
    const columns = list(values.columns) ?? Object.keys(report.features);
    const categorical = list(values.categorical);
    // Numeric features compareTables tested as categories still draw as histograms: the profile's bins.
    const profile = buildProfile(reference!, { columns, ...(categorical ? { categorical } : {}) });
    const html = renderDriftReport({
      report,
      reference: profile,
      current: current!,
      ...(values.title !== undefined ? { title: values.title } : {}),
    });
    await writeFile(values.out!, html);
    if (values.json !== undefined) await writeFile(values.json, `${json}\n`);
    io.out(
      `threadline-drift report: wrote ${values.out} (${report.n_drifted} of ${report.n_tested} tested features drifted, dataset drift: ${report.dataset_drift})`,
    );
    return code;
  } catch (error) {
    io.err(`threadline-drift report: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
}

const COMPARE_OPTIONS = {
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

function parse(argv: readonly string[]) {
  const { values, positionals, tokens } = parseArgs({
    args: [...argv],
    allowPositionals: false,
    tokens: true,
    options: {
      ...COMPARE_OPTIONS,
      reference: { type: 'string' },
      current: { type: 'string' },
      out: { type: 'string' },
      title: { type: 'string' },
      json: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  void positionals;
  // Everything but our own flags goes to the comparison unchanged, so it validates them itself.
  const passThrough: string[] = [];
  for (const t of tokens) {
    if (t.kind !== 'option' || !(t.name in COMPARE_OPTIONS)) continue;
    passThrough.push(`--${t.name}`);
    if (t.value !== undefined) passThrough.push(t.value);
  }
  return { values, passThrough };
}
