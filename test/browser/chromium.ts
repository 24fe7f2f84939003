/**
 * Headless Chromium for the page tests (the Debian package `chromium`, driven by playwright-core,
 * which never downloads a browser here). `openPage` records console errors, page errors and every
 * request, so a test can assert the page stayed offline; `charts` waits for the uPlot charts and
 * counts the pixels each one painted.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

// biome-ignore lint/suspicious/noUndeclaredEnvVars: tests do not run under turbo
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** A running browser with its own profile directory. */
export interface TestBrowser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** Why the browser tests skip when Chromium is missing outside CI. */
export const NO_CHROMIUM = `Chromium not found at ${CHROMIUM_PATH} (install the Debian package chromium)`;

/**
 * Launches Chromium with a fresh profile. Without Chromium it resolves to undefined (the tests then
 * skip with `NO_CHROMIUM`), except under `CI=true`, where it throws: CI cannot pass without it.
 */
export async function launchChromium(): Promise<TestBrowser | undefined> {
  if (!existsSync(CHROMIUM_PATH)) {
    if (process.env.CI === 'true') throw new Error(NO_CHROMIUM);
    return undefined;
  }
  const profile = mkdtempSync(join(tmpdir(), 'threadline-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 900 },
    timeout: 30_000,
  });
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A page plus what it did. */
export interface WatchedPage {
  readonly page: Page;
  /** Console messages of type error, and uncaught page errors. */
  readonly errors: string[];
  /** Every URL the page requested (the document itself included). */
  readonly requests: string[];
  /** Requests to anything but `origin` (for a file, the file itself). */
  outside(): string[];
}

/** Opens `url` in a new tab and records its console errors and requests. */
export async function openPage(browser: TestBrowser, url: string): Promise<WatchedPage> {
  const page = await browser.context.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(url, { waitUntil: 'load' });
  const own = url.startsWith('file:') ? url : new URL(url).origin;
  return {
    page,
    errors,
    requests,
    outside: () => requests.filter((r) => (url.startsWith('file:') ? r !== own : new URL(r).origin !== own)),
  };
}

/** One chart as the page drew it. */
export interface DrawnChart {
  readonly id: string;
  /** Non-null data points given to the chart. */
  readonly points: number;
  /** Canvas pixels that are not transparent. */
  readonly painted: number;
}

/**
 * Waits until at least `count` charts marked themselves ready, then reads each canvas back and
 * counts its painted pixels (an empty canvas has none).
 */
export async function charts(page: Page, count: number, timeout = 15_000): Promise<DrawnChart[]> {
  // Functions, not strings: the pages' Content-Security-Policy forbids eval. The DOM is typed
  // loosely here because the project compiles without the DOM library.
  await page.waitForFunction(
    (n) => (globalThis as unknown as Win).document.querySelectorAll('[data-ready="true"]').length >= n,
    count,
    { timeout },
  );
  return page.evaluate(() =>
    Array.from((globalThis as unknown as Win).document.querySelectorAll('[data-ready="true"]'), (el) => {
      const canvas = el.querySelector('canvas') as unknown as Canvas | null;
      let painted = 0;
      if (canvas) {
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted++;
      }
      return { id: el.id, points: Number(el.dataset.points), painted };
    }),
  );
}

interface Node0 {
  readonly id: string;
  readonly title: string;
  readonly textContent: string | null;
  readonly dataset: Record<string, string | undefined>;
  querySelector(selector: string): Node0 | null;
  querySelectorAll(selector: string): ArrayLike<Node0>;
}
interface Canvas {
  readonly width: number;
  readonly height: number;
  getContext(kind: '2d'): {
    getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> };
  };
}
interface Win {
  readonly document: Node0 & { readonly body: { readonly scrollHeight: number } };
  readonly __xss?: unknown;
}

/** An element as a test sees it: its text, `title`, data attributes and `[data-field]` children. */
export interface SeenElement {
  readonly text: string;
  readonly title: string;
  /** Text of the first heading inside. */
  readonly heading: string;
  readonly data: Record<string, string | undefined>;
  /** `data-field` name to its `data-value` (or its text when it has none). */
  readonly fields: Record<string, string>;
}

/** Reads every element matching `selector`, with the `[data-field]` elements inside each. */
export function elements(page: Page, selector: string): Promise<SeenElement[]> {
  return page.evaluate(
    (sel) =>
      Array.from((globalThis as unknown as Win).document.querySelectorAll(sel), (el) => {
        const fields: Record<string, string> = {};
        for (const f of Array.from(el.querySelectorAll('[data-field]')))
          fields[f.dataset.field!] = f.dataset.value ?? f.textContent ?? '';
        const h = el.querySelector('h1, h2, h3');
        return {
          text: el.textContent ?? '',
          title: h?.title ?? '',
          heading: h?.textContent ?? '',
          data: { ...el.dataset },
          fields,
        };
      }),
    selector,
  );
}

/** True when a hostile value managed to run script (it sets `window.__xss`). */
export function scriptRan(page: Page): Promise<boolean> {
  return page.evaluate(() => (globalThis as unknown as Win).__xss !== undefined);
}

/**
 * Saves a PNG of the page's first 1600 pixels. `THREADLINE_SCREENSHOT_DIR` (set by the packages' picture scripts)
 * says where; otherwise a temp dir, so an ordinary test run writes nothing into the repository.
 */
export async function screenshot(page: Page, name: string): Promise<string> {
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: tests do not run under turbo
  const dir = process.env.THREADLINE_SCREENSHOT_DIR ?? mkdtempSync(join(tmpdir(), 'threadline-shots-'));
  const path = join(dir, name);
  const height = Math.min(
    1600,
    await page.evaluate(() => (globalThis as unknown as Win).document.body.scrollHeight),
  );
  await page.setViewportSize({ width: 1280, height });
  await page.screenshot({ path, fullPage: false });
  return path;
}
