import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { DRIFT_RECORDED, DRIFT_RULES, type RuleFile, renderRules, THREADLINE_RULES } from '../src/index.js';
import { generatedRuleFiles } from './generated-files.js';

type Parsed = { groups: { name: string; rules: Record<string, unknown>[] }[] };

describe('generated rule files', () => {
  test('the shipped rule files are what their definitions render (regenerate with npm run generate)', () => {
    const files = generatedRuleFiles();
    assert.equal(files.length, 2);
    for (const { file, text } of files) {
      const shipped = readFileSync(file, 'utf8').split('\n');
      const rendered = text.split('\n');
      const at = rendered.findIndex((line, i) => line !== shipped[i]);
      assert.ok(
        at === -1 && shipped.length === rendered.length,
        `${file} differs from its definition at line ${at + 1} (shipped ${JSON.stringify(shipped[at])}, defined ${JSON.stringify(rendered[at])}): edit src/rules.ts or src/drift-rules.ts and run npm run generate -w @threadline/dashboards`,
      );
    }
  });

  test('a rendered file parses back to its definition, comments aside', () => {
    for (const definition of [THREADLINE_RULES, DRIFT_RULES]) {
      const parsed = parse(renderRules(definition)) as Parsed;
      const expected = definition.groups.map((g) => ({
        name: g.name,
        rules: g.rules.map(({ comment: _, ...rule }) => rule),
      }));
      assert.deepEqual(parsed.groups, expected);
    }
  });

  test('the drift file records the fleet PSI the bundle reads, and the bundle does not record it again', () => {
    const records = (file: RuleFile) =>
      file.groups.flatMap((g) => g.rules).flatMap((r) => ('record' in r ? [r.record] : []));
    assert.ok(records(DRIFT_RULES).includes(DRIFT_RECORDED.fleetPsi));
    for (const name of records(DRIFT_RULES)) assert.ok(!records(THREADLINE_RULES).includes(name), name);
  });

  test('the renderer quotes or blocks what YAML would misread, and refuses an expression it cannot keep', () => {
    const one = (expr: string, summary = 's'): RuleFile => ({
      header: 'h',
      groups: [
        {
          name: 'g',
          rules: [
            {
              alert: 'A',
              expr,
              for: '1m',
              labels: { severity: 'info' },
              annotations: { summary, description: '{{ $value }}: "quoted" # not a comment' },
            },
          ],
        },
      ],
    });
    for (const expr of ['{__name__="up"} == 0', 'up # not a comment', 'a: b', '- 1', '1 > 0', 'x\ny']) {
      const rule = (parse(renderRules(one(expr, `${expr}!`))) as Parsed).groups[0]!.rules[0]!;
      assert.equal(rule.expr, expr);
      assert.equal((rule.annotations as Record<string, string>).summary, `${expr}!`);
      assert.equal(
        (rule.annotations as Record<string, string>).description,
        '{{ $value }}: "quoted" # not a comment',
      );
    }
    assert.throws(() => renderRules(one('  sum(\nx)')), /least indented/);
  });
});
