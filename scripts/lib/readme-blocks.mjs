// Extracts the code blocks of a README and decides which of them run. The convention is documented
// in the root README ("README code blocks"): a fenced block whose info string starts with ts, js, mjs,
// cjs, cts or mts runs; `cjs` (or the word `cjs` after ts/js) runs it as CommonJS; the word `no-run`
// marks a fragment that is shown but not run. Every other language (sh, json, yaml, text) is never run.

const RUNNABLE = new Set(['ts', 'typescript', 'js', 'javascript', 'mjs', 'cjs', 'mts', 'cts']);

/**
 * @typedef {{ index: number, line: number, lang: string, words: string[], code: string,
 *   run: boolean, typescript: boolean, commonjs: boolean }} Block
 */

/** @param {string} markdown @returns {Block[]} */
export function extractBlocks(markdown) {
  const lines = markdown.split('\n');
  /** @type {Block[]} */
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([^`]*)$/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, info] = open;
    const words = info
      .trim()
      .split(/[\s,]+/)
      .filter(Boolean);
    const lang = (words[0] ?? '').toLowerCase();
    const body = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      if (
        lines[j].trim().startsWith(fence[0].repeat(fence.length)) &&
        lines[j].trim().replace(/[`~]/g, '') === ''
      )
        break;
      body.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j]);
    }
    const typescript = ['ts', 'typescript', 'mts', 'cts'].includes(lang);
    blocks.push({
      index: blocks.length + 1,
      line: i + 1,
      lang,
      words,
      code: body.join('\n') + '\n',
      run: RUNNABLE.has(lang) && !words.includes('no-run'),
      typescript,
      commonjs: lang === 'cjs' || lang === 'cts' || words.slice(1).includes('cjs'),
    });
    i = j;
  }
  return blocks;
}

/** Bare package names a block imports or requires (node: built-ins and relative paths left out). */
export function importedPackages(code) {
  const names = new Set();
  const re = /(?:import\s[^'"]*?from\s*|import\s*\(\s*|require\s*\(\s*|import\s+)['"]([^'"./][^'"]*)['"]/g;
  for (const m of code.matchAll(re)) {
    const spec = m[1];
    if (spec.startsWith('node:')) continue;
    const parts = spec.split('/');
    names.add(spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]);
  }
  return [...names];
}
