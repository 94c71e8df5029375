/**
 * Driving the web page in the browser tests: serve the built bundle to one headless Chromium
 * per test file, open the page, set a control as a user would, run, wait for the end, and
 * read back what the page shows (results, error, notes, table, downloads).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll } from 'vitest';
import type { BackendInfo } from '../../src/engines/backend.js';
import { browserFlags, findBrowser, launchBrowser } from '../../src/engines/browser/launch.js';
import { startStaticServer } from '../../src/web/serve.mjs';

const ROOT = join(import.meta.dirname, '../..');
const WEB = join(ROOT, 'dist/web');
/** What the page tests run: the page's bundle, and the CLI some of them compare it with. */
const BUILT = [join(WEB, 'index.html'), join(WEB, 'main.js'), join(WEB, 'worker.js'), join(ROOT, 'dist/cli.js')];
const DESKTOP = { width: 1100, height: 1400 };

export interface ServedPage {
  /** The page's address on the test server. */
  readonly url: string;
  /** The file's headless Chromium (with WebGPU, on SwiftShader where there is no GPU). */
  readonly browser: Browser;
  /** A new tab on the page (with `query` after its address), once the page has set itself up. */
  openPage(query?: string, options?: { viewport?: { width: number; height: number }; on?: Browser }): Promise<Page>;
}

/**
 * The built page (dist/web; built here when a run of the suite has not built it yet) on a
 * free port and one headless Chromium, for the test file that calls this at its top level:
 * started before its tests, closed after them.
 */
export function servePage(): ServedPage {
  let server: { url: string; close(): Promise<void> } | undefined;
  let launched: { browser: Browser; close(): Promise<void> } | undefined;
  beforeAll(async () => {
    if (BUILT.some((path) => !existsSync(path))) execFileSync(process.execPath, ['esbuild.config.mjs'], { cwd: ROOT, stdio: 'inherit' });
    server = await startStaticServer({ root: WEB, port: 0 });
    launched = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await launched?.close();
    await server?.close();
  });
  return {
    get url() {
      return server!.url;
    },
    get browser() {
      return launched!.browser;
    },
    async openPage(query = '', { viewport = DESKTOP, on = launched!.browser } = {}) {
      const page = await on.newPage();
      await page.setViewport(viewport);
      page.on('pageerror', (error) => console.error(`page error: ${(error as Error).message}`));
      await page.goto(server!.url + query, { waitUntil: 'load' });
      await page.waitForSelector('body[data-state]');
      return page;
    },
  };
}

/**
 * A second headless Chromium, without WebGPU (navigator.gpu missing, as in a browser that
 * lacks it), for the describe block that calls this: started before its tests, closed (its
 * profile removed) after them.
 */
export function browserWithoutWebGpu(): { readonly browser: Browser } {
  let profile: string | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    profile = mkdtempSync(join(tmpdir(), 'anonscope-chromium-nogpu-'));
    browser = await puppeteer.launch({
      executablePath: findBrowser(),
      headless: true,
      userDataDir: profile,
      args: [...browserFlags({}).filter((flag) => flag !== '--enable-unsafe-webgpu'), '--disable-blink-features=WebGPU'],
    });
  }, 120_000);
  afterAll(async () => {
    await browser?.close().catch(() => {});
    if (profile) rmSync(profile, { recursive: true, force: true });
  });
  return {
    get browser() {
      return browser!;
    },
  };
}

/** Set a form control's value and fire the change event the page listens to. */
export async function setValue(page: Page, selector: string, value: string): Promise<void> {
  await page.$eval(selector, (el, v) => {
    (el as HTMLInputElement).value = v;
    el.dispatchEvent(new Event('change', { bubbles: true }));
  }, value);
}

/** Choose a file in a file input, as a user picking it would. */
export async function upload(page: Page, path: string, selector = '#file'): Promise<void> {
  await (await page.$(selector) as unknown as { uploadFile(path: string): Promise<void> }).uploadFile(path);
}

/** Wait until the run ends; its state, 'done' or 'error'. */
export async function waitForEnd(page: Page, timeout = 300_000): Promise<string> {
  await page.waitForSelector('body[data-state=done], body[data-state=error]', { timeout });
  return page.$eval('body', (b) => b.dataset.state ?? '');
}

/**
 * Click Run and wait for the end. The click is the button's own (not the mouse at its
 * coordinates): after a run the page scrolls smoothly to the results, and a mouse click
 * during the scroll can miss the button and find the last run's state still 'done'.
 */
export async function run(page: Page, timeout = 300_000): Promise<string> {
  await page.$eval('#run', (button) => (button as HTMLButtonElement).click());
  return waitForEnd(page, timeout);
}

/** The result the page shows (as its worker sent it), the backend it says ran, and its "Ran on …" line. */
export async function shown<T = unknown>(page: Page): Promise<{ result: T; backend: BackendInfo; ranText: string }> {
  return page.$eval('#results', (el) => ({
    result: JSON.parse((el as HTMLElement).dataset.result!),
    backend: JSON.parse((el as HTMLElement).dataset.backend!),
    ranText: document.getElementById('ran')!.textContent ?? '',
  }));
}

/** The error the page shows ('' for none) and its kind (parameter, format, device, …). */
export const errorOf = (page: Page) => page.$eval('#error', (e) => ({ text: e.textContent ?? '', kind: (e as HTMLElement).dataset.kind }));
export const errorText = async (page: Page) => (await errorOf(page)).text;
export const notesOf = (page: Page) => page.$$eval('#notes p', (ps) => ps.map((p) => p.textContent ?? ''));
/** The results table, a row of cell texts a row (the header first). */
export const tableOf = (page: Page) => page.$$eval('#table tr', (rows) => rows.map((row) => Array.from(row.children, (c) => c.textContent ?? '')));
export const downloadNames = (page: Page) => page.$$eval('#downloads a', (links) => links.map((a) => a.getAttribute('download')));
/** The text of the download whose file name ends with `suffix`. */
export const fetchDownload = (page: Page, suffix: string) => page.$eval(`#downloads a[download$="${suffix}"]`, async (a) => (await fetch((a as HTMLAnchorElement).href)).text());
/** The files of the page's zip of every download, by name. */
export const fetchZip = async (page: Page) =>
  unzipSync(Uint8Array.from(await page.$eval('#downloads a[data-zip]', async (a) => Array.from(new Uint8Array(await (await fetch((a as HTMLAnchorElement).href)).arrayBuffer())))));
