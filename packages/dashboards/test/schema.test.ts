import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type ts from 'typescript';

const require = createRequire(import.meta.url);
const typescript = require('typescript') as typeof ts;
const here = dirname(fileURLToPath(import.meta.url));
const DASHBOARD = join(here, '..', 'grafana', 'threadline.json');
/** A file that exists only in memory, beside the tests, so `@grafana/schema` resolves from here. */
const VIRTUAL = join(here, '__grafana_schema_check__.ts');

/**
 * The schema's types with its TypeScript enums read as their values: a JSON file holds
 * `"absolute"`, which TypeScript would not accept for the enum member `ThresholdsMode.Absolute`.
 * Everything else (types, unions, required and unknown fields) is checked as published.
 */
const PRELUDE = `import type { Dashboard } from '@grafana/schema';
type Json<T> = T extends string ? \`\${T}\` : T extends object ? { [K in keyof T]: Json<T[K]> } : T;
type D = Json<Dashboard>;
`;

/**
 * Fields Grafana itself writes into saved dashboards that its published types leave out: a query
 * variable's `definition` (the query as the editor shows it).
 */
function withoutGrafanaOwnFields(dashboard: { templating?: { list?: Record<string, unknown>[] } }): unknown {
  const list = dashboard.templating?.list?.map(({ definition: _d, ...v }) => v);
  return list ? { ...dashboard, templating: { ...dashboard.templating, list } } : dashboard;
}

/**
 * Type-checks each dashboard as an object literal of `@grafana/schema`'s `Dashboard` in one
 * program (wrong types, unknown enum values and, through excess property checks, unknown fields
 * are errors). Returns each dashboard's compiler messages.
 */
function checkAgainstSchema(dashboards: readonly unknown[]): string[][] {
  const lines = dashboards.map((d, i) => `export const d${i}: D = ${JSON.stringify(d)};`);
  const source = `${PRELUDE}${lines.join('\n')}\n`;
  const first = PRELUDE.split('\n').length - 1;
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: typescript.ScriptTarget.ES2022,
    module: typescript.ModuleKind.NodeNext,
    moduleResolution: typescript.ModuleResolutionKind.NodeNext,
    skipLibCheck: true,
    types: [],
  };
  const host = typescript.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, version, ...rest) =>
    name === VIRTUAL
      ? typescript.createSourceFile(name, source, version)
      : getSourceFile(name, version, ...rest);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === VIRTUAL || fileExists(name);
  const program = typescript.createProgram([VIRTUAL], options, host);
  const file = program.getSourceFile(VIRTUAL)!;
  const out = dashboards.map((): string[] => []);
  for (const d of typescript.getPreEmitDiagnostics(program, file)) {
    const line = d.start === undefined ? -1 : file.getLineAndCharacterOfPosition(d.start).line - first;
    const message = typescript.flattenDiagnosticMessageText(d.messageText, '\n');
    if (line < 0 || line >= out.length) throw new Error(`schema check setup: ${message}`);
    out[line]!.push(message);
  }
  return out;
}

describe('Grafana schema (@grafana/schema)', () => {
  test('the dashboard JSON is a Dashboard; a wrong type, value or field is caught', () => {
    const good = JSON.parse(readFileSync(DASHBOARD, 'utf8'));
    const ours = withoutGrafanaOwnFields(good) as typeof good;
    const [mine, wrongType, wrongValue, unknownField] = checkAgainstSchema([
      ours,
      { ...ours, refresh: 30 },
      {
        ...ours,
        panels: [
          {
            ...ours.panels[1],
            fieldConfig: { defaults: { thresholds: { mode: 'relative', steps: [] } }, overrides: [] },
          },
        ],
      },
      { ...ours, panelz: [] },
    ]);
    assert.deepEqual(mine, []);
    assert.ok(
      wrongType!.some((m) => /number/.test(m)),
      wrongType!.join('\n'),
    );
    assert.ok(
      wrongValue!.some((m) => /relative/.test(m)),
      wrongValue!.join('\n'),
    );
    assert.ok(
      unknownField!.some((m) => /panelz/.test(m)),
      unknownField!.join('\n'),
    );
  });
});
