/**
 * A small, strict parser for the Prometheus text format (0.0.4) and OpenMetrics text (1.0), for
 * tests that read a registry's output back and assert on values, labels and exemplars.
 * Strict on purpose: a malformed line throws, so a rendering bug fails the test that meets it.
 */

export interface Exemplar {
  readonly labels: Record<string, string>;
  readonly value: number;
  readonly timestamp?: number;
}

export interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
  readonly exemplar?: Exemplar;
}

export interface Exposition {
  readonly samples: Sample[];
  /** Metric family name to type (`counter`, `gauge`, `histogram`, ...). */
  readonly types: Map<string, string>;
  readonly help: Map<string, string>;
  /** True when the text ended with `# EOF` (OpenMetrics). */
  readonly eof: boolean;
}

function parseNumber(text: string, line: string): number {
  if (text === '+Inf' || text === 'Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  if (text === 'NaN') return Number.NaN;
  const n = Number(text);
  if (text === '' || Number.isNaN(n)) throw new Error(`bad number ${JSON.stringify(text)} in: ${line}`);
  return n;
}

/** Parses `{a="1",b="x\"y"}` starting at `start` (the `{`). Returns the labels and the index after `}`. */
function parseLabels(line: string, start: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let i = start + 1;
  while (i < line.length && line[i] !== '}') {
    const eq = line.indexOf('=', i);
    if (eq < 0) throw new Error(`bad labels in: ${line}`);
    const name = line.slice(i, eq).trim();
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name)) throw new Error(`bad label name ${name} in: ${line}`);
    if (line[eq + 1] !== '"') throw new Error(`unquoted label value in: ${line}`);
    let value = '';
    let j = eq + 2;
    for (; j < line.length && line[j] !== '"'; j++) {
      if (line[j] === '\\') {
        const next = line[++j];
        value += next === 'n' ? '\n' : next;
      } else {
        value += line[j];
      }
    }
    if (j >= line.length) throw new Error(`unterminated label value in: ${line}`);
    if (name in labels) throw new Error(`duplicate label ${name} in: ${line}`);
    labels[name] = value;
    i = j + 1;
    if (line[i] === ',') i++;
  }
  if (line[i] !== '}') throw new Error(`unterminated labels in: ${line}`);
  return { labels, end: i + 1 };
}

function parseSample(line: string): Sample {
  const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
  if (!nameMatch) throw new Error(`bad sample line: ${line}`);
  const name = nameMatch[0];
  let i = name.length;
  let labels: Record<string, string> = {};
  if (line[i] === '{') {
    const parsed = parseLabels(line, i);
    labels = parsed.labels;
    i = parsed.end;
  }
  const rest = line.slice(i);
  const hash = rest.indexOf(' # ');
  const main = (hash >= 0 ? rest.slice(0, hash) : rest).trim().split(/\s+/);
  if (main.length < 1 || main.length > 2) throw new Error(`bad sample value in: ${line}`);
  const value = parseNumber(main[0]!, line);
  if (hash < 0) return { name, labels, value };
  const ex = rest.slice(hash + 3);
  if (ex[0] !== '{') throw new Error(`bad exemplar in: ${line}`);
  const exLabels = parseLabels(ex, 0);
  const exParts = ex.slice(exLabels.end).trim().split(/\s+/);
  if (exParts.length < 1 || exParts.length > 2) throw new Error(`bad exemplar value in: ${line}`);
  const exemplar: Exemplar = {
    labels: exLabels.labels,
    value: parseNumber(exParts[0]!, line),
    ...(exParts[1] !== undefined ? { timestamp: parseNumber(exParts[1], line) } : {}),
  };
  return { name, labels, value, exemplar };
}

/** Parses exposition text. Throws on any malformed line or on content after `# EOF`. */
export function parsePromText(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  let eof = false;
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (line === '') continue;
    if (eof) throw new Error(`content after # EOF: ${line}`);
    if (line === '# EOF') {
      eof = true;
      continue;
    }
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE|UNIT) ([a-zA-Z_:][a-zA-Z0-9_:]*)(?: (.*))?$/.exec(line);
      if (!m) throw new Error(`bad comment line: ${line}`);
      if (m[1] === 'TYPE') types.set(m[2]!, m[3] ?? '');
      if (m[1] === 'HELP') help.set(m[2]!, m[3] ?? '');
      continue;
    }
    samples.push(parseSample(line));
  }
  return { samples, types, help, eof };
}

/** Samples named `name` whose labels include every given label (exact values). */
export function findSamples(
  exposition: Exposition,
  name: string,
  labels: Record<string, string> = {},
): Sample[] {
  return exposition.samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
}

/** The one sample matching; throws when none or several match, so a test cannot pass by accident. */
export function sampleValue(
  exposition: Exposition,
  name: string,
  labels: Record<string, string> = {},
): number {
  const found = findSamples(exposition, name, labels);
  if (found.length !== 1) {
    throw new Error(`expected one sample ${name}${JSON.stringify(labels)}, found ${found.length}`);
  }
  return found[0]!.value;
}
