import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { CLIENT_HELPERS } from './client.js';

/** The charting library inlined into every page, read from the installed `uplot` package. */
export interface ChartLibrary {
  readonly name: string;
  readonly version: string;
  readonly license: string;
  /** The minified browser build (defines the global `uPlot`). */
  readonly js: string;
  readonly css: string;
}

let library: ChartLibrary | undefined;

/**
 * Reads uPlot's browser build once per process. The pages inline it so they work offline and under a
 * Content-Security-Policy that forbids every fetch but the page's own data endpoint.
 */
export function chartLibrary(): ChartLibrary {
  if (library) return library;
  const require = createRequire(import.meta.url);
  const main = require.resolve('uplot');
  const dist = main.endsWith('.js') ? dirname(main) : join(main, 'dist');
  const pkg = JSON.parse(readFileSync(join(dist, '..', 'package.json'), 'utf8')) as {
    version: string;
    license: string;
  };
  library = {
    name: 'uPlot',
    version: pkg.version,
    license: pkg.license,
    js: readFileSync(join(dist, 'uPlot.iife.min.js'), 'utf8'),
    css: readFileSync(join(dist, 'uPlot.min.css'), 'utf8'),
  };
  return library;
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML content and quoted attributes. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** Longest name a page shows in full; longer ones are cut (the full name stays in the data's title). */
export const MAX_DISPLAY_NAME = 120;

/** Cuts `text` to `max` characters with an ellipsis, so one hostile name cannot swamp a page. */
export function displayText(text: string, max: number = MAX_DISPLAY_NAME): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/**
 * JSON that is safe inside a `<script type="application/json">` element: `<`, `>`, `&` and the two
 * JavaScript line separators are written as escapes, so no value can close the element.
 */
export function jsonForScript(data: unknown): string {
  return JSON.stringify(data).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** What a page is made of. */
export interface PageOptions {
  /** Text of `<title>` and the heading (escaped here). */
  readonly title: string;
  /** The page's data, read by `script` with `pageData()`. */
  readonly data: unknown;
  /** The page's own browser script (runs after uPlot and the shared helpers). */
  readonly script: string;
  /** Extra CSS. */
  readonly style?: string;
  /** Allow `fetch` to the page's own origin (live pages); reports allow no network at all. */
  readonly connectSelf?: boolean;
}

const BASE_STYLE = `
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#fff;--card:#f6f8fa;--ok:#1a7f37;--bad:#cf222e;--warn:#9a6700}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header{padding:16px 24px;border-bottom:1px solid var(--line)}h1{font-size:20px;margin:0}h2{font-size:16px;margin:0 0 8px}
h3{font-size:14px;margin:0 0 6px;overflow-wrap:anywhere}main{padding:16px 24px}.muted{color:var(--muted)}
.grid{display:grid;gap:16px;grid-template-columns:repeat(auto-fill,minmax(360px,1fr))}.card{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:12px;min-width:0}
table{border-collapse:collapse;width:100%}td,th{padding:3px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top;overflow-wrap:anywhere}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;color:#fff}
.badge.bad{background:var(--bad)}.badge.ok{background:var(--ok)}.badge.skip{background:var(--muted)}.missing{color:var(--warn);font-style:italic}
.chart{min-height:40px}.row{margin-bottom:20px}.kpis{display:flex;gap:24px;flex-wrap:wrap}.kpi b{display:block;font-size:22px}
`;

/**
 * Renders one self-contained HTML page: uPlot, the shared helpers and the page's script inlined,
 * its data embedded as JSON, and a Content-Security-Policy that blocks every network request (but
 * the page's own origin when `connectSelf`), so the page is offline by construction.
 */
export function renderPage(options: PageOptions): string {
  const lib = chartLibrary();
  const connect = options.connectSelf ? "'self'" : "'none'";
  const csp = `default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; connect-src ${connect}; base-uri 'none'; form-action 'none'`;
  // A `</script` inside an inlined script would end it early; the library and our code have none.
  const safe = (code: string) => code.replace(/<\/(script)/gi, '<\\/$1');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="generator" content="Threadline; charts by ${lib.name} ${escapeHtml(lib.version)} (${escapeHtml(lib.license)})">
<title>${escapeHtml(options.title)}</title>
<style>${lib.css}</style>
<style>${BASE_STYLE}${options.style ?? ''}</style>
</head>
<body>
<header><h1 id="title">${escapeHtml(options.title)}</h1><div id="subtitle" class="muted"></div></header>
<main id="main"></main>
<script type="application/json" id="threadline-data">${jsonForScript(options.data)}</script>
<script>${safe(lib.js)}</script>
<script>${safe(CLIENT_HELPERS)}</script>
<script>${safe(options.script)}</script>
</body>
</html>
`;
}
