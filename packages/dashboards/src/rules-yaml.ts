import type { AlertingRule, RecordingRule, RuleFile } from './types.js';

/** Characters a YAML plain scalar may not start with. */
const INDICATORS = '-?:,[]{}#&*!|>\'"%@`';
/** Longest expression written on its key's line; longer ones go into a block below it. */
const INLINE_WIDTH = 90;

function comment(text: string | undefined, indent: string): string[] {
  if (text === undefined) return [];
  return text.split('\n').map((line) => (line === '' ? `${indent}#` : `${indent}# ${line}`));
}

function plainSafe(text: string): boolean {
  return (
    text !== '' &&
    !INDICATORS.includes(text[0]!) &&
    !/^\s|\s$|: |\s#|:$|\n/.test(text) &&
    !/^(true|false|null|~|yes|no|on|off|[-+.\d].*)$/i.test(text)
  );
}

/**
 * An expression as YAML: on its key's line when short and plain, else a literal block (`|-`),
 * which keeps the definition's line breaks and needs no escaping of PromQL's quotes.
 */
function expr(text: string, indent: string): string[] {
  if (text.length <= INLINE_WIDTH && plainSafe(text)) return [`${indent}expr: ${text}`];
  const lines = text.split('\n');
  // A literal block takes its indentation from its first line: a later line indented less would
  // end the block, so a definition written that way is refused here, at generation.
  const first = /^ */.exec(lines[0]!)![0].length;
  if (first > 0 || lines.some((l) => l !== '' && /^ */.exec(l)![0].length < first)) {
    throw new Error(`an expression's first line must be its least indented: ${lines[0]}`);
  }
  return [`${indent}expr: |-`, ...lines.map((l) => (l === '' ? '' : `${indent}  ${l}`))];
}

function scalar(text: string): string {
  return plainSafe(text) ? text : quoted(text);
}

/**
 * A quoted YAML string: double quotes (a JSON string is one), or single quotes when the text holds
 * a double quote and no single one, as the repository's formatter writes it, so a generated file
 * stays as generated.
 */
function quoted(text: string): string {
  return text.includes('"') && !text.includes("'") && !text.includes('\n')
    ? `'${text}'`
    : JSON.stringify(text);
}

function rule(r: RecordingRule | AlertingRule): string[] {
  const out = comment(r.comment, '      ');
  if ('record' in r) return [...out, `      - record: ${r.record}`, ...expr(r.expr, '        ')];
  return [
    ...out,
    `      - alert: ${r.alert}`,
    ...expr(r.expr, '        '),
    `        for: ${r.for}`,
    '        labels:',
    `          severity: ${r.labels.severity}`,
    '        annotations:',
    `          summary: ${quoted(r.annotations.summary)}`,
    `          description: ${quoted(r.annotations.description)}`,
  ];
}

/**
 * A rule file as Prometheus loads it (`rule_files:`), comments included. Annotations are always
 * quoted, so their `{{ }}` templates are never read as YAML flow mappings.
 */
export function renderRules(file: RuleFile): string {
  const lines = [...comment(file.header, ''), 'groups:'];
  file.groups.forEach((group, i) => {
    if (i > 0) lines.push('');
    lines.push(`  - name: ${scalar(group.name)}`, '    rules:');
    for (const r of group.rules) lines.push(...rule(r));
  });
  return `${lines.join('\n')}\n`;
}
