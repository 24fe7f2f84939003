// The files this package generates, each from its one definition, with where each is shipped.
// scripts/generate.ts writes them; test/generated.test.ts holds the shipped files to them.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  buildDashboard,
  DRIFT_RULES,
  dashboardFile,
  renderRules,
  rulesFile,
  THREADLINE_RULES,
} from '../src/index.js';

/** `@threadline/drift`'s rules/drift.rules.yml, whose fleet PSI rules are defined in src/drift-rules.ts. */
export const driftRulesFile: string = join(
  dirname(createRequire(import.meta.url).resolve('@threadline/drift/package.json')),
  'rules',
  'drift.rules.yml',
);

export interface GeneratedFile {
  readonly file: string;
  readonly text: string;
}

/** The rule files, as the definitions render them. */
export function generatedRuleFiles(): GeneratedFile[] {
  return [
    { file: rulesFile, text: renderRules(THREADLINE_RULES) },
    { file: driftRulesFile, text: renderRules(DRIFT_RULES) },
  ];
}

/** Every generated file: the dashboard JSON and the rule files. */
export function generatedFiles(): GeneratedFile[] {
  return [
    { file: dashboardFile, text: `${JSON.stringify(buildDashboard(), null, 2)}\n` },
    ...generatedRuleFiles(),
  ];
}
