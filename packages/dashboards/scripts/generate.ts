// Writes the generated files of the ops bundle from their one definition each: the dashboard from
// buildDashboard(), rules/threadline.rules.yml from src/rules.ts, and the drift package's
// rules/drift.rules.yml from src/drift-rules.ts (the drift package may not import this one, so its
// rule file is written from here and held to the definition by this package's tests).
// Run: npm run generate -w @threadline/dashboards
import { readFileSync, writeFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { generatedFiles } from '../test/generated-files.js';

/** True when the file already holds this text (for JSON: the same value, however it is formatted). */
function unchanged(file: string, text: string): boolean {
  let old: string;
  try {
    old = readFileSync(file, 'utf8');
  } catch {
    return false;
  }
  return file.endsWith('.json') ? isDeepStrictEqual(JSON.parse(old), JSON.parse(text)) : old === text;
}

for (const { file, text } of generatedFiles()) {
  if (unchanged(file, text)) continue;
  writeFileSync(file, text);
  console.log(`wrote ${file}`);
}
